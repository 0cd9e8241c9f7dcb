"""The vertical slice end to end: real processes, real tokens, real bus, through the gateway."""

import asyncio
import time

import httpx
import pytest

from .conftest import Stack

pytestmark = pytest.mark.e2e


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def build_programme(stack: Stack, bureau: str) -> tuple[str, str, str]:
    headers = bearer(bureau)
    programme = await stack.client.post(
        "/v1/funds/programmes",
        headers=headers,
        json={
            "code": "2026-QHD-AGRI-01",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 50_000_000,
            "region_code": "130300",
        },
    )
    assert programme.status_code == 201, programme.text
    pid = programme.json()["id"]
    root = await stack.client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"},
    )
    assert root.status_code == 201, root.text
    dept = await stack.client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"parent_id": root.json()["id"], "tier": "department", "name": "市农业农村局", "region_code": "130300"},
    )
    county = await stack.client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"parent_id": dept.json()["id"], "tier": "county", "name": "海港区农业农村局", "region_code": "130302"},
    )
    assert county.status_code == 201, county.text
    return pid, root.json()["id"], dept.json()["id"]


async def test_overspend_is_refused_and_its_warning_is_listed_by_integrity(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-finance", ["funds:read", "funds:write"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-inspector", ["integrity:read"], ["130300"])
    beijing = await stack.new_client(admin, "bj-inspector", ["integrity:read"], ["110000"])
    _, root, dept = await build_programme(stack, bureau)

    ok = await stack.client.post(
        "/v1/funds/movements",
        headers=bearer(bureau),
        json={"from_node_id": root, "to_node_id": dept, "amount_fen": 30_000_000, "occurred_on": "2026-03-01"},
    )
    assert ok.status_code == 201, ok.text
    refused = await stack.client.post(
        "/v1/funds/movements",
        headers=bearer(bureau),
        json={"from_node_id": root, "to_node_id": dept, "amount_fen": 30_000_000, "occurred_on": "2026-03-02"},
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "https://sunlight.example/problems/overspend"
    assert problem["available_fen"] == 20_000_000

    started = time.monotonic()
    warnings: list[dict] = []
    while time.monotonic() - started < 5:
        listed = await stack.client.get(
            "/v1/integrity/warnings", params={"rule_id": "FUNDS-OVERSPEND"}, headers=bearer(inspector)
        )
        assert listed.status_code == 200, listed.text
        warnings = listed.json()["items"]
        if warnings:
            break
        await asyncio.sleep(0.05)
    assert len(warnings) == 1, "the warning reaches the register within a few seconds"
    warning = warnings[0]
    assert warning["level"] == "red" and warning["service"] == "funds" and warning["region_code"] == "130300"
    assert warning["evidence"]["requested_fen"] == 30_000_000 and warning["evidence"]["available_fen"] == 20_000_000
    assert warning["subject_id"] == root

    other = await stack.client.get("/v1/integrity/warnings", headers=bearer(beijing))
    assert other.status_code == 200 and other.json()["items"] == [], "another region's warning stays invisible"


async def test_the_gateway_and_the_services_refuse_what_they_must(stack: Stack):
    admin = await stack.token()
    reader = await stack.new_client(admin, "qhd-reader-2", ["funds:read"], ["130300"])
    integrity_only = await stack.new_client(admin, "qhd-integrity", ["integrity:read"], ["130300"])

    missing = await stack.client.get("/v1/funds/rules")
    assert missing.status_code == 401 and missing.json()["type"].endswith("/unauthenticated")
    wrong_service = await stack.client.get("/v1/funds/rules", headers=bearer(integrity_only))
    assert wrong_service.status_code == 403 and wrong_service.json()["type"].endswith("/insufficient-scope")
    read_only = await stack.client.post("/v1/funds/programmes", headers=bearer(reader), json={})
    assert read_only.status_code == 403 and read_only.json()["type"].endswith("/insufficient-scope")
    forged = await stack.client.get("/v1/funds/rules", headers=bearer(reader.rsplit(".", 1)[0] + ".AAAA"))
    assert forged.status_code == 401 and forged.json()["type"].endswith("/invalid-token")


async def test_a_path_is_the_same_directly_and_through_the_gateway(stack: Stack):
    token = await stack.token(scope="funds:read")
    via_gateway = await stack.client.get("/v1/funds/rules", headers={**bearer(token), "X-Request-Id": "trace-me-123"})
    async with httpx.AsyncClient() as plain:
        direct = await plain.get(f"{stack.services['funds'].url}/v1/funds/rules", headers=bearer(token))
    assert via_gateway.status_code == direct.status_code == 200
    assert via_gateway.json() == direct.json()
    assert "FUNDS-OVERSPEND" in [r["id"] for r in direct.json()]
    assert via_gateway.headers["x-request-id"] == "trace-me-123", "the request id travels through"


async def test_one_merged_openapi_and_swagger_ui(stack: Stack):
    doc = (await stack.client.get("/openapi.json")).json()
    assert "/oauth/token" in doc["paths"] and "/v1/funds/movements" in doc["paths"]
    assert "/v1/integrity/warnings" in doc["paths"] and "/v1/tenders/rules" in doc["paths"]
    assert "x-unavailable-services" not in doc["info"]
    ui = await stack.client.get("/docs")
    assert ui.status_code == 200 and "swagger-ui" in ui.text


async def test_a_service_that_is_down_gives_503_problem_json(stack: Stack):
    token = await stack.token()
    stack.services["tenders"].stop()
    response = await stack.client.get("/v1/tenders/rules", headers=bearer(token))
    assert response.status_code == 503
    assert response.json()["type"].endswith("/upstream-unavailable")
