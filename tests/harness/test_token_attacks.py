"""Token attacks at each service directly and at the gateway (its own routes and the proxy path).

Every forged, confused, expired, misdirected or tampered token is 401 problem+json of type
``…/invalid-token`` (with ``WWW-Authenticate``), while a correctly built token from the same
forger passes — so each refusal is due to the attack alone. Then what only the gateway can
show: a withdrawn signing key, a deactivated client, a replayed rotated refresh token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sunlight.auth import REVOKED_MEMBER, revocation_key
from sunlight.db import Database
from sunlight.errors import InvalidToken
from sunlight.settings import ServiceSettings
from sunlight.testing import Backend, TestKeys
from sunlight.testing.backends import Templates

from .conftest import GATEWAY, SERVICES, Live, ServiceApp, running
from .forge import Forger

INVALID_TOKEN = InvalidToken.type_uri()

# (app, method, path) attacked; the gateway's own admin API and one proxied path (verified before forwarding)
TARGETS = [
    (GATEWAY, "GET", "/v1/admin/clients"),
    (GATEWAY, "GET", "/v1/funds/rules"),
    *((name, "GET", f"/v1/{name}/rules") for name in SERVICES),
]


def gateway_key(live: Live) -> tuple[str, dict[str, Any], str]:
    """(kid, public JWK, private PEM) of the gateway's current signing key, read as the gateway stores it."""
    from gateway.keys import CIPHER_CONTEXT
    from gateway.models import KeyState, SigningKey

    async def read() -> tuple[str, dict[str, Any], str]:
        db = Database(live.settings.effective_database_url())
        try:
            async with db.sessions() as session:
                key = (
                    await session.execute(select(SigningKey).where(SigningKey.state == KeyState.CURRENT))
                ).scalar_one()
                pem = live.settings.cipher.decrypt(key.private_key, context=CIPHER_CONTEXT)
                return key.kid, dict(key.public_jwk), pem
        finally:
            await db.dispose()

    return asyncio.run(read())


def forger_for(live: Live, keys: TestKeys) -> Forger:
    if live.name == GATEWAY:
        kid, public, pem = gateway_key(live)
        settings = live.settings
        return Forger(kid, public, pem, settings.jwt_issuer, settings.jwt_audience, "admin funds:read", ["000000"])
    scopes = " ".join(ServiceApp.of(live.name).scopes)
    return Forger(keys.kid, keys.public_jwk, keys.private_pem, keys.issuer, keys.audience, scopes, ["000000"])


def assert_invalid_token(response: Any, what: str) -> None:
    assert response.status_code == 401, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json"), what
    assert response.json()["type"] == INVALID_TOKEN, f"{what}: {response.text[:300]}"
    assert response.headers.get("www-authenticate", "").startswith("Bearer"), what


@pytest.mark.parametrize(
    ("live", "method", "path"),
    [pytest.param(app, m, p, id=f"{app}:{m} {p}") for app, m, p in TARGETS],
    indirect=["live"],
)
def test_forged_tokens_are_refused(live: Live, keys: TestKeys, method: str, path: str) -> None:
    forger = forger_for(live, keys)
    control = live.call(method, path, headers={"Authorization": f"Bearer {forger.signed()}"})
    assert control.status_code != 401, f"the forger's correct token is refused: {control.text}"
    failures = []
    for what, token in forger.attacks().items():
        response = live.call(method, path, headers={"Authorization": f"Bearer {token}"})
        try:
            assert_invalid_token(response, what)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("live", "method", "path"),
    [pytest.param(app, m, p, id=f"{app}:{m} {p}") for app, m, p in TARGETS],
    indirect=["live"],
)
def test_missing_or_malformed_authorization_is_401(live: Live, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": ""}):
        response = live.call(method, path, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].startswith("https://sunlight.example/problems/"), response.text


# --- a key withdrawn from the JWKS --------------------------------------------------------------


class JWKSServer:
    """The gateway's JWKS as a service sees it, over a real socket; the test changes what it publishes."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(owner.jwks).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @contextlib.contextmanager
    def serving(self) -> Iterator[JWKSServer]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def refused_within(live: Live, path: str, headers: dict[str, str], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if live.call("GET", path, headers=headers).status_code == 401:
            return True
        time.sleep(0.2)
    return False


JWKS_CACHE_SECONDS = 1.0


@pytest.mark.parametrize("service", SERVICES)
def test_a_revoked_accounts_earlier_tokens_are_refused_at_a_service(
    service: str, keys: TestKeys, tmp_path: Path, sunlight_templates: Templates
) -> None:
    """The gateway publishes disabled, deleted and re-keyed accounts in its JWKS (keyed hashes); a service
    refuses their tokens issued before, within its JWKS cache life, and takes the ones issued after."""
    backend = Backend(name="sqlite", tmp=tmp_path, templates=sunlight_templates)
    hasher = ServiceSettings(environment="test").hasher  # the deployment's hash key (the same in every process)
    now = int(time.time())
    with (
        JWKSServer({"keys": [keys.public_jwk]}).serving() as jwks,
        running(service, backend, keys, jwks_json="", jwks_url=jwks.url, jwks_cache_seconds=JWKS_CACHE_SECONDS) as live,
    ):
        path = f"/v1/{service}/rules"
        before = keys.auth(scopes=f"{service}:read", regions=["130000"], sub="gone-bureau", iat=now - 60)
        person = keys.auth(scopes=f"{service}:read", regions=["130000"], sub="user:wang", iat=now - 60)
        other = keys.auth(scopes=f"{service}:read", regions=["130000"], sub="another-bureau", iat=now - 60)
        assert live.call("GET", path, headers=before).status_code == 200  # verified and cached
        jwks.jwks = {
            "keys": [keys.public_jwk],
            REVOKED_MEMBER: {
                revocation_key(hasher, "gone-bureau"): now - 30,
                revocation_key(hasher, "user:wang"): now - 30,
            },
        }
        assert refused_within(live, path, before, seconds=5 * JWKS_CACHE_SECONDS), "a revoked client's token"
        assert_invalid_token(live.call("GET", path, headers=person), "a revoked person's token")
        assert live.call("GET", path, headers=other).status_code == 200, "other accounts are untouched"
        after = keys.auth(scopes=f"{service}:read", regions=["130000"], sub="gone-bureau", iat=now)
        assert live.call("GET", path, headers=after).status_code == 200, "a token issued after (a new secret)"


@pytest.mark.parametrize("service", SERVICES)
def test_withdrawn_key_stops_verifying_at_a_service(
    service: str, keys: TestKeys, tmp_path: Path, sunlight_templates: Templates
) -> None:
    """Key handling is the same on both backends: this one runs on SQLite only."""
    backend = Backend(name="sqlite", tmp=tmp_path, templates=sunlight_templates)
    other = TestKeys(kid="test-key-2")
    with (
        JWKSServer({"keys": [keys.public_jwk, other.public_jwk]}).serving() as jwks,
        running(service, backend, keys, jwks_json="", jwks_url=jwks.url, jwks_cache_seconds=JWKS_CACHE_SECONDS) as live,
    ):
        path = f"/v1/{service}/rules"
        old = keys.auth(scopes=f"{service}:read", regions=["130000"])
        assert live.call("GET", path, headers=old).status_code == 200  # known, and now cached
        jwks.jwks = {"keys": [other.public_jwk]}  # the key is withdrawn
        new = other.auth(scopes=f"{service}:read", regions=["130000"])
        assert live.call("GET", path, headers=new).status_code == 200
        fresh_old = keys.auth(scopes=f"{service}:read", regions=["130000"], sub="another")
        assert refused_within(live, path, old, seconds=5 * JWKS_CACHE_SECONDS), "a withdrawn key still verifies"
        assert_invalid_token(live.call("GET", path, headers=fresh_old), "a new token of the withdrawn key")


def test_withdrawn_key_stops_verifying_at_the_gateway(backend: Backend, keys: TestKeys) -> None:
    """A key withdrawn from the gateway's key set (state retired) stops verifying there once its cache expires."""
    from gateway.models import KeyState, SigningKey

    with running(GATEWAY, backend, keys, key_cache_seconds=JWKS_CACHE_SECONDS) as live:
        kid, _public, _pem = gateway_key(live)
        assert live.call("GET", "/v1/admin/clients", headers=live.auth).status_code == 200  # verified and cached
        for _ in range(2):  # current → previous, published until its tokens expire
            assert live.call("POST", "/v1/admin/keys/rotate", headers=live.auth).status_code == 200

        async def withdraw() -> None:
            db = Database(live.settings.effective_database_url())
            try:
                async with db.sessions() as session, session.begin():
                    await session.execute(
                        update(SigningKey).where(SigningKey.kid == kid).values(state=KeyState.RETIRED)
                    )
            finally:
                await db.dispose()

        asyncio.run(withdraw())
        assert kid not in json.dumps(_eventually_without(live, kid, 5 * JWKS_CACHE_SECONDS)), (
            "the JWKS still publishes the withdrawn key"
        )
        assert refused_within(live, "/v1/admin/clients", live.auth, 5 * JWKS_CACHE_SECONDS), (
            "a token of the withdrawn key still verifies at the gateway"
        )


def _eventually_without(live: Live, kid: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        doc: dict[str, Any] = live.call("GET", "/.well-known/jwks.json").json()
        if kid not in json.dumps(doc) or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


# --- accounts: a deactivated client, a replayed refresh token ------------------------------------


def _admin_create(live: Live, what: str, body: dict[str, Any]) -> dict[str, Any]:
    created = live.call("POST", f"/v1/admin/{what}", headers=live.auth, json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _client_token(live: Live, client_id: str, secret: str) -> Any:
    return live.call("POST", "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_deactivated_client_gets_no_token(live: Live) -> None:
    created = _admin_create(
        live,
        "clients",
        {"client_id": "harness-gone", "name": "gone", "scopes": ["funds:read"], "regions": ["130300"]},
    )
    assert _client_token(live, "harness-gone", created["client_secret"]).status_code == 200
    off = live.call("PATCH", "/v1/admin/clients/harness-gone", headers=live.auth, json={"active": False})
    assert off.status_code == 200, off.text
    refused = _client_token(live, "harness-gone", created["client_secret"])
    assert refused.status_code == 401, refused.text
    assert refused.json()["type"] == "https://sunlight.example/problems/oauth/invalid-client"


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_access_token_of_a_deactivated_client_is_refused(live: Live) -> None:
    created = _admin_create(
        live,
        "clients",
        {"client_id": "harness-gone-2", "name": "gone", "scopes": ["admin"], "regions": ["130300"]},
    )
    token = _client_token(live, "harness-gone-2", created["client_secret"]).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert live.call("GET", "/v1/admin/clients", headers=headers).status_code == 200
    off = live.call("PATCH", "/v1/admin/clients/harness-gone-2", headers=live.auth, json={"active": False})
    assert off.status_code == 200, off.text
    assert_invalid_token(live.call("GET", "/v1/admin/clients", headers=headers), "token of a deactivated client")


PASSWORD = "correct horse battery staple 7"


def _sign_in(live: Live, username: str) -> dict[str, Any]:
    got = live.call("POST", "/oauth/token", data={"grant_type": "password", "username": username, "password": PASSWORD})
    assert got.status_code == 200, got.text
    return dict(got.json())


def _refresh(live: Live, token: str) -> Any:
    return live.call("POST", "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token})


def _assert_invalid_grant(response: Any, what: str) -> None:
    # RFC 6749 §5.2: a bad grant is 400 invalid_grant (not 401, which is for client authentication)
    assert response.status_code == 400, f"{what}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json"), what
    body = response.json()
    assert body["type"] == "https://sunlight.example/problems/oauth/invalid-grant", body
    assert body["error"] == "invalid_grant", body


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_replayed_refresh_token_is_refused_and_revokes_the_family(live: Live) -> None:
    _admin_create(
        live,
        "users",
        {"username": "harness-replay", "password": PASSWORD, "scopes": ["funds:read"], "regions": ["130300"]},
    )
    first = _sign_in(live, "harness-replay")["refresh_token"]
    rotated = _refresh(live, first)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    _assert_invalid_grant(_refresh(live, first), "a rotated refresh token replayed")
    _assert_invalid_grant(_refresh(live, second), "the family's newest token after a replay")


@pytest.mark.parametrize("live", [GATEWAY], indirect=True)
def test_refresh_token_of_a_disabled_user_is_refused(live: Live) -> None:
    _admin_create(
        live,
        "users",
        {"username": "harness-left", "password": PASSWORD, "scopes": ["funds:read"], "regions": ["130300"]},
    )
    refresh = _sign_in(live, "harness-left")["refresh_token"]
    off = live.call("PATCH", "/v1/admin/users/harness-left", headers=live.auth, json={"active": False})
    assert off.status_code == 200, off.text
    _assert_invalid_grant(_refresh(live, refresh), "refresh token of a disabled user")
