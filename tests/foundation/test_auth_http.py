"""Services verify tokens themselves: every refusal is a 401/403 problem+json a client can act on."""

import time

import pytest
from sunlight.testing import ServiceHarness, TestKeys

from .conftest import funds_app, funds_settings

BAD = ("alg-none", "hs256-with-public-key", "expired", "wrong-audience", "wrong-issuer", "unknown-kid")


def bad_token(keys: TestKeys, case: str) -> str:
    now = int(time.time())
    scopes = "funds:read funds:write"
    return {
        "alg-none": lambda: keys.unsigned(scopes=scopes),
        "hs256-with-public-key": lambda: keys.hs256_with_public_key(scopes=scopes),
        "expired": lambda: keys.mint(scopes=scopes, iat=now - 4000, nbf=now - 4000, exp=now - 3600),
        "wrong-audience": lambda: keys.mint(scopes=scopes, aud="https://elsewhere.example/api"),
        "wrong-issuer": lambda: keys.mint(scopes=scopes, iss="https://evil.example/"),
        "unknown-kid": lambda: keys.mint(scopes=scopes, headers={"kid": "rotated-away-long-ago"}),
    }[case]()


@pytest.fixture
async def funds(harness: ServiceHarness):
    async with harness.client(funds_app(await funds_settings(harness))) as client:
        yield client


async def test_bad_tokens_get_401_invalid_token(funds, keys: TestKeys):
    for case in BAD:
        response = await funds.get("/v1/funds/rules", headers={"Authorization": f"Bearer {bad_token(keys, case)}"})
        assert response.status_code == 401, case
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "https://sunlight.example/problems/invalid-token", case
        assert 'error="invalid_token"' in response.headers["www-authenticate"], case


async def test_no_token_401_wrong_scope_403(funds, keys: TestKeys):
    missing = await funds.get("/v1/funds/rules")
    assert missing.status_code == 401 and missing.json()["type"].endswith("/unauthenticated")
    basic = await funds.get("/v1/funds/rules", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status_code == 401
    wrong = await funds.get("/v1/funds/rules", headers=keys.auth(scopes="integrity:read"))
    assert wrong.status_code == 403 and wrong.json()["required"] == ["funds:read"]


async def test_another_regions_programme_is_invisible_and_read_only(funds, keys: TestKeys):
    hebei = keys.auth(scopes="funds:read funds:write", regions=["130300"])
    created = await funds.post(
        "/v1/funds/programmes",
        headers=hebei,
        json={
            "code": "QHD-1",
            "name": "x",
            "category": "c",
            "fiscal_year": 2026,
            "budget_fen": 100,
            "region_code": "130300",
        },
    )
    programme = created.json()["id"]
    beijing = keys.auth(scopes="funds:read funds:write", regions=["110000"])
    seen = await funds.get(f"/v1/funds/programmes/{programme}", headers=beijing)
    assert seen.status_code == 404, "existence is not disclosed to another region"
    assert (await funds.get(f"/v1/funds/programmes/{programme}", headers=hebei)).status_code == 200
    write = await funds.post(
        f"/v1/funds/programmes/{programme}/nodes",
        headers=beijing,
        json={"tier": "finance_bureau", "name": "x", "region_code": "110101"},
    )
    assert write.status_code == 404
    foreign = await funds.post(
        "/v1/funds/programmes",
        headers=beijing,
        json={
            "code": "BJ-1",
            "name": "x",
            "category": "c",
            "fiscal_year": 2026,
            "budget_fen": 1,
            "region_code": "130300",
        },
    )
    assert foreign.status_code == 403 and foreign.json()["type"].endswith("/forbidden-region")
