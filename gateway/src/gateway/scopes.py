"""The scopes a token may carry: ``sunlight.scopes.SCOPES`` (one list for the gateway's grants and the
OpenAPI documents). ``<service>:read`` / ``:write`` / ``:admin``, ``complaints:registrar``, and ``admin``
for the gateway's own admin API (clients, users, keys)."""

from __future__ import annotations

from sunlight.scopes import SCOPES, SERVICES

SERVICE_SCOPES = tuple(f"{service}:{verb}" for service in SERVICES for verb in ("read", "write", "admin"))
EXTRA_SCOPES = (
    "complaints:registrar",  # sees reporter identities (every access audited)
    "funds:accept",  # records acceptances (验收): the accepting body, never the unit that spent the money
    "funds:audit",  # records audits and confirms rectifications (审计): the auditing body
    "funds:supervise",  # sets programmes' rule thresholds: the supervising side (纪检监察/财政监督), not the bureau
)
ADMIN = "admin"
ALL_SCOPES = frozenset(SCOPES)
assert frozenset((*SERVICE_SCOPES, *EXTRA_SCOPES, ADMIN)) == ALL_SCOPES
