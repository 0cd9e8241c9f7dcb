"""Signing keys: the token endpoint keeps answering after the key cache expires (on SQLite the
reload once ran inside the token transaction and waited for its own write lock), and a rotation
made elsewhere (another replica, `sunlight-gateway keys rotate`) is picked up."""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from gateway.app import create_app
from gateway.keys import KeyStore
from gateway.settings import GatewaySettings
from jose import jwt
from sunlight.db import Database

from .conftest import ADMIN_ID, ADMIN_SECRET, token_for

CACHE_SECONDS = 0.2


@pytest.fixture
async def quick_keys(gateway_settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    gateway_settings.key_cache_seconds = CACHE_SECONDS
    app = create_app(gateway_settings)
    async with (
        LifespanManager(app.api, startup_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=60) as client,
    ):
        yield client


async def test_tokens_are_issued_after_the_key_cache_has_expired(quick_keys: httpx.AsyncClient):
    admin = await token_for(quick_keys, ADMIN_ID, ADMIN_SECRET)
    created = await quick_keys.post(
        "/v1/admin/users",
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "username": "registrar.wang",
            "password": "plum blossom 1987 river",
            "scopes": ["integrity:read"],
            "regions": ["130300"],
        },
    )
    assert created.status_code == 201, created.text
    await asyncio.sleep(CACHE_SECONDS * 3)  # an idle gateway: the key cache has expired
    for _ in range(2):
        cc = await quick_keys.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, ADMIN_SECRET)
        )
        assert cc.status_code == 200, cc.text
        pw = await quick_keys.post(
            "/oauth/token",
            data={"grant_type": "password", "username": "registrar.wang", "password": "plum blossom 1987 river"},
        )
        assert pw.status_code == 200, pw.text
        refreshed = await quick_keys.post(
            "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": pw.json()["refresh_token"]}
        )
        assert refreshed.status_code == 200, refreshed.text
        await asyncio.sleep(CACHE_SECONDS * 3)


async def test_a_rotation_made_elsewhere_is_picked_up_within_the_cache_lifetime(
    quick_keys: httpx.AsyncClient, gateway_settings: GatewaySettings
):
    before = jwt.get_unverified_header(await token_for(quick_keys, ADMIN_ID, ADMIN_SECRET))["kid"]
    db = Database(gateway_settings.effective_database_url())
    try:  # what `sunlight-gateway keys rotate` does, from another process's point of view
        rotated = await KeyStore(db, gateway_settings.cipher).rotate()
    finally:
        await db.dispose()
    assert rotated != before
    deadline = time.monotonic() + 30
    kid = before
    while kid != rotated and time.monotonic() < deadline:
        await asyncio.sleep(CACHE_SECONDS)
        kid = jwt.get_unverified_header(await token_for(quick_keys, ADMIN_ID, ADMIN_SECRET))["kid"]
    assert kid == rotated, "the gateway signs with the rotated key once its cache has expired"
    published = [k["kid"] for k in (await quick_keys.get("/.well-known/jwks.json")).json()["keys"]]
    assert before in published and rotated in published
