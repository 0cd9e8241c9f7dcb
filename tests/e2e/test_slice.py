"""The vertical slice end to end: real processes, real tokens, real bus, through the gateway."""

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from .conftest import ADMIN_ID, ADMIN_SECRET, Stack

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
    assert "FUNDS-OVERSPEND" in [r["id"] for r in direct.json()["items"]]
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


# --- the frontend's view: TypeScript types generated from the merged document, checked against real answers ---

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"


def typescript_literal(name: str, type_expression: str, answer: object) -> str:
    """A recorded answer as a typed constant: tsc --strict refuses it when a field is missing, has another
    type, or is not in the document (excess property check on object literals)."""
    return f"export const {name}: {type_expression} = {json.dumps(answer, ensure_ascii=False, indent=1)};\n"


def compile_against_the_document(workdir: Path, answers: list[tuple[str, str, object]]) -> None:
    missing = [tool for tool in ("openapi-typescript", "tsc") if not (NODE_BIN / tool).exists()]
    assert not missing, f"{missing} not installed: run `make node-tools` (npm ci from package-lock.json)"
    generated = subprocess.run(
        [str(NODE_BIN / "openapi-typescript"), str(ROOT / "openapi" / "gateway.json"), "-o", str(workdir / "api.d.ts")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    shutil.copy(ROOT / "tests" / "typescript" / "client.ts", workdir / "client.ts")
    (workdir / "answers.ts").write_text(
        'import type { Answer, Problem } from "./client";\n\n'
        + "".join(typescript_literal(name, kind, answer) for name, kind, answer in answers),
        encoding="utf-8",
    )
    compiled = subprocess.run(
        [str(NODE_BIN / "tsc"), "--strict", "--noEmit", "--target", "es2022", "--module", "esnext",
         "--moduleResolution", "bundler", "--lib", "es2022,dom",
         str(workdir / "client.ts"), str(workdir / "answers.ts")],
        capture_output=True, text=True, check=False, cwd=workdir,
    )  # fmt: skip
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


async def test_types_generated_from_the_merged_document_compile_against_real_answers(stack: Stack, tmp_path: Path):
    """openapi-typescript (pinned) turns openapi/gateway.json into types; a small typed client
    (tests/typescript/client.ts) and the answers the running suite gave to it compile under tsc --strict."""
    answers: list[tuple[str, str, object]] = []

    def record(name: str, kind: str, response: httpx.Response, status: int) -> dict:
        assert response.status_code == status, response.text
        answers.append((name, kind, response.json()))
        return response.json()

    token = await stack.client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, ADMIN_SECRET)
    )
    record("token", 'Answer<"issueToken", 200>', token, 200)
    admin = token.json()["access_token"]
    bureau = await stack.new_client(admin, "ts-finance", ["funds:read", "funds:write", "funds:admin"], ["130300"])
    inspector = await stack.new_client(admin, "ts-inspector", ["integrity:read"], ["130300"])
    programme = await stack.client.post("/v1/funds/programmes", headers=bearer(bureau), json={
        "code": "2026-QHD-TS-01", "name": "高标准农田建设", "category": "agriculture", "fiscal_year": 2026,
        "budget_fen": 10_000_000, "region_code": "130300"})  # fmt: skip
    pid = record("programme", 'Answer<"createFundsProgramme", 201>', programme, 201)["id"]
    root = await stack.client.post(f"/v1/funds/programmes/{pid}/nodes", headers=bearer(bureau), json={
        "tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"})  # fmt: skip
    root_id = record("root", 'Answer<"createFundsNode", 201>', root, 201)["id"]
    dept = await stack.client.post(f"/v1/funds/programmes/{pid}/nodes", headers=bearer(bureau), json={
        "parent_id": root_id, "tier": "department", "name": "市农业农村局", "region_code": "130300"})  # fmt: skip
    dept_id = record("dept", 'Answer<"createFundsNode", 201>', dept, 201)["id"]
    movement = {"from_node_id": root_id, "to_node_id": dept_id, "amount_fen": 6_000_000, "occurred_on": "2026-03-01"}
    moved = await stack.client.post("/v1/funds/movements", headers=bearer(bureau), json=movement)
    record("movement", 'Answer<"recordFundsMovement", 201>', moved, 201)
    refused = await stack.client.post("/v1/funds/movements", headers=bearer(bureau),
                                      json={**movement, "occurred_on": "2026-03-02"})  # fmt: skip
    record("overspend", "Problem", refused, 409)
    invalid = await stack.client.post("/v1/funds/movements", headers=bearer(bureau), json={**movement, "kind": "x"})
    record("invalid", "Problem", invalid, 422)
    started, listed = time.monotonic(), None
    while time.monotonic() - started < 10:
        listed = await stack.client.get("/v1/integrity/warnings", params={"rule_id": "FUNDS-OVERSPEND"},
                                        headers=bearer(inspector))  # fmt: skip
        if listed.status_code == 200 and listed.json()["items"]:
            break
        await asyncio.sleep(0.1)
    assert listed is not None
    register = record("register", 'Answer<"listIntegrityWarnings", 200>', listed, 200)
    assert register["items"], "the overspend reached the register"
    detail = await stack.client.get(f"/v1/integrity/warnings/{register['items'][0]['id']}", headers=bearer(inspector))
    record("registerEntry", 'Answer<"getIntegrityWarning", 200>', detail, 200)
    funds_warnings = await stack.client.get("/v1/funds/warnings", headers=bearer(bureau))
    record("fundsWarnings", 'Answer<"listFundsWarnings", 200>', funds_warnings, 200)
    nodes = await stack.client.get(f"/v1/funds/programmes/{pid}/nodes", headers=bearer(bureau), params={"limit": 1})
    assert record("nodes", 'Answer<"listFundsNodes", 200>', nodes, 200)["next_cursor"], "two nodes, pages of one"
    clients = await stack.client.get("/v1/admin/clients", headers=bearer(admin))
    record("clients", 'Answer<"listClients", 200>', clients, 200)
    counts = await stack.client.get("/v1/integrity/warnings/counts", headers=bearer(inspector))
    record("counts", 'Answer<"countIntegrityWarnings", 200>', counts, 200)
    rules = await stack.client.get("/v1/funds/rules", headers=bearer(bureau))
    record("rules", 'Answer<"listFundsRules", 200>', rules, 200)
    public = await stack.client.get("/v1/funds/public/programmes")
    record("publicProgrammes", 'Answer<"listPublicFundsProgrammes", 200>', public, 200)
    unauthenticated = await stack.client.get("/v1/funds/warnings")
    record("unauthenticated", "Problem", unauthenticated, 401)

    compile_against_the_document(tmp_path, answers)
