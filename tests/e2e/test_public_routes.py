"""Nothing personal on a public route: every ``/public/`` path of every service, walked through the gateway
without a token, over data seeded with personal names, ID numbers and bank accounts.

The routes come from the services' own OpenAPI documents and the gateway's merged one, so a public
route added later is walked too; one whose path parameters or method this test does not know yet
fails until it is taught how to call it (``PATH_VALUES``), never silently skipped.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from sunlight.public import is_public

from .conftest import Stack
from .test_funds_platform import bearer, created, resident_id

pytestmark = pytest.mark.e2e

PERSONS = ("欧阳春花", "司马光明", "上官秋月")  # names no masked or public output could contain by chance
ACCOUNTS = ("6222020200118765", "6217000010001234567")
TOWN = "130302001"


async def seed(stack: Stack) -> tuple[dict[str, list[str]], list[str]]:
    """A programme whose tree ends in a beneficiary named like a person, paying persons and an organisation;
    a watch list naming a person. Returns the values of the public routes' path parameters, and every
    personal datum (or hidden id) that must not appear."""
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-public-walk", ["funds:read", "funds:write"], ["130300"])
    national = await stack.new_client(admin, "national-public-walk", ["funds:read", "funds:admin"], ["000000"])
    p = await created(stack, bureau, "/v1/funds/programmes", {
        "code": "2026-QHD-PUBLIC-WALK", "name": "困难群众救助补助", "category": "relief", "fiscal_year": 2026,
        "budget_fen": 1_000_000, "region_code": "130300"})  # fmt: skip
    nodes = f"/v1/funds/programmes/{p['id']}/nodes"
    root = await created(stack, bureau, nodes, {"tier": "finance_bureau", "name": "秦皇岛市财政局",
                                                "region_code": "130300"})  # fmt: skip
    town = await created(stack, bureau, nodes, {"parent_id": root["id"], "tier": "township", "name": "海港镇",
                                                "region_code": TOWN})  # fmt: skip
    household = await created(stack, bureau, nodes, {"parent_id": town["id"], "tier": "beneficiary",
                                                     "name": f"{PERSONS[0]}户", "region_code": TOWN})  # fmt: skip
    for a, b, amount in ((root, town, 500_000), (town, household, 100_000)):
        for kind in ("allocate", "disburse"):
            await created(stack, bureau, "/v1/funds/movements", {"kind": kind, "from_node_id": a["id"],
                          "to_node_id": b["id"], "amount_fen": amount, "occurred_on": "2026-03-01"})  # fmt: skip
    ids = [resident_id(40 + i) for i in range(len(PERSONS))]
    payments = [
        (town, {"kind": "person", "name": PERSONS[1], "resident_id": ids[1], "bank_account": ACCOUNTS[0]}),
        (household, {"kind": "person", "name": PERSONS[2], "resident_id": ids[2], "bank_account": ACCOUNTS[1]}),
        (household, {"kind": "organisation", "name": "海港区粮油店", "external_id": "SHOP-1"}),
    ]
    for n, (node, payee) in enumerate(payments):
        await created(stack, bureau, "/v1/funds/movements", {"kind": "expend", "from_node_id": node["id"],
                      "amount_fen": 1_000 + n, "occurred_on": "2026-03-05", "reference": f"PUB-{n}",
                      "payee": payee})  # fmt: skip
    listed = await stack.client.post("/v1/funds/watchlist", headers=bearer(national), json={"entries": [
        {"list": "official", "resident_id": ids[0], "region_code": "130300", "reason": "公职人员",
         "listed_on": "2020-01-01"}]})  # fmt: skip
    assert listed.status_code == 201, listed.text
    return {"programme_id": [p["id"]]}, [*PERSONS, *ids, *ACCOUNTS, household["id"]]


async def public_paths(stack: Stack) -> dict[str, set[str]]:
    """Every ``/public/`` path with its methods, from each service's OpenAPI and the gateway's."""
    documents = [(await stack.client.get("/openapi.json")).json()]
    async with httpx.AsyncClient(timeout=10) as direct:
        for process in stack.services.values():
            documents.append((await direct.get(f"{process.url}/openapi.json")).json())
    found: dict[str, set[str]] = {}
    for doc in documents:
        for path, item in doc.get("paths", {}).items():
            if is_public(path):
                found.setdefault(path, set()).update(m for m in item if m in ("get", "post", "put", "patch", "delete"))
    return found


def urls(path: str, values: dict[str, list[str]]) -> list[str]:
    out = [path]
    while any("{" in u for u in out):
        name = out[0][out[0].index("{") + 1 : out[0].index("}")]
        assert name in values, f"{path}: teach this test a value of {{{name}}} (PATH_VALUES in seed())"
        out = [u.replace(f"{{{name}}}", v, 1) for u in out for v in values[name]]
    return out


PHONE = "13912345678"


def complaint(receipt: str | None) -> dict[str, tuple[dict[str, Any], set[int]]]:
    """POST bodies of the complaints service's public routes (a named report naming an official), with the
    statuses each may answer."""
    filing = {"category": "corruption", "region_code": "130302", "anonymous": False,
              "subject": {"kind": "official", "official_name": PERSONS[0], "official_post": "村委会主任"},
              "text": f"{PERSONS[0]}收受工程款回扣", "reporter": {"name": PERSONS[1], "phone": PHONE}}  # fmt: skip
    file = {"filename": "补充材料.txt", "content": base64.b64encode(f"{PERSONS[2]}也知情".encode()).decode()}
    return {
        "/v1/complaints/public/reports": (filing, {201}),
        "/v1/complaints/public/follow-up": ({"receipt": receipt}, {200}),
        "/v1/complaints/public/follow-up/messages": ({"receipt": receipt, "text": "补充：另有三户知情"}, {200}),
        "/v1/complaints/public/follow-up/appeal": ({"receipt": receipt, "reason": "不服"}, {409}),  # not concluded
        "/v1/complaints/public/follow-up/attachments": ({"receipt": receipt, "attachments": [file]}, {200}),
    }


async def test_no_public_route_answers_anything_personal(stack: Stack):
    values, secrets = await seed(stack)
    paths = await public_paths(stack)
    assert "/v1/funds/public/programmes/{programme_id}/payments" in paths
    answers: list[tuple[str, str]] = []
    filed = await stack.client.post(
        "/v1/complaints/public/reports", json=complaint(None)["/v1/complaints/public/reports"][0]
    )
    assert filed.status_code == 201, filed.text
    posts = complaint(filed.json()["receipt"])
    lamp = await stack.client.post("/v1/complaints/public/reports", json={
        "category": "service_request", "region_code": "130302", "anonymous": True, "subject": {"kind": "none"},
        "text": "文化路路灯不亮"})  # fmt: skip
    assert lamp.status_code == 201, lamp.text
    requested = (await stack.client.get("/v1/complaints/open311/v2/requests.json")).json()
    values["service_request_id"] = [r["service_request_id"] for r in requested]  # the service request only
    secrets = [*secrets, PHONE]
    for path, methods in sorted(paths.items()):
        if "post" in methods:
            assert path in posts, f"{path}: teach this test how to call POST (complaint())"
            body, statuses = posts[path]
            response = await stack.client.post(path, json=body)  # no token: the public's view
            assert response.status_code in statuses, (path, response.status_code, response.text)
            assert response.headers["cache-control"] == "no-store", path
            answers.append((path, response.text))
            answers.append((path, json.dumps(response.json(), ensure_ascii=False)))
            methods = methods - {"post"}
        assert methods <= {"get"}, f"{path}: teach this test how to call {sorted(methods - {'get'})}"
        for url in urls(path, values) if methods else []:
            params: dict[str, Any] = {"limit": 2}
            while True:
                response = await stack.client.get(url, params=params)  # no token: the public's view
                assert response.status_code == 200, (url, response.status_code, response.text)
                body = response.json()
                answers.append((url, response.text))
                answers.append((url, json.dumps(body, ensure_ascii=False)))
                cursor = body.get("next_cursor") if isinstance(body, dict) else None
                if not cursor:
                    break
                params = {"limit": 2, "cursor": cursor}
    assert len({url for url, _ in answers}) >= len(paths)
    leaks = [(url, secret) for url, text in answers for secret in secrets if secret in text]
    assert leaks == [], f"personal data on public routes: {leaks}"
    payments = next(text for url, text in answers if url.endswith("/payments"))
    assert "受益对象" in payments, "a payment by a beneficiary shows, without naming it"
