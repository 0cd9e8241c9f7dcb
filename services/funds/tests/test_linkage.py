"""Supervision linkage over the real bus: dispositions from integrity, complaints from the public."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sunlight.events import new_event
from sunlight.events.bus import bus_from_settings
from sunlight.events.contracts.common import SubjectRef
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.settings import CommonSettings

from .conftest import Maker, eventually, org, person


@contextlib.asynccontextmanager
async def publisher(backend: Any) -> AsyncIterator[Any]:
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-publisher")
    await bus.connect()

    async def publish(payload: Any, source: str) -> None:
        event = new_event(payload, source=source)
        await bus.publish(event.type, event.to_json().encode(), msg_id=event.id)

    try:
        yield publish
    finally:
        await bus.close()


@pytest.fixture
async def publish(backend: Any) -> AsyncIterator[Any]:
    async with publisher(backend) as send:
        yield send


def disposed(
    w: dict, *, status: str, disposition: str, freeze: bool = False, at: datetime | None = None
) -> WarningDisposed:
    return WarningDisposed(
        warning_id="integrity-warning-1",
        rule_id=w["rule_id"],
        dedupe_key=w["dedupe_key"],
        subject=SubjectRef(service=w["service"], kind=w["subject_kind"], id=w["subject_id"], label=w["subject_label"]),
        region_code=w["region_code"],
        disposition=disposition,
        status=status,
        outcome="corrected" if status == "concluded" else None,
        freeze=freeze,
        disposed_at=at or datetime.now(UTC),
    )


async def test_a_disposition_updates_the_warning_and_a_freeze_holds_the_payee(make: Maker, publish):
    t = await make.tree(allowed_categories=["subsidy"])
    await make.down(t, 100_000, to="county")
    suspect, honest = person(41, name="周九"), person(42, name="吴十")
    pay = await make.pay(t.county, 1_000, suspect, category="banquet")
    (w,) = await make.warnings(rule_id="FUNDS-CATEGORY-NOT-ALLOWED")
    assert (w["status"], w["disposition"], w["frozen"]) == ("open", None, False)

    await publish(disposed(w, status="in_progress", disposition="inquiry", freeze=True), "/sunlight/integrity")

    async def frozen() -> dict | None:
        (seen,) = await make.warnings(rule_id="FUNDS-CATEGORY-NOT-ALLOWED")
        return seen if seen["frozen"] else None

    w = await eventually(frozen)
    assert (w["status"], w["disposition"], w["outcome"]) == ("in_disposition", "inquiry", None)
    refused = await make.pay(t.county, 500, suspect, category="subsidy", expect=409)
    assert refused["type"].endswith("/frozen")
    assert {"kind": "payee", "id": pay["payee"]["id"]} in refused["held"]
    await make.pay(t.county, 500, honest, category="subsidy")  # others are paid as before
    await make.move(kind="refund", refund_of=pay["id"], amount_fen=1_000)  # money coming back is never blocked
    payee = await make.client.get(f"/v1/funds/payees/{pay['payee']['id']}", headers=make.headers)
    assert payee.json()["held"] is True and payee.json()["name"] == "周*"
    refusals = (await make.client.get("/v1/funds/refusals", headers=make.headers)).json()["items"]
    assert [r["reason"] for r in refusals] == ["frozen"]

    stale = disposed(w, status="open", disposition="reminder_talk", at=datetime.now(UTC) - timedelta(days=1))
    await publish(stale, "/sunlight/integrity")
    await publish(disposed(w, status="concluded", disposition="inquiry", freeze=False), "/sunlight/integrity")

    async def released() -> dict | None:
        (seen,) = await make.warnings(rule_id="FUNDS-CATEGORY-NOT-ALLOWED")
        return seen if seen["status"] == "closed" else None

    w = await eventually(released)
    assert w["frozen"] is False and w["outcome"] == "corrected" and w["disposition"] == "inquiry"
    await make.pay(t.county, 500, suspect, category="subsidy")


async def test_a_frozen_node_neither_receives_nor_passes_on(make: Maker, publish):
    t = await make.tree(budget_fen=10_000)
    await make.down(t, 5_000, to="county")
    await make.move(409, kind="allocate", from_node_id=t.county["id"], to_node_id=t.town["id"], amount_fen=6_000)
    (w,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    await publish(disposed(w, status="in_progress", disposition="direct_review", freeze=True), "/sunlight/integrity")

    async def frozen() -> bool:
        return bool((await make.warnings(rule_id="FUNDS-OVERSPEND"))[0]["frozen"])

    await eventually(frozen)
    into = await make.move(409, kind="disburse", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=1)
    out = await make.move(409, kind="expend", from_node_id=t.county["id"], amount_fen=1, payee=org())
    assert into["type"].endswith("/frozen") and out["type"].endswith("/frozen")
    assert into["held"] == [{"kind": "node", "id": t.county["id"]}]
    # money leaving a held node is stopped too, upwards as well (a refund) and by adjustment
    back = await make.move(409, kind="refund", from_node_id=t.county["id"], to_node_id=t.dept["id"], amount_fen=1_000)
    assert back["type"].endswith("/frozen") and back["held"] == [{"kind": "node", "id": t.county["id"]}]
    trace = (await make.client.get(f"/v1/funds/programmes/{t.pid}/trace", headers=make.headers)).json()
    assert {n["name"]: n["held"] for n in trace["nodes"]}["海港区农业农村局"] is True


async def test_complaints_about_other_services_are_ignored_and_unknown_subjects_dead_lettered(make: Maker, publish):
    await publish(
        ReportFiled(report_id="T-1", region_code="130300", category="bid_rigging",
                    subject=SubjectRef(service="tenders", kind="tender", id="x"), anonymous=False,
                    filed_at=datetime.now(UTC)),
        "/sunlight/complaints",
    )  # fmt: skip
    await publish(
        ReportFiled(report_id="F-404", region_code="130300", category="fund_misuse",
                    subject=SubjectRef(service="funds", kind="movement", id="00000000-0000-0000-0000-000000000000"),
                    anonymous=False, filed_at=datetime.now(UTC)),
        "/sunlight/complaints",
    )  # fmt: skip

    async def dead() -> list:
        r = await make.client.get("/v1/funds/dead-letters", headers=make.headers)
        return [d for d in r.json()["items"] if d["type"] == "complaints.report.filed.v1"]

    (letter,) = await eventually(dead)
    assert "does not have" in letter["error"]
    assert await make.warnings() == []


async def test_a_payee_hold_ordered_in_one_region_does_not_stop_another_regions_payments(make: Maker, publish, keys):
    t = await make.tree(allowed_categories=["subsidy"])
    await make.down(t, 100_000, to="county")
    suspect = person(43, name="郑十一")
    await make.pay(t.county, 1_000, suspect, category="banquet")
    (w,) = await make.warnings(rule_id="FUNDS-CATEGORY-NOT-ALLOWED")
    await publish(disposed(w, status="in_progress", disposition="inquiry", freeze=True), "/sunlight/integrity")

    async def frozen() -> bool:
        return bool((await make.warnings(rule_id="FUNDS-CATEGORY-NOT-ALLOWED"))[0]["frozen"])

    await eventually(frozen)
    refused = await make.pay(t.county, 500, suspect, category="subsidy", expect=409)
    assert refused["type"].endswith("/frozen"), "held where the hold was ordered"

    beijing = keys.auth(scopes="funds:read funds:write", regions=["110000"], sub="bj-bureau")
    there = Maker(make.client, beijing)
    programme = await there.programme(region_code="110105", budget_fen=1_000_000)
    root = await make.client.post(
        f"/v1/funds/programmes/{programme['id']}/nodes",
        headers=beijing,
        json={"tier": "finance_bureau", "name": "东城区财政局", "region_code": "110105"},
    )
    assert root.status_code == 201, root.text
    paid = await make.client.post(
        "/v1/funds/movements",
        headers=beijing,
        json={"kind": "expend", "from_node_id": root.json()["id"], "amount_fen": 500,
              "occurred_on": programme["fiscal_year"] and f"{programme['fiscal_year']}-03-01", "payee": suspect},
    )  # fmt: skip
    assert paid.status_code == 201, f"another region's payment to the same person: {paid.text}"
