"""The registrar's and handlers' steps, the statutory clock and the rules they raise (fire and no-fire)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from complaints import deadlines, scans
from complaints.settings import ComplaintsSettings
from fastapi import FastAPI
from sunlight.testing import EventCapture

from .conftest import OTHER_UNIT, UNIT, Filer

RAISED = "warnings.raised.v1"


def fired(capture: EventCapture, rule_id: str) -> list[Any]:
    return [e for e in capture.of_type(RAISED) if e.data.rule_id == rule_id]


async def settle(capture: EventCapture, rule_id: str) -> Any:
    return await capture.wait_for(RAISED, lambda e: e.data.rule_id == rule_id)


# --- the calendar ----------------------------------------------------------------------------------


def test_a_period_ending_in_the_national_day_holiday_ends_on_the_next_working_day():
    settings = ComplaintsSettings(environment="test")
    # 15 calendar days after 2025-09-16 is 2025-10-01, inside the 1–8 October holiday: the period runs to the 9th
    assert deadlines.add_days(settings, date(2025, 9, 16), 15) == date(2025, 10, 9)
    assert deadlines.add_days(settings, date(2025, 9, 1), 15) == date(2025, 9, 16)  # a Tuesday: unchanged
    working = ComplaintsSettings(environment="test", day_count="working")
    # 5 working days after Tuesday 2025-09-30: the holiday and the weekend do not count; Sat 11 Oct is a make-up day
    assert deadlines.add_days(working, date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert deadlines.days_late(settings, date(2025, 10, 9), date(2025, 10, 12)) == 3
    assert deadlines.days_late(settings, date(2025, 10, 9), date(2025, 10, 9)) == 0


# --- the steps --------------------------------------------------------------------------------------


async def test_accept_extend_once_and_a_second_extension_is_refused_and_warned(filer: Filer, backend):
    await filer.file()
    rid = (await filer.newest())["id"]
    accepted = await filer.step(rid, "decision", {"decision": "accept"})
    assert accepted["status"] == "accepted" and accepted["conclude_due"]
    due = date.fromisoformat(accepted["conclude_due"])
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        extended = await filer.step(rid, "extension", {"days": 20, "reason": "涉及多个部门，需调取银行流水"})
        assert date.fromisoformat(extended["conclude_due"]) >= due + timedelta(days=20)
        assert extended["extended_days"] == 20
        refused = await filer.step(rid, "extension", {"days": 5, "reason": "再次延期"}, expect=409)
        assert refused["type"].endswith("/extension-exceeded") and refused["extension_max_days"] == 30
        event = await settle(capture, "COMPLAINTS-EXTENSION-EXCEEDED")
        assert event.data.level == "red" and event.data.evidence["extensions"] == 1
        assert event.data.dedupe_key.startswith("130302:COMPLAINTS-EXTENSION-EXCEEDED:report:")
    steps = (await filer.client.get(f"/v1/complaints/reports/{rid}/steps", headers=filer.staff)).json()["items"]
    assert [s["kind"] for s in steps] == ["filed", "accepted", "extended"]
    assert steps[2]["note"] == "涉及多个部门，需调取银行流水" and steps[2]["actor"] == "handler-li"


async def test_one_extension_within_the_limit_raises_nothing(filer: Filer, backend):
    await filer.file()
    rid = (await filer.newest())["id"]
    await filer.step(rid, "decision", {"decision": "accept"})
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        await filer.step(rid, "extension", {"days": 30, "reason": "情况复杂"})
        await filer.step(
            rid, "conclusion", {"outcome": "unsubstantiated", "findings": "查无实据", "reply": "经核查不属实"}
        )
        # a sentinel: a later finding on another report; the outbox relays in order, so once it is here the
        # steps above had their chance to warn
        await filer.file()
        sentinel = (await filer.newest())["id"]
        await filer.step(sentinel, "decision", {"decision": "accept"})
        await filer.step(sentinel, "conclusion", {"outcome": "unsubstantiated", "findings": "查无实据"})
        await capture.wait_for(RAISED, lambda e: e.data.subject.id == sentinel)
    assert not fired(capture, "COMPLAINTS-EXTENSION-EXCEEDED")
    assert [e.data.subject.id for e in fired(capture, "COMPLAINTS-REPLY-MISSING")] == [sentinel]


async def test_referring_a_report_to_the_unit_it_is_about_is_refused_and_warned(filer: Filer, backend):
    await filer.file(subject={"kind": "unit", "unit_uscc": UNIT})
    rid = (await filer.newest())["id"]
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        refused = await filer.step(
            rid, "decision", {"decision": "refer", "reason": "请该单位自查", "unit_uscc": UNIT}, expect=409
        )
        assert refused["type"].endswith("/conflict-of-interest")
        event = await settle(capture, "COMPLAINTS-REFERRED-TO-SUBJECT")
        assert event.data.level == "red" and event.data.unit_uscc == UNIT
    assert (await filer.newest())["status"] == "received"  # nothing else changed
    referred = await filer.step(rid, "decision", {"decision": "refer", "reason": "转主管部门", "unit_uscc": OTHER_UNIT})
    assert referred["status"] == "referred" and referred["handling_unit_uscc"] == OTHER_UNIT


async def test_concluding_without_a_reply_warns_and_the_reporter_sees_the_reply_once_sent(filer: Filer, backend):
    filed = await filer.file()
    rid = (await filer.newest())["id"]
    await filer.step(rid, "decision", {"decision": "accept"})
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        await filer.step(rid, "conclusion", {"outcome": "partly_substantiated", "findings": "部分属实"})
        event = await settle(capture, "COMPLAINTS-REPLY-MISSING")
        assert event.data.evidence["outcome"] == "partly_substantiated"
        assert "部分属实" not in event.to_json()  # findings never travel
    await filer.step(rid, "replies", {"text": "经核查，部分属实，已责令整改"})
    seen = await filer.follow(filed["receipt"])
    assert seen["messages"][-1]["text"] == "经核查，部分属实，已责令整改"


async def test_an_appeal_reopened_warns_and_one_upheld_closes(filer: Filer, backend):
    receipts = []
    for _ in range(2):
        receipts.append((await filer.file())["receipt"])
    first, second = [r["id"] for r in reversed(await filer.reports(limit=2))]
    for rid in (first, second):
        await filer.step(rid, "decision", {"decision": "accept"})
        await filer.step(rid, "conclusion", {"outcome": "unsubstantiated", "findings": "查无实据", "reply": "不属实"})
    for receipt in receipts:
        r = await filer.client.post(
            "/v1/complaints/public/follow-up/appeal", json={"receipt": receipt, "reason": "不服"}
        )
        assert r.status_code == 200, r.text
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        upheld = await filer.step(first, "review", {"decision": "uphold", "reason": "原结论正确"})
        assert upheld["status"] == "closed"
        reopened = await filer.step(second, "review", {"decision": "reopen", "reason": "原调查未核实银行流水"})
        assert reopened["status"] == "accepted" and reopened["outcome"] is None
        event = await settle(capture, "COMPLAINTS-REOPENED-ON-APPEAL")
        assert event.data.subject.id == second
    assert [e.data.subject.id for e in fired(capture, "COMPLAINTS-REOPENED-ON-APPEAL")] == [second]


async def test_a_step_out_of_order_is_refused(filer: Filer):
    await filer.file()
    rid = (await filer.newest())["id"]
    refused = await filer.step(rid, "conclusion", {"outcome": "substantiated", "findings": "x"}, expect=409)
    assert refused["type"].endswith("/wrong-state") and refused["status_now"] == "received"
    await filer.step(rid, "decision", {"decision": "reject", "reason": "不属于本机关受理范围"})
    again = await filer.step(rid, "decision", {"decision": "accept"}, expect=409)
    assert again["type"].endswith("/wrong-state")


async def test_other_regions_neither_see_nor_touch_a_report(filer: Filer, outsider: dict[str, str]):
    await filer.file()
    rid = (await filer.newest())["id"]
    r = await filer.client.get(f"/v1/complaints/reports/{rid}", headers=outsider)
    assert r.status_code == 404
    r = await filer.client.post(f"/v1/complaints/reports/{rid}/decision", headers=outsider, json={"decision": "accept"})
    assert r.status_code == 404
    r = await filer.client.get("/v1/complaints/reports", headers=outsider)
    assert r.json()["items"] == []


# --- the statutory clock -----------------------------------------------------------------------------


async def _scan(app: FastAPI, settings: ComplaintsSettings, on: date) -> Any:
    at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    async with app.state.db.sessions() as session:
        return await scans.run_scans(session, settings, now=at)


@pytest.mark.parametrize("day_count", ["calendar"])
async def test_late_acceptance_and_late_conclusion_escalate_on_the_calendar(
    filer: Filer, backend, complaints_app: FastAPI, complaints_settings: ComplaintsSettings, day_count: str
):
    await filer.file()
    await filer.file(
        text="另一件：某局审批窗口工作人员吃拿卡要，办证需要请客送礼",
        category="approval_misconduct",
        subject={"kind": "none"},
    )
    late, handled = await filer.reports(limit=2)  # newest first
    accepted = await filer.step(handled["id"], "decision", {"decision": "accept"})
    accept_due = date.fromisoformat(late["accept_due"])
    conclude_due = date.fromisoformat(accepted["conclude_due"])
    async with EventCapture.on(backend.bus_settings(), [RAISED]) as capture:
        on_time = await _scan(complaints_app, complaints_settings, accept_due)
        assert (on_time.acceptance_late, on_time.conclusion_late) == (0, 0)  # the last day is still in time
        first = await _scan(complaints_app, complaints_settings, accept_due + timedelta(days=1))
        assert first.acceptance_late == 1
        again = await _scan(complaints_app, complaints_settings, accept_due + timedelta(days=2))
        assert again.acceptance_late == 0  # a scan does not repeat an unchanged finding
        event = await settle(capture, "COMPLAINTS-ACCEPTANCE-LATE")
        assert event.data.subject.id == late["id"] and event.data.evidence["days_late"] == 1

        assert (await _scan(complaints_app, complaints_settings, conclude_due)).conclusion_late == 0
        orange = await _scan(complaints_app, complaints_settings, conclude_due + timedelta(days=1))
        red = await _scan(complaints_app, complaints_settings, conclude_due + timedelta(days=30))
        assert (orange.conclusion_late, red.conclusion_late) == (1, 1)  # sent again because the level rose
        await capture.wait_for(
            RAISED, lambda e: e.data.rule_id == "COMPLAINTS-CONCLUSION-LATE" and e.data.level == "red"
        )
        levels = [e.data.level for e in fired(capture, "COMPLAINTS-CONCLUSION-LATE")]
        assert levels == ["orange", "red"]
