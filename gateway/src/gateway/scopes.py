"""The scopes a token may carry: ``sunlight.scopes.SCOPES`` (one list for the gateway's grants and the
OpenAPI documents). ``<service>:read`` / ``:write`` / ``:admin``, ``complaints:registrar``, and ``admin``
for the gateway's own admin API (clients, users, keys)."""

from __future__ import annotations

from sunlight.scopes import SCOPES, SERVICES

SERVICE_SCOPES = tuple(f"{service}:{verb}" for service in SERVICES for verb in ("read", "write", "admin"))
EXTRA_SCOPES = ("complaints:registrar",)  # sees reporter identities (every access audited)
ADMIN = "admin"
ALL_SCOPES = frozenset(SCOPES)
assert frozenset((*SERVICE_SCOPES, *EXTRA_SCOPES, ADMIN)) == ALL_SCOPES
