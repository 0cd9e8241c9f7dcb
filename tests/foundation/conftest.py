"""In-process apps of the slice (funds writes, integrity registers) on the test backend."""

from __future__ import annotations

from typing import Any

import httpx
from funds.app import MIGRATIONS as FUNDS_MIGRATIONS
from funds.app import create_app as create_funds
from funds.settings import FundsSettings
from sunlight.testing import ServiceHarness, TestKeys


async def funds_settings(harness: ServiceHarness, **overrides: Any) -> FundsSettings:
    return await harness.settings(FundsSettings, FUNDS_MIGRATIONS, **overrides)


def funds_app(settings: FundsSettings) -> Any:
    return create_funds(settings)


async def programme_with_child(
    client: httpx.AsyncClient, keys: TestKeys, *, budget: int = 1_000_000, code: str = "P-1"
) -> tuple[dict[str, str], str, str]:
    """A programme in 130300 with a root (holding the budget) and one county child."""
    headers = keys.auth(scopes="funds:read funds:write", regions=["130300"], sub="qhd-finance")
    programme = await client.post(
        "/v1/funds/programmes",
        headers=headers,
        json={
            "code": code,
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": budget,
            "region_code": "130300",
        },
    )
    assert programme.status_code == 201, programme.text
    pid = programme.json()["id"]
    root = await client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"},
    )
    child = await client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"parent_id": root.json()["id"], "tier": "county", "name": "海港区", "region_code": "130302"},
    )
    assert child.status_code == 201, child.text
    return headers, root.json()["id"], child.json()["id"]
