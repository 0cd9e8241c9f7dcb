"""The scopes a token may carry — the one list the gateway grants from and the OpenAPI documents declare.

``<service>:read`` / ``:write`` / ``:admin`` for each domain service, ``complaints:registrar`` (sees
reporter identities, every access audited), ``funds:accept`` / ``:audit`` / ``:supervise`` (the bodies that
certify what a bureau did: never the bureau itself) and ``admin`` (the gateway's own admin API: clients, users,
keys). A route requires one with ``sunlight.deps.scoped("funds:read")``; a test checks that every scope
a route requires is listed here.
"""

from __future__ import annotations

from enum import StrEnum

SERVICES = ("funds", "tenders", "approvals", "complaints", "integrity")

_VERBS = {
    "read": "read {service} data within the token's regions",
    "write": "record and change {service} data within the token's regions",
    "admin": "administer {service} (rules, risk points, watch lists, dead letters; nationwide operations "
    "need a nationwide token)",
}

SCOPES: dict[str, str] = {
    **{f"{service}:{verb}": text.format(service=service) for service in SERVICES for verb, text in _VERBS.items()},
    "complaints:registrar": "see complainants' identities (every access is audited)",
    "funds:accept": "record acceptances (验收) as the accepting body, never the unit that spent the money",
    "funds:audit": "record audits and confirm rectifications (审计) as the auditing body",
    "funds:supervise": "set programmes' rule thresholds: the supervising side (纪检监察, 财政监督), not the bureau",
    "admin": "the gateway's admin API: clients, users, signing keys",
}

ServiceName = StrEnum("ServiceName", {service: service for service in SERVICES})  # type: ignore[misc]
"""A service's name as a query filter (``?service=funds``): any other value is 422, not an empty page."""
