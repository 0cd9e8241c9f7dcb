"""The scopes a token may carry. ``<service>:read`` / ``:write`` / ``:admin``, plus ``admin``
for the gateway's own admin API (clients, users, keys)."""

from __future__ import annotations

from gateway.settings import SERVICES

SERVICE_SCOPES = tuple(f"{service}:{verb}" for service in SERVICES for verb in ("read", "write", "admin"))
EXTRA_SCOPES = ("complaints:registrar",)  # sees reporter identities (every access audited)
ADMIN = "admin"
ALL_SCOPES = frozenset((*SERVICE_SCOPES, *EXTRA_SCOPES, ADMIN))
