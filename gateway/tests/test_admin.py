"""Administration of clients and users: scope, regions, no privilege escalation, secrets shown once."""

import httpx

from .conftest import token_for


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_admin_routes_need_a_token_and_the_admin_scope(gateway: httpx.AsyncClient, admin_token: str):
    none = await gateway.get("/v1/admin/clients")
    assert none.status_code == 401 and none.json()["type"].endswith("/unauthenticated")
    assert none.headers["www-authenticate"].startswith("Bearer")
    created = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={
            "client_id": "funds-bureau",
            "name": "bureau",
            "scopes": ["funds:read", "funds:write"],
            "regions": ["130300"],
        },
    )
    assert created.status_code == 201
    bureau = await token_for(gateway, "funds-bureau", created.json()["client_secret"])
    refused = await gateway.get("/v1/admin/clients", headers=bearer(bureau))
    assert refused.status_code == 403 and refused.json()["type"].endswith("/insufficient-scope")


async def test_secret_is_shown_once_and_never_listed(gateway: httpx.AsyncClient, admin_token: str):
    created = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={
            "client_id": "tax-bureau",
            "name": "税务局",
            "scopes": ["funds:read"],
            "regions": ["130302"],
            "unit_uscc": "91110000600037341L",
        },
    )
    assert created.status_code == 201
    assert len(created.json()["client_secret"]) >= 40
    listed = (await gateway.get("/v1/admin/clients", headers=bearer(admin_token))).json()["items"]
    entry = next(c for c in listed if c["client_id"] == "tax-bureau")
    assert "client_secret" not in entry and "secret_hash" not in entry
    rotated = await gateway.post("/v1/admin/clients/tax-bureau/secret", headers=bearer(admin_token))
    old = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("tax-bureau", created.json()["client_secret"])
    )
    assert old.status_code == 401, "the old secret stops working after rotation"
    assert await token_for(gateway, "tax-bureau", rotated.json()["client_secret"])


async def test_an_administrator_cannot_grant_beyond_their_own_scopes_or_regions(
    gateway: httpx.AsyncClient, admin_token: str
):
    hebei = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={
            "client_id": "hebei-admin",
            "name": "Hebei admin",
            "scopes": ["admin", "funds:read"],
            "regions": ["130000"],
        },
    )
    token = await token_for(gateway, "hebei-admin", hebei.json()["client_secret"])
    beijing = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(token),
        json={"client_id": "bj-bureau", "name": "bj", "scopes": ["funds:read"], "regions": ["110000"]},
    )
    assert beijing.status_code == 403 and beijing.json()["type"].endswith("/grant-beyond-own")
    writer = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(token),
        json={"client_id": "qhd", "name": "qhd", "scopes": ["funds:write"], "regions": ["130300"]},
    )
    assert writer.status_code == 403
    ok = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(token),
        json={"client_id": "qhd", "name": "qhd", "scopes": ["funds:read"], "regions": ["130300"]},
    )
    assert ok.status_code == 201
    listed = [c["client_id"] for c in (await gateway.get("/v1/admin/clients", headers=bearer(token))).json()["items"]]
    assert "qhd" in listed and "root-admin" not in listed, "admins see clients within their regions only"
    rotate = await gateway.post("/v1/admin/keys/rotate", headers=bearer(token))
    assert rotate.status_code == 403


async def test_deactivated_client_gets_no_token_and_bad_input_is_a_clear_problem(
    gateway: httpx.AsyncClient, admin_token: str
):
    bad = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={"client_id": "bureau-x1", "name": "x", "scopes": ["funds:fly"], "regions": ["999999"]},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert any(e["pointer"] == "/body/regions/0" for e in bad.json()["errors"])
    created = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={"client_id": "bureau-x1", "name": "x", "scopes": ["funds:read"], "regions": ["130300"]},
    )
    unknown_scope = await gateway.post(
        "/v1/admin/clients",
        headers=bearer(admin_token),
        json={"client_id": "bureau-x2", "name": "x", "scopes": ["funds:fly"], "regions": ["130300"]},
    )
    assert unknown_scope.status_code == 422 and unknown_scope.json()["type"].endswith("/unknown-scope")
    off = await gateway.patch("/v1/admin/clients/bureau-x1", headers=bearer(admin_token), json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    refused = await gateway.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("bureau-x1", created.json()["client_secret"])
    )
    assert refused.status_code == 401


async def test_a_retried_create_replays_the_first_answer_and_creates_nothing(
    gateway: httpx.AsyncClient, admin_token: str, gateway_settings
):
    """A client that lost the 201 (timeout) retries with the same Idempotency-Key: the same body (the same
    secret, which still signs in), one account, and a different body with the key is refused."""
    headers = {**bearer(admin_token), "Idempotency-Key": "create-tax-bureau-1"}
    body = {"client_id": "tax-bureau", "name": "Tax", "scopes": ["funds:read"], "regions": ["130302"]}
    first = await gateway.post("/v1/admin/clients", headers=headers, json=body)
    again = await gateway.post("/v1/admin/clients", headers=headers, json=body)
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    await token_for(gateway, "tax-bureau", again.json()["client_secret"])  # the replayed secret works
    listed = (await gateway.get("/v1/admin/clients", headers=bearer(admin_token))).json()["items"]
    assert [c["client_id"] for c in listed].count("tax-bureau") == 1
    other = await gateway.post("/v1/admin/clients", headers=headers, json={**body, "client_id": "tax-bureau-2"})
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    # the stored answer keeps the secret sealed, never in clear
    from sqlalchemy import select
    from sunlight.db import Database, idempotency_table

    db = Database(gateway_settings.effective_database_url())
    try:
        async with db.readers() as session:
            stored = (await session.execute(select(idempotency_table.c.response))).scalars().all()
    finally:
        await db.dispose()
    assert stored and first.json()["client_secret"] not in "".join(stored)

    user = {
        "username": "inspector.li",
        "password": "a long enough passphrase 7",
        "scopes": ["funds:read"],
        "regions": ["130302"],
    }
    user_headers = {**bearer(admin_token), "Idempotency-Key": "create-li"}
    made = await gateway.post("/v1/admin/users", headers=user_headers, json=user)
    remade = await gateway.post("/v1/admin/users", headers=user_headers, json=user)
    assert made.status_code == remade.status_code == 201 and remade.json() == made.json()
    assert remade.headers["idempotent-replayed"] == "true"
    users = (await gateway.get("/v1/admin/users", headers=bearer(admin_token))).json()["items"]
    assert [u["username"] for u in users].count("inspector.li") == 1


async def test_clients_and_users_page_without_skipping_or_repeating(gateway: httpx.AsyncClient, admin_token: str):
    for n in range(5):
        made = await gateway.post(
            "/v1/admin/clients",
            headers=bearer(admin_token),
            json={"client_id": f"bureau-{n}", "name": "b", "scopes": ["funds:read"], "regions": ["130302"]},
        )
        assert made.status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await gateway.get("/v1/admin/clients", headers=bearer(admin_token), params=params)).json()
        assert len(page["items"]) <= 2
        seen += [c["client_id"] for c in page["items"]]
        if len(seen) == 2:  # a client created while paging, before the cursor, is not a reason to repeat
            await gateway.post(
                "/v1/admin/clients",
                headers=bearer(admin_token),
                json={"client_id": "aaa-early", "name": "b", "scopes": ["funds:read"], "regions": ["130302"]},
            )
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and {f"bureau-{n}" for n in range(5)} <= set(seen)
    assert seen == sorted(seen)
    users = await gateway.get("/v1/admin/users", headers=bearer(admin_token), params={"limit": "501"})
    assert users.status_code == 422
