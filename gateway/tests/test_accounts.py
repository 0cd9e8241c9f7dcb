"""Accounts: an administrator manages only accounts within its own scopes and regions (every
operation), passwords that are easy to guess are refused, client ids and usernames share one
namespace, and sign-ins end when they should (absolute lifetime, new password, disabled account,
removed client)."""

from datetime import timedelta

import httpx
import pytest
from gateway.models import RefreshToken
from gateway.settings import GatewaySettings
from jose import jwt
from sqlalchemy import update
from sunlight.db import Database, utcnow

from .conftest import token_for

PASSWORD = "plum blossom 1987 river"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _client(gateway: httpx.AsyncClient, token: str, client_id: str, scopes: list[str], regions: list[str],
                  **extra) -> dict:  # fmt: skip
    created = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(token),
        json={"client_id": client_id, "name": client_id, "scopes": scopes, "regions": regions, **extra},
    )
    assert created.status_code == 201, created.text
    return created.json()


async def _user(gateway: httpx.AsyncClient, token: str, username: str, scopes: list[str], regions: list[str]) -> None:
    created = await gateway.post(
        "/v1/admin/users",
        headers=bearer(token),
        json={"username": username, "password": PASSWORD, "scopes": scopes, "regions": regions},
    )
    assert created.status_code == 201, created.text


async def _sign_in(gateway: httpx.AsyncClient, username: str, password: str = PASSWORD, **extra) -> httpx.Response:
    return await gateway.post(
        "/oauth/token", data={"grant_type": "password", "username": username, "password": password, **extra}
    )


async def _refresh(gateway: httpx.AsyncClient, refresh_token: str, **extra) -> httpx.Response:
    return await gateway.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                                                    **extra})  # fmt: skip


# --- the administrator's boundary ----------------------------------------------------------------


async def test_a_regional_admin_cannot_take_over_an_account_holding_scopes_it_does_not_hold(
    gateway: httpx.AsyncClient, admin_token: str
):
    """A Hebei administrator holding admin + funds:read must not reset the secret or password of,
    disable or delete, a registrar (integrity:read, reporters' identities) or a funds writer in Hebei."""
    hebei = await _client(gateway, admin_token, "hebei-admin", ["admin", "funds:read"], ["130000"])
    regional = await token_for(gateway, "hebei-admin", hebei["client_secret"])
    await _user(gateway, admin_token, "registrar.wang", ["integrity:read"], ["130300"])
    await _client(gateway, admin_token, "qhd-writer", ["funds:read", "funds:write"], ["130300"])

    attempts = {
        "new client secret": await gateway.post("/v1/admin/clients/qhd-writer/secret", headers=bearer(regional)),
        "disable client": await gateway.patch(
            "/v1/admin/clients/qhd-writer", headers=bearer(regional), json={"active": False}
        ),
        "delete client": await gateway.delete("/v1/admin/clients/qhd-writer", headers=bearer(regional)),
        "set password": await gateway.patch(
            "/v1/admin/users/registrar.wang", headers=bearer(regional), json={"password": "taken over 4 good!"}
        ),
        "disable user": await gateway.patch(
            "/v1/admin/users/registrar.wang", headers=bearer(regional), json={"active": False}
        ),
        "narrow user": await gateway.patch(
            "/v1/admin/users/registrar.wang", headers=bearer(regional), json={"regions": ["130300"]}
        ),
        "delete user": await gateway.delete("/v1/admin/users/registrar.wang", headers=bearer(regional)),
    }
    for what, response in attempts.items():
        assert response.status_code == 403, (what, response.text)
        assert response.json()["type"].endswith("/account-beyond-own"), what
    assert (await _sign_in(gateway, "registrar.wang")).status_code == 200, "the registrar's password is unchanged"

    # within its own scopes and regions it manages as before
    await _client(gateway, regional, "qhd-reader", ["funds:read"], ["130300"])
    rotated = await gateway.post("/v1/admin/clients/qhd-reader/secret", headers=bearer(regional))
    assert rotated.status_code == 200
    assert await token_for(gateway, "qhd-reader", rotated.json()["client_secret"])
    assert (await gateway.delete("/v1/admin/clients/qhd-reader", headers=bearer(regional))).status_code == 204
    # outside its regions the account does not exist for it
    assert (await gateway.post("/v1/admin/clients/root-admin/secret", headers=bearer(regional))).status_code == 404
    assert (await gateway.delete("/v1/admin/clients/root-admin", headers=bearer(regional))).status_code == 404


# --- passwords and names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abcabcabcabc", "password1234", "qwertyuiop12", "1234567890123", "inspector.li is me"],
)
async def test_easy_passwords_are_refused_on_create_and_on_change(
    gateway: httpx.AsyncClient, admin_token: str, password: str
):
    created = await gateway.post(
        "/v1/admin/users",
        headers=bearer(admin_token),
        json={"username": "inspector.li", "password": password, "scopes": ["funds:read"], "regions": ["130300"]},
    )
    assert created.status_code == 422, created.text
    assert created.json()["type"].endswith("/weak-password") and created.json()["field"] == "/password"
    assert password not in created.text, "the refusal never echoes the password"
    await _user(gateway, admin_token, "inspector.li", ["funds:read"], ["130300"])
    changed = await gateway.patch(
        "/v1/admin/users/inspector.li", headers=bearer(admin_token), json={"password": password}
    )
    assert changed.status_code == 422 and changed.json()["type"].endswith("/weak-password")
    assert (await _sign_in(gateway, "inspector.li")).status_code == 200


async def test_client_ids_and_usernames_share_one_namespace(gateway: httpx.AsyncClient, admin_token: str):
    await _client(gateway, admin_token, "tax-bureau", ["funds:read"], ["130300"])
    user = await gateway.post(
        "/v1/admin/users",
        headers=bearer(admin_token),
        json={"username": "tax-bureau", "password": PASSWORD, "scopes": ["funds:read"], "regions": ["130300"]},
    )
    assert user.status_code == 409 and user.json()["type"].endswith("/duplicate-client")
    await _user(gateway, admin_token, "auditor.sun", ["funds:read"], ["130300"])
    client = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={"client_id": "auditor.sun", "name": "x", "scopes": ["funds:read"], "regions": ["130300"]},
    )
    assert client.status_code == 409
    for name in ("sunlight-web", "root-admin"):  # the built-in clients too
        taken = await gateway.post(
            "/v1/admin/users",
            headers=bearer(admin_token),
            json={"username": name, "password": PASSWORD, "scopes": ["funds:read"], "regions": ["130300"]},
        )
        assert taken.status_code == 409, name


# --- the password grant's client ------------------------------------------------------------------


async def test_only_a_registered_public_client_may_use_the_password_grant(gateway: httpx.AsyncClient, admin_token: str):
    await _user(gateway, admin_token, "officer.zhao", ["funds:read", "funds:write"], ["130300"])
    made_up = await _sign_in(gateway, "officer.zhao", client_id="anything-i-like")
    assert made_up.status_code == 401 and made_up.json()["type"].endswith("/oauth/public-client-only")
    bureau = await _client(gateway, admin_token, "bureau-system", ["funds:read"], ["130300"])
    confidential = await _sign_in(gateway, "officer.zhao", client_id="bureau-system")
    assert confidential.status_code == 401, "a confidential client's id is not a public client"
    with_secret = await _sign_in(
        gateway, "officer.zhao", client_id="bureau-system", client_secret=bureau["client_secret"]
    )
    assert with_secret.status_code == 401

    default = await _sign_in(gateway, "officer.zhao")
    assert default.status_code == 200
    assert jwt.get_unverified_claims(default.json()["access_token"])["client_id"] == "sunlight-web"

    app = await _client(gateway, admin_token, "reader-app", ["funds:read"], ["000000"], public=True)
    assert app["client_secret"] is None and app["public"] is True
    through_app = await _sign_in(gateway, "officer.zhao", client_id="reader-app")
    assert through_app.status_code == 200
    claims = jwt.get_unverified_claims(through_app.json()["access_token"])
    assert claims["client_id"] == "reader-app" and claims["sub"] == "user:officer.zhao"
    assert claims["scope"] == "funds:read", "a public client's scopes bound what its tokens carry"
    no_cc = await gateway.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("reader-app", "x"))
    assert no_cc.status_code == 401, "a public client has no secret to get a token of its own with"
    other_client = await _refresh(gateway, through_app.json()["refresh_token"], client_id="sunlight-web")
    assert other_client.status_code == 400, "a refresh token works only for the client it was issued to"


# --- when sign-ins end -----------------------------------------------------------------------------


async def test_a_sign_in_ends_at_its_absolute_lifetime_however_often_it_is_refreshed(
    gateway: httpx.AsyncClient, admin_token: str, gateway_settings: GatewaySettings
):
    assert gateway_settings.refresh_session_max_seconds == 12 * 3600
    await _user(gateway, admin_token, "inspector.zhou", ["integrity:read"], ["130300"])
    signed_in = await _sign_in(gateway, "inspector.zhou")
    refresh = signed_in.json()["refresh_token"]
    for _ in range(3):  # each refresh gives a new refresh token, but not a longer session
        refreshed = await _refresh(gateway, refresh)
        assert refreshed.status_code == 200, refreshed.text
        refresh = refreshed.json()["refresh_token"]
    db = Database(gateway_settings.effective_database_url())
    try:  # the session began long enough ago (its end moved into the past)
        async with db.sessions() as session, session.begin():
            rows = (await session.execute(update(RefreshToken).values(
                session_expires_at=utcnow() - timedelta(seconds=1)).returning(RefreshToken.id))).all()  # fmt: skip
            assert rows
    finally:
        await db.dispose()
    ended = await _refresh(gateway, refresh)
    assert ended.status_code == 400 and ended.json()["error"] == "invalid_grant"
    assert "sign in again" in ended.json()["detail"]
    assert (await _sign_in(gateway, "inspector.zhou")).status_code == 200, "signing in again starts a new session"


async def test_refreshing_never_extends_the_session_end(
    gateway: httpx.AsyncClient, admin_token: str, gateway_settings: GatewaySettings
):
    from sqlalchemy import select

    await _user(gateway, admin_token, "inspector.wu", ["integrity:read"], ["130300"])
    refresh = (await _sign_in(gateway, "inspector.wu")).json()["refresh_token"]
    for _ in range(2):
        refresh = (await _refresh(gateway, refresh)).json()["refresh_token"]
    db = Database(gateway_settings.effective_database_url())
    try:
        async with db.sessions() as session:
            rows = (await session.execute(select(RefreshToken))).scalars().all()
    finally:
        await db.dispose()
    assert len(rows) == 3 and len({r.session_expires_at for r in rows}) == 1
    first = min(rows, key=lambda r: r.created_at)
    assert first.session_expires_at - first.created_at <= timedelta(seconds=12 * 3600 + 5)
    assert all(r.expires_at <= r.session_expires_at for r in rows)


@pytest.mark.parametrize("ending", ["new password", "disabled and enabled again", "account deleted"])
async def test_a_new_password_or_a_disabled_account_ends_its_sign_ins(
    gateway: httpx.AsyncClient, admin_token: str, ending: str
):
    await _user(gateway, admin_token, "registrar.he", ["integrity:read"], ["130300"])
    refresh = (await _sign_in(gateway, "registrar.he")).json()["refresh_token"]
    if ending == "new password":
        r = await gateway.patch(
            "/v1/admin/users/registrar.he", headers=bearer(admin_token), json={"password": "a new one, 2026 spring"}
        )
        assert r.status_code == 200
    elif ending == "disabled and enabled again":
        for active in (False, True):
            r = await gateway.patch(
                "/v1/admin/users/registrar.he", headers=bearer(admin_token), json={"active": active}
            )
            assert r.status_code == 200
    else:
        assert (await gateway.delete("/v1/admin/users/registrar.he", headers=bearer(admin_token))).status_code == 204
    ended = await _refresh(gateway, refresh)
    assert ended.status_code == 400 and ended.json()["error"] == "invalid_grant", ending


async def test_a_removed_or_disabled_public_client_ends_the_sign_ins_made_through_it(
    gateway: httpx.AsyncClient, admin_token: str
):
    """Token attack: a refresh token of a deleted client."""
    await _user(gateway, admin_token, "officer.feng", ["funds:read"], ["130300"])
    for ending in ("delete", "disable"):
        await _client(gateway, admin_token, f"app-{ending}", ["funds:read"], ["000000"], public=True)
        refresh = (await _sign_in(gateway, "officer.feng", client_id=f"app-{ending}")).json()["refresh_token"]
        if ending == "delete":
            r = await gateway.delete(f"/v1/admin/clients/app-{ending}", headers=bearer(admin_token))
            assert r.status_code == 204
        else:
            r = await gateway.patch(
                f"/v1/admin/clients/app-{ending}", headers=bearer(admin_token), json={"active": False}
            )
            assert r.status_code == 200
        ended = await _refresh(gateway, refresh, client_id=f"app-{ending}")
        assert ended.status_code == 400 and ended.json()["error"] == "invalid_grant", ending
        assert (await _sign_in(gateway, "officer.feng", client_id=f"app-{ending}")).status_code == 401


async def test_a_deleted_confidential_client_gets_no_token(gateway: httpx.AsyncClient, admin_token: str):
    """Token attack: a deleted client's credentials."""
    bureau = await _client(gateway, admin_token, "gone-bureau", ["funds:read"], ["130300"])
    assert await token_for(gateway, "gone-bureau", bureau["client_secret"])
    assert (await gateway.delete("/v1/admin/clients/gone-bureau", headers=bearer(admin_token))).status_code == 204
    refused = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("gone-bureau", bureau["client_secret"])
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    listed = [
        c["client_id"] for c in (await gateway.get("/v1/admin/clients", headers=bearer(admin_token))).json()["items"]
    ]
    assert "gone-bureau" not in listed
