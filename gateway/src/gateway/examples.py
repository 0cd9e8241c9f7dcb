"""Examples of the gateway's admin request bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from gateway import schemas as s

add_examples(
    {
        s.ClientIn: [
            {
                "client_id": "finance-bureau-130300",
                "name": "秦皇岛市财政局 budget system",
                "scopes": ["funds:read", "funds:write"],
                "regions": ["130300"],
                "unit_uscc": "11130300MB00004562",
            }
        ],
        s.ClientUpdate: [{"scopes": ["funds:read"], "active": True}, {"active": False}],
        s.UserIn: [
            {
                "username": "qhd-inspector-01",
                "password": "correct horse battery staple 2026",
                "scopes": ["integrity:read", "integrity:write"],
                "regions": ["130300"],
                "unit_uscc": "11130300MB00004562",
            }
        ],
        s.UserUpdate: [{"regions": ["130300", "130302"]}, {"active": False}],
    }
)
