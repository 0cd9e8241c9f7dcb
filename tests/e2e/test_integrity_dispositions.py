"""Integrity end to end: a funds overspend is disposed of in the register and funds hears the outcome;
the inspector's other calls through the gateway, with region checks. Real processes, tokens and bus."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from .conftest import Stack

pytestmark = pytest.mark.e2e
T = TypeVar("T")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def until(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        await asyncio.sleep(0.1)


async def overspend(stack: Stack, bureau: str, code: str) -> str:
    """A programme tree in 130300 and a refused movement from its root: FUNDS-OVERSPEND. Returns the root's id."""
    headers = bearer(bureau)
    programme = await stack.client.post("/v1/funds/programmes", headers=headers, json={
        "code": code, "name": "农村饮水安全工程补助", "category": "water", "fiscal_year": 2026,
        "budget_fen": 10_000_000, "region_code": "130300"})  # fmt: skip
    assert programme.status_code == 201, programme.text
    pid = programme.json()["id"]
    root = await stack.client.post(
        f"/v1/funds/programmes/{pid}/nodes",
        headers=headers,
        json={"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300"},
    )
    assert root.status_code == 201, root.text
    dept = await stack.client.post(f"/v1/funds/programmes/{pid}/nodes", headers=headers, json={
        "parent_id": root.json()["id"], "tier": "department", "name": "市水务局", "region_code": "130300"})  # fmt: skip
    assert dept.status_code == 201, dept.text
    move = {"from_node_id": root.json()["id"], "to_node_id": dept.json()["id"], "amount_fen": 6_000_000}
    ok = await stack.client.post("/v1/funds/movements", headers=headers, json={**move, "occurred_on": "2026-04-01"})
    assert ok.status_code == 201, ok.text
    refused = await stack.client.post("/v1/funds/movements", headers=headers,
                                      json={**move, "occurred_on": "2026-04-02"})  # fmt: skip
    assert refused.status_code == 409 and refused.json()["type"].endswith("/overspend"), refused.text
    return str(root.json()["id"])


async def test_a_disposition_round_trips_to_funds(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-water-bureau", ["funds:read", "funds:write"], ["130300"])
    funds_reader = await stack.new_client(admin, "qhd-funds-reader", ["funds:read"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-disposer", ["integrity:read", "integrity:write"], ["130300"])
    beijing = await stack.new_client(admin, "bj-disposer", ["integrity:read", "integrity:write"], ["110000"])
    root = await overspend(stack, bureau, "2026-QHD-WATER-01")

    async def registered() -> dict[str, Any] | None:
        listed = await stack.client.get("/v1/integrity/warnings", headers=bearer(inspector),
                                        params={"rule_id": "FUNDS-OVERSPEND", "service": "funds"})  # fmt: skip
        assert listed.status_code == 200, listed.text
        return next((w for w in listed.json()["items"] if w["subject_id"] == root), None)

    warning = await until(registered, "the overspend reaching the register")
    assert warning["level"] == "red" and warning["status"] == "open"
    assert warning["evidence"]["available_fen"] == 4_000_000

    path = f"/v1/integrity/warnings/{warning['id']}/dispositions"
    body = {"kind": "direct_review", "assignee": "qhd-inspection-office-2", "instructions": "核查超额拨付申请"}
    elsewhere = await stack.client.post(path, headers=bearer(beijing), json=body)
    assert elsewhere.status_code == 404, "another region's warning does not exist for that inspector"
    hidden = await stack.client.get(f"/v1/integrity/warnings/{warning['id']}", headers=bearer(beijing))
    assert hidden.status_code == 404 and hidden.headers["content-type"] == "application/problem+json"

    opened = await stack.client.post(path, headers={**bearer(inspector), "Idempotency-Key": "dr-water-01"}, json=body)
    assert opened.status_code == 201, opened.text
    disposition = opened.json()
    assert disposition["kind"] == "direct_review" and disposition["freeze"] is True and disposition["deadline"]

    async def seen_by_funds(status: str) -> dict[str, Any] | None:
        """Funds' view of the warning once it shows the direct review and the register ``status`` integrity reported."""
        listed = await stack.client.get("/v1/funds/warnings", headers=bearer(funds_reader),
                                        params={"rule_id": "FUNDS-OVERSPEND"})  # fmt: skip
        assert listed.status_code == 200, listed.text
        mine = [w for w in listed.json()["items"] if w["dedupe_key"] == warning["dedupe_key"]]
        return mine[0] if mine and mine[0]["disposition"] and mine[0]["status"] == status else None

    held = await until(lambda: seen_by_funds("in_disposition"), "funds seeing the direct review")
    assert held["disposition"] == "direct_review" and held["frozen"] is True, held
    assert held["rule_id"] == "FUNDS-OVERSPEND"

    at = f"/v1/integrity/dispositions/{disposition['id']}"
    answered = await stack.client.post(f"{at}/response", headers=bearer(inspector),
                                       json={"response": "经办人未核对可用额度"})  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "in_progress"
    conclusion = {"outcome": "accountability", "conclusion": "对经办人诫勉谈话, 完善拨付校验"}
    concluded = await stack.client.post(f"{at}/conclusion", headers=bearer(inspector), json=conclusion)
    assert concluded.status_code == 200, concluded.text

    released = await until(lambda: seen_by_funds("closed"), "funds seeing the conclusion")
    assert released["disposition"] == "direct_review" and released["frozen"] is False, released
    assert released["outcome"] == "accountability", "funds and integrity speak of the same outcome"
    closed = await stack.client.get(f"/v1/integrity/warnings/{warning['id']}", headers=bearer(inspector))
    assert closed.json()["status"] == "closed" and closed.json()["dispositions"][0]["outcome"] == "accountability"


async def test_the_inspectors_workbench_through_the_gateway(stack: Stack):
    admin = await stack.token()
    bureau = await stack.new_client(admin, "qhd-water-bureau-2", ["funds:read", "funds:write"], ["130300"])
    inspector = await stack.new_client(admin, "qhd-workbench", ["integrity:read", "integrity:write"], ["130300"])
    catalogue = await stack.new_client(admin, "hebei-risk-office", ["integrity:read", "integrity:admin"], ["130000"])
    beijing = await stack.new_client(admin, "bj-workbench", ["integrity:read", "integrity:write"], ["110000"])
    head = bearer(inspector)
    root = await overspend(stack, bureau, "2026-QHD-WATER-02")

    risk_point = await stack.client.post("/v1/integrity/risk-points", headers=bearer(catalogue), json={
        "code": "QHD-WATER-ALLOC", "name": "水利资金拨付", "post": "财务科长", "power": "资金拨付审批",
        "risk_level": "high", "controls": ["系统校验可用额度"], "rule_ids": ["FUNDS-OVERSPEND"],
        "region_code": "130300"})  # fmt: skip
    assert risk_point.status_code == 201, risk_point.text
    no_admin = await stack.client.post("/v1/integrity/risk-points", headers=head, json={})
    assert no_admin.status_code == 403

    async def linked() -> dict[str, Any] | None:
        listed = await stack.client.get("/v1/integrity/warnings", headers=head,
                                        params={"risk_point_id": risk_point.json()["id"]})  # fmt: skip
        return next((w for w in listed.json()["items"] if w["subject_id"] == root), None)

    await until(linked, "the overspend linked to its risk point")
    year = str(datetime.now(ZoneInfo("Asia/Shanghai")).year)
    heat = await stack.client.get("/v1/integrity/risk-points/heatmap", headers=head, params={"period": year})
    assert heat.status_code == 200 and heat.json()["items"][0]["risk_point_code"] == "QHD-WATER-ALLOC"

    colours = await stack.client.get("/v1/integrity/overview/open-warnings", headers=head, params={"depth": "city"})
    assert (
        colours.status_code == 200
        and colours.json()["items"][0]["region_code"] == "130300"
        and colours.json()["items"][0]["red"] >= 1
    )
    top = await stack.client.get("/v1/integrity/overview/top-rules", headers=head)
    assert "FUNDS-OVERSPEND" in [r["rule_id"] for r in top.json()["items"]]
    overdue = await stack.client.get("/v1/integrity/overview/overdue-dispositions", headers=head)
    assert overdue.status_code == 200 and overdue.json()["count"] == 0
    counts = await stack.client.get("/v1/integrity/warnings/counts", headers=head, params={"granularity": "year"})
    assert counts.status_code == 200 and counts.json()["items"][0]["red"] >= 1

    frameworks = {
        f["code"]: f for f in (await stack.client.get("/v1/integrity/frameworks", headers=head)).json()["items"]
    }
    assert (frameworks["323-team"]["first_level"], frameworks["323-team"]["second_level"]) == (17, 31)
    subject = await stack.client.post("/v1/integrity/subjects", headers=head, json={
        "kind": "team", "code": "qhd-water-team", "label": "市水务局领导班子", "unit_uscc": "91110000600037341L",
        "region_code": "130300"})  # fmt: skip
    assert subject.status_code == 201, subject.text
    # a body's sheet is entered by a principal of that body: a client of the unit registered as B10 (third party)
    not_a_body = await stack.client.post("/v1/integrity/assessments", headers=head, json={
        "framework": "323-team", "period": "2026", "subject_id": subject.json()["id"], "rater": "B10",
        "scores": {"T01.1": 80, "T01.2": 75}})  # fmt: skip
    assert not_a_body.status_code == 403 and not_a_body.json()["type"].endswith("/not-evaluating-body")
    third_party = "91130300MA00000009"
    registered = await stack.client.post("/v1/integrity/evaluating-bodies", headers=bearer(catalogue), json={
        "body": "B10", "region_code": "130300", "unit_uscc": third_party})  # fmt: skip
    assert registered.status_code == 201, registered.text
    created = await stack.client.post("/v1/admin/clients", headers=bearer(admin), json={
        "client_id": "qhd-third-party", "name": "第三方评估机构", "scopes": ["integrity:read", "integrity:write"],
        "regions": ["130300"], "unit_uscc": third_party})  # fmt: skip
    assert created.status_code == 201, created.text
    assessor = await stack.token("qhd-third-party", created.json()["client_secret"])
    sheet = await stack.client.post("/v1/integrity/assessments", headers=bearer(assessor), json={
        "framework": "323-team", "period": "2026", "subject_id": subject.json()["id"], "rater": "B10",
        "scores": {"T01.1": 80, "T01.2": 75}})  # fmt: skip
    assert sheet.status_code == 201, sheet.text
    computed = await stack.client.post("/v1/integrity/frameworks/323-team/computations", headers=head,
                                       json={"period": "2026"})  # fmt: skip
    assert computed.status_code == 201 and computed.json()["computed"] == 1
    result = computed.json()["results"][0]
    assert (result["value"], result["status"]) == (None, "not_assessed"), "one body's scores and no data: too little"
    trend = await stack.client.get(f"/v1/integrity/subjects/{subject.json()['id']}/index", headers=head,
                                   params={"framework": "323-team"})  # fmt: skip
    assert trend.status_code == 200 and [p["period"] for p in trend.json()["points"]] == ["2026"]

    # another region sees none of it, and may write none of it
    assert (await stack.client.get("/v1/integrity/warnings", headers=bearer(beijing))).json()["items"] == []
    assert (await stack.client.get("/v1/integrity/overview/open-warnings", headers=bearer(beijing))).json()[
        "items"
    ] == []
    hidden = await stack.client.get(f"/v1/integrity/subjects/{subject.json()['id']}", headers=bearer(beijing))
    assert hidden.status_code == 404
    refused = await stack.client.post("/v1/integrity/assessments", headers=bearer(beijing), json={
        "framework": "323-team", "period": "2026", "subject_id": subject.json()["id"], "rater": "B02",
        "scores": {"T01.1": 10}})  # fmt: skip
    assert refused.status_code == 404, "another region's subject does not exist for that rater"
