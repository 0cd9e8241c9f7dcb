"""The funds platform end to end: real processes, real tokens, the real bus, everything through the gateway.

A city finance bureau files a programme and its tree, moves money down in a bulk batch,
pays beneficiaries; a payment outside the allowed categories reaches the integrity register;
the public reads the disclosure without a token and sees no personal data; another region
sees and changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from .conftest import Stack

pytestmark = pytest.mark.e2e
T = TypeVar("T")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def resident_id(serial: int) -> str:
    body = f"11010519800101{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        await asyncio.sleep(0.1)


async def created(stack: Stack, token: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await stack.client.post(path, headers=bearer(token), json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_programme_from_budget_to_beneficiary_through_the_gateway(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-agri-finance", ["funds:read", "funds:write"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-agri-inspector", ["integrity:read"], ["130300"])
    beijing = await stack.new_client(admin, "bj-agri-finance", ["funds:read", "funds:write"], ["110000"])

    p = await created(
        stack,
        bureau,
        "/v1/funds/programmes",
        {
            "code": "2026-QHD-E2E-FARM",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 2_000_000,
            "region_code": "130300",
            "allowed_categories": ["subsidy"],
            "budget_lines": [{"code": "2130122", "name": "农业生产发展", "source": "central", "amount_fen": 2_000_000}],
        },
    )
    nodes = f"/v1/funds/programmes/{p['id']}/nodes"
    root = await created(
        stack, bureau, nodes, {"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"}
    )
    dept = await created(
        stack,
        bureau,
        nodes,
        {"parent_id": root["id"], "tier": "department", "name": "市农业农村局", "region_code": "130300"},
    )
    town = await created(
        stack,
        bureau,
        nodes,
        {"parent_id": dept["id"], "tier": "township", "name": "海港镇", "region_code": "130302001"},
    )

    records = [
        {
            "kind": k,
            "from_node_id": a["id"],
            "to_node_id": b["id"],
            "amount_fen": 1_000_000,
            "occurred_on": "2026-03-01",
        }
        for a, b in ((root, dept), (dept, town))
        for k in ("allocate", "disburse")
    ]
    records += [
        {
            "kind": "expend",
            "from_node_id": town["id"],
            "amount_fen": 12_000,
            "occurred_on": "2026-03-05",
            "category": "subsidy",
            "reference": f"E2E-{i}",
            "payee": {
                "kind": "person",
                "name": "刘德华",
                "resident_id": resident_id(i),
                "bank_account": f"62220202001122{30 + i}",  # one account each: three on one would be a finding
            },
        }
        for i in range(1, 4)
    ]
    ndjson = "\n".join(json.dumps(r) for r in records).encode()
    batch = await stack.client.post(
        "/v1/funds/movements/batch",
        params={"batch_key": "e2e-farm-1"},
        content=ndjson,
        headers={**bearer(bureau), "content-type": "application/x-ndjson"},
    )
    assert batch.status_code == 201, batch.text
    assert batch.json()["records"] == 7
    replay = await stack.client.post(
        "/v1/funds/movements/batch",
        params={"batch_key": "e2e-farm-1"},
        content=ndjson,
        headers={**bearer(bureau), "content-type": "application/x-ndjson"},
    )
    assert replay.status_code == 200 and replay.json() == batch.json()

    misuse = await created(
        stack,
        bureau,
        "/v1/funds/movements",
        {
            "kind": "expend",
            "from_node_id": town["id"],
            "amount_fen": 80_000,
            "occurred_on": "2026-03-06",
            "category": "banquet",
            "payee": {"kind": "organisation", "name": "海港大酒店", "uscc": "91110000600037341L"},
        },
    )
    overspend = await stack.client.post(
        "/v1/funds/movements",
        headers=bearer(bureau),
        json={
            "kind": "expend",
            "from_node_id": town["id"],
            "amount_fen": 10_000_000,
            "occurred_on": "2026-03-07",
            "category": "subsidy",
            "payee": {"kind": "organisation", "name": "海港大酒店", "uscc": "91110000600037341L"},
        },
    )
    assert overspend.status_code == 409 and overspend.json()["limit"] == "quota"

    async def registered() -> dict[str, Any] | None:
        listed = await stack.client.get(
            "/v1/integrity/warnings", headers=bearer(inspector), params={"rule_id": "FUNDS-CATEGORY-NOT-ALLOWED"}
        )
        return next((w for w in listed.json()["items"] if w["subject_id"] == misuse["id"]), None)

    warning = await until(registered, "the category warning reaching the integrity register")
    assert warning["level"] == "red" and warning["evidence"]["category"] == "banquet"
    own = await stack.client.get("/v1/funds/warnings", headers=bearer(bureau), params={"programme_id": p["id"]})
    assert {w["rule_id"] for w in own.json()["items"]} == {"FUNDS-CATEGORY-NOT-ALLOWED", "FUNDS-OVERSPEND"}

    trace = (await stack.client.get(f"/v1/funds/programmes/{p['id']}/trace", headers=bearer(bureau))).json()
    assert trace["conserved"] and {n["name"]: n["spent_fen"] for n in trace["nodes"]}["海港镇"] == 116_000
    funnel = (await stack.client.get(f"/v1/funds/programmes/{p['id']}/funnel", headers=bearer(bureau))).json()
    assert (funnel["allocated_fen"], funnel["disbursed_fen"], funnel["spent_fen"]) == (1_000_000, 1_000_000, 116_000)
    path = (await stack.client.get(f"/v1/funds/movements/{misuse['id']}/path", headers=bearer(bureau))).json()
    assert path["budget_line"]["code"] == "2130122" and len(path["hops"]) == 3

    # the public: no token, masked payees, nothing personal
    public = await stack.client.get(f"/v1/funds/public/programmes/{p['id']}/payments")
    assert public.status_code == 200, public.text
    names = {x["payee"]["name"] for x in public.json()["items"]}
    assert names == {"刘**", "海港大酒店"}
    for secret in ("刘德华", resident_id(1), "6222020200112231"):
        assert secret not in public.text
    assert (await stack.client.get(f"/v1/funds/public/programmes/{p['id']}")).status_code == 200
    assert (await stack.client.get(f"/v1/funds/programmes/{p['id']}")).status_code == 401, "private routes need a token"

    # another region neither sees nor moves this money
    hidden = await stack.client.get(f"/v1/funds/programmes/{p['id']}", headers=bearer(beijing))
    assert hidden.status_code == 404 and hidden.headers["content-type"] == "application/problem+json"
    moved = await stack.client.post(
        "/v1/funds/movements",
        headers=bearer(beijing),
        json={"from_node_id": root["id"], "to_node_id": dept["id"], "amount_fen": 1, "occurred_on": "2026-03-08"},
    )
    assert moved.status_code == 404 and moved.json()["type"].endswith("/not-found")
    assert (await stack.client.get("/v1/funds/warnings", headers=bearer(beijing))).json()["items"] == []


async def test_the_periodic_rules_run_on_demand_for_a_nationwide_administrator(stack: Stack):
    admin = await stack.token()
    ops = await stack.new_client(admin, "national-funds-ops", ["funds:read", "funds:admin"], ["000000"])
    city_admin = await stack.new_client(admin, "qhd-funds-admin", ["funds:read", "funds:admin"], ["130300"])
    bureau = await stack.new_client(admin, "qhd-late-bureau", ["funds:read", "funds:write"], ["130300"])
    p = await created(
        stack,
        bureau,
        "/v1/funds/programmes",
        {
            "code": "2024-QHD-E2E-LATE",
            "name": "农村饮水安全",
            "category": "water",
            "fiscal_year": 2024,
            "budget_fen": 500_000,
            "region_code": "130300",
            "budget_approved_on": "2024-01-02",
        },
    )
    nodes = f"/v1/funds/programmes/{p['id']}/nodes"
    root = await created(
        stack, bureau, nodes, {"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"}
    )
    await created(
        stack,
        bureau,
        nodes,
        {"parent_id": root["id"], "tier": "department", "name": "市水务局", "region_code": "130300"},
    )
    refused = await stack.client.post("/v1/funds/scans", headers=bearer(bureau), json={})
    assert refused.status_code == 403
    as_of = {"as_of": "2024-04-01T00:00:00Z"}
    regional = await stack.client.post("/v1/funds/scans", headers=bearer(city_admin), json=as_of)
    assert regional.status_code == 403 and regional.json()["type"].endswith("/nationwide-only"), "every region's scan"
    scan = await stack.client.post("/v1/funds/scans", headers=bearer(ops), json={"as_of": "2024-04-01T00:00:00Z"})
    assert scan.status_code == 200, scan.text
    late = await stack.client.get(
        "/v1/funds/warnings", headers=bearer(ops), params={"rule_id": "FUNDS-LATE-PASS-DOWN", "programme_id": p["id"]}
    )
    (warning,) = late.json()["items"]
    assert warning["level"] == "red" and warning["subject_id"] == root["id"]
    assert warning["evidence"]["deadline_days"] == 20 and warning["evidence"]["max_days_late"] == 70
