"""The token endpoint: grants, refusals (problem+json with OAuth's error), refresh rotation, keys."""

import httpx
from jose import jwt

from .conftest import ADMIN_ID, ADMIN_SECRET, token_for

PROBLEM = "application/problem+json"


async def test_client_credentials_token_is_an_es256_access_token_with_a_published_kid(gateway: httpx.AsyncClient):
    response = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, ADMIN_SECRET)
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256" and header["typ"] == "at+jwt"
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    assert header["kid"] in [k["kid"] for k in jwks["keys"]]
    assert all("d" not in k for k in jwks["keys"]), "private key material must never be published"
    claims = jwt.get_unverified_claims(body["access_token"])
    assert claims["sub"] == ADMIN_ID and claims["regions"] == ["000000"] and "funds:write" in claims["scope"]


async def test_client_secret_in_the_form_works_too_and_scope_can_be_narrowed(gateway: httpx.AsyncClient):
    response = await gateway.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": ADMIN_ID,
            "client_secret": ADMIN_SECRET,
            "scope": "funds:read",
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "funds:read"
    assert jwt.get_unverified_claims(response.json()["access_token"])["scope"] == "funds:read"


async def test_wrong_secret_is_invalid_client_as_problem_json(gateway: httpx.AsyncClient):
    response = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, "not-the-secret")
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "https://sunlight.example/problems/oauth/invalid-client"
    assert body["error"] == "invalid_client"
    unknown = await gateway.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("nobody", "whatever"))
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"


async def test_unsupported_grant_and_scope_beyond_the_client(gateway: httpx.AsyncClient, admin_token: str):
    response = await gateway.post("/oauth/token", data={"grant_type": "implicit"}, auth=(ADMIN_ID, ADMIN_SECRET))
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    created = await gateway.post(
        "/v1/admin/clients",
        headers={"Authorization": f"Bearer {admin_token}"},
        json={"client_id": "reader", "name": "reader", "scopes": ["funds:read"], "regions": ["130300"]},
    )
    secret = created.json()["client_secret"]
    response = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials", "scope": "funds:write"}, auth=("reader", secret)
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


async def test_password_grant_refresh_rotates_and_reuse_revokes_the_family(
    gateway: httpx.AsyncClient, admin_token: str
):
    created = await gateway.post(
        "/v1/admin/users",
        headers={"Authorization": f"Bearer {admin_token}"},
        json={
            "username": "inspector.li",
            "password": "correct horse battery",
            "scopes": ["integrity:read"],
            "regions": ["130300"],
        },
    )
    assert created.status_code == 201, created.text
    assert "password" not in created.json() and "password_hash" not in created.json()
    bad = await gateway.post(
        "/oauth/token", data={"grant_type": "password", "username": "inspector.li", "password": "wrong password!"}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    first = await gateway.post(
        "/oauth/token", data={"grant_type": "password", "username": "inspector.li", "password": "correct horse battery"}
    )
    assert first.status_code == 200, first.text
    claims = jwt.get_unverified_claims(first.json()["access_token"])
    assert claims["sub"] == "user:inspector.li" and claims["kind"] == "user" and claims["regions"] == ["130300"]
    old_refresh = first.json()["refresh_token"]
    second = await gateway.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert second.status_code == 200
    new_refresh = second.json()["refresh_token"]
    assert new_refresh != old_refresh
    replay = await gateway.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # the replay revoked the family: the token issued after the stolen one stops working too
    after = await gateway.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": new_refresh})
    assert after.status_code == 400


async def test_key_rotation_publishes_next_before_use_and_old_tokens_keep_working(gateway: httpx.AsyncClient):
    old_token = await token_for(gateway, ADMIN_ID, ADMIN_SECRET)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    before = [k["kid"] for k in (await gateway.get("/.well-known/jwks.json")).json()["keys"]]
    assert len(before) == 2 and before[0] == old_kid  # current, next
    rotated = await gateway.post("/v1/admin/keys/rotate", headers={"Authorization": f"Bearer {old_token}"})
    assert rotated.status_code == 200, rotated.text
    new_kid = rotated.json()["current_kid"]
    assert new_kid == before[1], "the key published as next is the one that starts signing"
    new_token = await token_for(gateway, ADMIN_ID, ADMIN_SECRET)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    after = [k["kid"] for k in (await gateway.get("/.well-known/jwks.json")).json()["keys"]]
    assert old_kid in after and new_kid in after and len(after) == 3
    listed = await gateway.get("/v1/admin/clients", headers={"Authorization": f"Bearer {old_token}"})
    assert listed.status_code == 200, "a token signed by the previous key is still valid"


async def test_cors_lets_the_configured_frontend_origin_in_and_no_other(gateway_settings):
    from asgi_lifespan import LifespanManager
    from gateway.app import create_app

    gateway_settings.cors_origins = "https://inspect.sunlight.example"
    app = create_app(gateway_settings)
    async with (
        LifespanManager(app.api, startup_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        preflight = await client.options(
            "/v1/integrity/warnings",
            headers={
                "Origin": "https://inspect.sunlight.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://inspect.sunlight.example"
        other = await client.options(
            "/v1/integrity/warnings", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
        assert "access-control-allow-origin" not in other.headers


async def test_a_token_request_that_does_not_parse_is_400_invalid_request_not_422(gateway: httpx.AsyncClient):
    """RFC 6749 §5.2: no grant_type, or a parameter over its bound, is 400 invalid_request."""
    missing = await gateway.post("/oauth/token", data={"scope": "funds:read"}, auth=(ADMIN_ID, ADMIN_SECRET))
    assert missing.status_code == 400, missing.text
    assert missing.json()["error"] == "invalid_request"
    assert missing.json()["type"].endswith("/oauth/invalid-request")
    too_long = await gateway.post("/oauth/token", data={"grant_type": "password", "username": "u" * 500})
    assert too_long.status_code == 400 and too_long.json()["error"] == "invalid_request", too_long.text
