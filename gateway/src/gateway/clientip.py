"""The caller's address: the TCP peer, or ``X-Forwarded-For`` when the peer is a trusted proxy.

Behind an ingress every caller's TCP peer is the ingress, so per-address limits would put all
anonymous callers in one bucket. ``SUNLIGHT_TRUSTED_PROXIES`` names the proxies (addresses or
CIDRs, comma-separated) whose ``X-Forwarded-For`` is believed; the caller is the right-most
address in the chain that is not a trusted proxy (anything left of it may be forged).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """``"10.0.0.0/8, 192.168.1.7"`` → a membership test for addresses."""

    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self.networks = tuple(networks)

    @classmethod
    def parse(cls, spec: str) -> TrustedProxies:
        """Raises ``ValueError`` on an entry that is neither an address nor a network."""
        return cls(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __contains__(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip().strip("[]"))
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


def client_ip(scope: Any, trusted: TrustedProxies) -> str:
    """The caller's address for an ASGI ``scope`` (``"-"`` when the server does not say)."""
    client = scope.get("client")
    peer = str(client[0]) if client else "-"
    if not trusted or peer not in trusted:
        return peer
    chain: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            chain += [part.strip() for part in value.decode("latin-1").split(",")]
    chain = [hop for hop in chain if hop]
    for hop in reversed(chain):
        if hop not in trusted:
            return hop
    return chain[0] if chain else peer  # every hop is a trusted proxy: the left-most is the caller
