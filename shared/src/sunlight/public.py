"""Which paths are public (no token): the one definition the gateway, the services and the tests share.

A route is public when its path is under ``/v1/<service>/public/`` — or under one of the paths a standard
or a published promise fixes: Open311 GeoReport v2 at ``/v1/complaints/open311/`` (issue 13's path, which
GeoReport clients are configured with). A public route gets no token check, the anonymous per-address rate
limit, and never the caller's address or user agent upstream; its answers are not cached.
"""

from __future__ import annotations

# path prefixes fixed by a standard, public like /public/ (keep this list short: each one is an exception)
STANDARD_PUBLIC_PREFIXES = ("/v1/complaints/open311/",)


def is_public(path: str, service: str | None = None) -> bool:
    """Whether ``path`` is a public route (of ``service``, when given)."""
    if service is not None and not path.startswith(f"/v1/{service}/"):
        return False
    parts = path.split("/", 4)  # '', 'v1', service, 'public', rest
    if len(parts) >= 4 and parts[1] == "v1" and parts[3] == "public":
        return True
    return path.startswith(STANDARD_PUBLIC_PREFIXES)
