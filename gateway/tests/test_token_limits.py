"""The token endpoint's limits: per address (spraying many usernames from one address), per account
(guessing one account from many addresses), and an exponential back-off on failed guesses."""

# Limits per hour, not per minute: a sliding window that starts a new minute mid-test forgives part of the
# previous one (the 6th request passed under load when the 5 before it straddled a minute boundary).

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from asgi_lifespan import LifespanManager
from gateway.app import create_app
from gateway.settings import GatewaySettings

from .conftest import ADMIN_ID, ADMIN_SECRET, token_for

PASSWORD = "plum blossom 1987 river"
From = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def limited(gateway_settings: GatewaySettings, request: pytest.FixtureRequest) -> AsyncIterator[From]:
    """``at(address)``: a client of one gateway whose requests come from ``address``."""
    for name, value in request.param.items():
        if name in type(gateway_settings).model_fields:  # (so that the test runs against older code too)
            setattr(gateway_settings, name, value)
    app = create_app(gateway_settings)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(LifespanManager(app.api, startup_timeout=60))
        clients: dict[str, httpx.AsyncClient] = {}

        def at(address: str) -> httpx.AsyncClient:
            if address not in clients:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                clients[address] = httpx.AsyncClient(transport=transport, base_url="http://gw")
            return clients[address]

        admin = await token_for(at("10.0.0.1"), ADMIN_ID, ADMIN_SECRET)
        created = await at("10.0.0.1").post(
            "/v1/admin/users",
            headers={"Authorization": f"Bearer {admin}"},
            json={"username": "officer.li", "password": PASSWORD, "scopes": ["funds:read"], "regions": ["130300"]},
        )
        assert created.status_code == 201, created.text
        yield at
        for client in clients.values():
            await client.aclose()


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/oauth/token", data={"grant_type": "password", "username": username, "password": password}
    )


@pytest.mark.parametrize("limited", [{"rate_limit_token": "5/hour", "token_backoff_base_seconds": 0}], indirect=True)
async def test_spraying_many_usernames_from_one_address_is_throttled(limited: From):
    answers = [(await sign_in(limited("203.0.113.7"), f"user{i}", "Password2026!")).status_code for i in range(6)]
    assert answers[:5] == [400] * 5 and answers[5] == 429
    assert (await sign_in(limited("203.0.113.8"), "user9", "Password2026!")).status_code == 400, "other addresses"


@pytest.mark.parametrize(
    "limited",
    [{"rate_limit_token_account": "3/hour", "token_backoff_base_seconds": 0}],
    indirect=True,
)
async def test_guessing_one_account_from_many_addresses_is_throttled(limited: From):
    answers = [(await sign_in(limited(f"198.51.100.{i}"), "officer.li", "wrong guess 1")).status_code for i in range(4)]
    assert answers == [400, 400, 400, 429]
    refused = await sign_in(limited("198.51.100.99"), "officer.li", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"


async def _until_not_limited(send: Callable[[], object]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        response = await send()  # type: ignore[misc]
        if response.status_code != 429 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.05)


BASE = 0.3


@pytest.mark.parametrize(
    "limited", [{"token_backoff_base_seconds": BASE, "token_backoff_max_seconds": 100}], indirect=True
)
async def test_each_failed_guess_doubles_the_wait_and_a_success_resets_it(limited: From):
    addresses = iter(f"192.0.2.{i}" for i in range(1, 200))

    def fresh() -> httpx.AsyncClient:
        return limited(next(addresses))

    first_address = fresh()
    assert (await sign_in(first_address, "officer.li", "wrong guess 1")).status_code == 400
    blocked = await sign_in(fresh(), "officer.li", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429 and blocked.json()["backoff_seconds"] == BASE
    assert int(blocked.headers["retry-after"]) >= 1
    other_account = await sign_in(first_address, "someone.else", "wrong guess 1")
    assert other_account.status_code == 429, "the address that failed waits too, whatever account it tries"

    for failures in (2, 3):
        failed = await _until_not_limited(lambda: sign_in(fresh(), "officer.li", "wrong guess 2"))
        assert failed.status_code == 400
        waiting = await sign_in(fresh(), "officer.li", PASSWORD)
        assert waiting.status_code == 429
        assert waiting.json()["backoff_seconds"] == BASE * 2 ** (failures - 1), "each failure doubles the wait"

    succeeded = await _until_not_limited(lambda: sign_in(fresh(), "officer.li", PASSWORD))
    assert succeeded.status_code == 200
    assert (await sign_in(fresh(), "officer.li", "wrong guess 3")).status_code == 400
    after_reset = await sign_in(fresh(), "officer.li", PASSWORD)
    assert after_reset.status_code == 429 and after_reset.json()["backoff_seconds"] == BASE, "a success resets it"


@pytest.mark.parametrize(
    "limited",
    [{"rate_limit_token": "5/hour", "token_backoff_base_seconds": 0, "trusted_proxies": "10.9.0.1"}],
    indirect=True,
)
async def test_behind_a_trusted_proxy_each_caller_has_its_own_address_limit(limited: From):
    """Behind the ingress every request comes from its address: the forwarded caller is what is limited."""
    ingress = limited("10.9.0.1")

    async def from_caller(caller: str, i: int) -> int:
        answer = await ingress.post(
            "/oauth/token",
            data={"grant_type": "password", "username": f"user{i}", "password": "Password2026!"},
            headers={"X-Forwarded-For": caller},
        )
        return answer.status_code

    assert [await from_caller("203.0.113.7", i) for i in range(6)] == [400] * 5 + [429]
    assert await from_caller("203.0.113.8", 9) == 400, "another caller behind the same ingress"
