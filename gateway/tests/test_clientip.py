"""The caller's address behind trusted proxies (SUNLIGHT_TRUSTED_PROXIES)."""

import pytest
from gateway.clientip import TrustedProxies, client_ip
from gateway.settings import GatewaySettings
from pydantic import ValidationError


def scope(peer: str, *forwarded: str) -> dict[str, object]:
    return {"client": (peer, 50000), "headers": [(b"x-forwarded-for", f.encode()) for f in forwarded]}


TRUSTED = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7, fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded", "caller"),
    [
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),  # an untrusted peer's header is ignored
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1, 192.168.1.7"], "198.51.100.1"),  # forged left part ignored
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # several header lines are one list
        ("10.0.0.2", ["10.0.0.9, 10.0.0.8"], "10.0.0.9"),  # all trusted: the left-most
        ("10.0.0.2", [], "10.0.0.2"),  # no header: the proxy itself
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("::ffff:10.0.0.2", ["198.51.100.1"], "198.51.100.1"),  # IPv4-mapped peer
    ],
)
def test_the_caller_is_the_right_most_untrusted_address(peer: str, forwarded: list[str], caller: str):
    assert client_ip(scope(peer, *forwarded), TRUSTED) == caller


def test_without_trusted_proxies_the_peer_is_the_caller():
    assert client_ip(scope("10.0.0.2", "198.51.100.1"), TrustedProxies()) == "10.0.0.2"
    assert client_ip({"client": None, "headers": []}, TRUSTED) == "-"


def test_a_malformed_setting_fails_at_start():
    with pytest.raises(ValidationError):
        GatewaySettings(trusted_proxies="10.0.0.0/8, not-an-address")
