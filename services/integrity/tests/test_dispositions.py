"""Dispositions: opened, answered, concluded, dismissed; outcomes back to the source; overdue escalation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from integrity import dispositions
from integrity.models import Disposition
from sunlight.testing import Backend, EventCapture

from .conftest import IDLE, OVERSPEND, Integrity, eventually, finding, unit

DISPOSED = "warnings.disposed.v1"


def china_noon(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=UTC)  # 12:00 in Beijing time


async def test_a_direct_review_round_trip_tells_the_source(integrity: Integrity, backend: Backend, inspector):
    async with EventCapture.on(backend.bus_settings(), [DISPOSED]) as capture:
        await integrity.publish(finding(OVERSPEND, "node-7", unit_uscc=unit(7), evidence={"requested_fen": 9}))
        warning = await integrity.registered(inspector, "node-7")

        opened = await integrity.client.post(
            f"/v1/integrity/warnings/{warning['id']}/dispositions",
            headers=inspector,
            json={"kind": "direct_review", "assignee": "qhd-office-3", "instructions": "核实拨付记录"},
        )
        assert opened.status_code == 201, opened.text
        disposition = opened.json()
        today = datetime.now(UTC).astimezone(integrity.settings.zone).date()
        assert disposition["status"] == "open" and disposition["freeze"] is True and disposition["holding"] is True
        assert disposition["deadline_workdays"] == 30
        assert disposition["deadline"] == integrity.settings.calendar.add_workdays(today, 30).isoformat()
        event = await capture.wait_for(DISPOSED, lambda e: e.data.status == "open")
        assert event.data.warning_id == warning["id"] and event.data.dedupe_key == warning["dedupe_key"]
        assert event.data.disposition == "direct_review" and event.data.freeze is True
        assert event.data.subject.service == "funds" and event.data.subject.id == "node-7"
        listed = await integrity.warnings(inspector, status="in_disposition")
        assert [w["id"] for w in listed] == [warning["id"]]

        answered = await integrity.client.post(
            f"/v1/integrity/dispositions/{disposition['id']}/response",
            headers=inspector,
            json={"response": "拨付前未核对余额, 已退回"},
        )
        assert answered.status_code == 200 and answered.json()["status"] == "in_progress"
        await capture.wait_for(DISPOSED, lambda e: e.data.status == "in_progress" and e.data.freeze)

        concluded = await integrity.client.post(
            f"/v1/integrity/dispositions/{disposition['id']}/conclusion",
            headers=inspector,
            json={"outcome": "corrected", "conclusion": "已整改, 追回资金"},
        )
        assert concluded.status_code == 200, concluded.text
        assert concluded.json()["status"] == "concluded" and concluded.json()["holding"] is False
        event = await capture.wait_for(DISPOSED, lambda e: e.data.status == "concluded")
        assert event.data.outcome == "corrected" and event.data.freeze is False, "the hold is released"

    detail = (await integrity.client.get(f"/v1/integrity/warnings/{warning['id']}", headers=inspector)).json()
    assert detail["status"] == "closed" and detail["closed_at"]
    assert [d["outcome"] for d in detail["dispositions"]] == ["corrected"]
    shown = detail["dispositions"][0]
    assert (shown["instructions"], shown["response"]) == ("核实拨付记录", "拨付前未核对余额, 已退回")
    async with integrity.app.state.db.sessions() as session:
        stored = await session.get(Disposition, uuid.UUID(disposition["id"]))
    assert stored is not None and "拨付" not in (stored.response or "") and "整改" not in (stored.conclusion or "")
    assert "核实" not in (stored.instructions or ""), "the notes are encrypted at rest"
    again = await integrity.client.post(
        f"/v1/integrity/dispositions/{disposition['id']}/conclusion",
        headers=inspector,
        json={"outcome": "no_issue", "conclusion": "again"},
    )
    assert again.status_code == 409 and again.json()["type"].endswith("/disposition-concluded")
    closed = await integrity.client.post(
        f"/v1/integrity/warnings/{warning['id']}/dispositions",
        headers=inspector,
        json={"kind": "inquiry", "assignee": "x"},
    )
    assert closed.status_code == 409 and closed.json()["type"].endswith("/warning-not-active")


async def test_refusals_write_nothing(integrity: Integrity, inspector, reader, beijing):
    await integrity.publish(finding(IDLE, "node-8"))
    warning = await integrity.registered(inspector, "node-8")
    path = f"/v1/integrity/warnings/{warning['id']}/dispositions"

    invalid = await integrity.client.post(path, headers=inspector, json={"kind": "inquiry", "assignee": "x",
                                                                        "deadline_workdays": 0})  # fmt: skip
    assert invalid.status_code == 422 and invalid.headers["content-type"] == "application/problem+json"
    unknown = await integrity.client.post(path, headers=inspector, json={"kind": "lecture", "assignee": "x"})
    assert unknown.status_code == 422
    read_only = await integrity.client.post(path, headers=reader, json={"kind": "inquiry", "assignee": "x"})
    assert read_only.status_code == 403 and read_only.json()["type"].endswith("/insufficient-scope")
    elsewhere = await integrity.client.post(path, headers=beijing, json={"kind": "inquiry", "assignee": "x"})
    assert elsewhere.status_code == 404, "another region's warning does not exist for this inspector"
    missing = await integrity.client.post(
        "/v1/integrity/warnings/00000000-0000-0000-0000-000000000000/dispositions",
        headers=inspector,
        json={"kind": "inquiry", "assignee": "x"},
    )
    assert missing.status_code == 404

    listed = await integrity.client.get("/v1/integrity/dispositions", headers=inspector)
    assert listed.json()["items"] == [], "nothing was written"
    assert (await integrity.registered(inspector, "node-8"))["status"] == "open"


async def test_idempotent_posts_one_active_disposition_and_dismissal(integrity: Integrity, backend, inspector, beijing):
    await integrity.publish(finding(IDLE, "node-9"))
    warning = await integrity.registered(inspector, "node-9")
    path = f"/v1/integrity/warnings/{warning['id']}/dispositions"
    body = {"kind": "inquiry", "assignee": "qhd-office-1"}
    headers = {**inspector, "Idempotency-Key": "open-node-9"}

    first = await integrity.client.post(path, headers=headers, json=body)
    retry = await integrity.client.post(path, headers=headers, json=body)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    assert first.json()["freeze"] is False and first.json()["deadline_workdays"] == 15
    reused = await integrity.client.post(path, headers=headers, json={**body, "assignee": "other"})
    assert reused.status_code == 422 and reused.json()["type"].endswith("/idempotency-key-reused")
    second = await integrity.client.post(path, headers=inspector, json={"kind": "case", "assignee": "x"})
    assert second.status_code == 409 and second.json()["type"].endswith("/disposition-active")
    assert second.json()["disposition_id"] == first.json()["id"]
    listed = await integrity.client.get("/v1/integrity/dispositions", params={"warning_id": warning["id"]},
                                        headers=inspector)  # fmt: skip
    assert [d["id"] for d in listed.json()["items"]] == [first.json()["id"]]
    hidden = await integrity.client.get(f"/v1/integrity/dispositions/{first.json()['id']}", headers=beijing)
    assert hidden.status_code == 404

    dismiss = f"/v1/integrity/warnings/{warning['id']}/dismissal"
    blocked = await integrity.client.post(dismiss, headers=inspector, json={"reason": "false positive"})
    assert blocked.status_code == 409 and blocked.json()["type"].endswith("/disposition-active")

    # concluded as "escalated": the warning reopens for a stronger disposition
    escalated = await integrity.client.post(
        f"/v1/integrity/dispositions/{first.json()['id']}/conclusion",
        headers=inspector,
        json={"outcome": "escalated", "conclusion": "说明不清, 转直接核查"},
    )
    assert escalated.status_code == 200
    assert (await integrity.registered(inspector, "node-9"))["status"] == "open"

    async with EventCapture.on(backend.bus_settings(), [DISPOSED]) as capture:
        dismissed = await integrity.client.post(dismiss, headers=inspector, json={"reason": "重复预警, 已另案处理"})
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
        assert dismissed.json()["dismissal_reason"] == "重复预警, 已另案处理"
        event = await capture.wait_for(DISPOSED, lambda e: e.data.status == "dismissed")
        assert event.data.disposition == "dismissed" and event.data.freeze is False
    twice = await integrity.client.post(dismiss, headers=inspector, json={"reason": "again"})
    assert twice.status_code == 409 and twice.json()["type"].endswith("/warning-not-active")


async def test_overdue_dispositions_escalate(integrity: Integrity, inspector):
    await integrity.publish(finding(IDLE, "node-10", unit_uscc=unit(10)))
    warning = await integrity.registered(inspector, "node-10")
    opened = await integrity.client.post(
        f"/v1/integrity/warnings/{warning['id']}/dispositions",
        headers=inspector,
        json={"kind": "reminder_talk", "assignee": "qhd-office-2"},
    )
    disposition = opened.json()
    deadline = date.fromisoformat(disposition["deadline"])
    settings = integrity.settings

    async def run_job(day: date) -> int:
        async with integrity.app.state.db.sessions() as session:
            return await dispositions.escalate_overdue(session, settings=settings, now=china_noon(day))

    assert await run_job(deadline) == 0, "not overdue on the deadline itself"
    assert await run_job(deadline + timedelta(days=1)) == 1
    assert await run_job(deadline + timedelta(days=1)) == 0, "the job is idempotent"
    entry = await integrity.registered(inspector, "node-10")
    assert entry["level"] == "orange", "the disposed warning was raised one level"

    overdue = await eventually(
        lambda: integrity.warnings(inspector, rule_id="INTEGRITY-DISPOSITION-OVERDUE"), what="the overdue warning"
    )
    assert overdue[0]["level"] == "orange" and overdue[0]["subject_id"] == disposition["id"]
    assert overdue[0]["evidence"]["deadline"] == disposition["deadline"]
    assert overdue[0]["unit_uscc"] == unit(10) and overdue[0]["service"] == "integrity"

    later = settings.calendar.add_workdays(deadline, settings.overdue_repeat_workdays)
    assert await run_job(later) == 1
    assert await run_job(later + timedelta(days=60)) == 0, "at most overdue_max_escalations"
    assert (await integrity.registered(inspector, "node-10"))["level"] == "red"
    repeated = await integrity.registered(inspector, disposition["id"], occurrences=2)
    assert repeated["level"] == "red"

    shown = (await integrity.client.get(f"/v1/integrity/dispositions/{disposition['id']}", headers=inspector)).json()
    assert shown["escalations"] == 2 and shown["overdue_since"] == (deadline + timedelta(days=1)).isoformat()

    concluded = await integrity.client.post(
        f"/v1/integrity/dispositions/{disposition['id']}/conclusion",
        headers=inspector,
        json={"outcome": "no_issue", "conclusion": "谈话已完成"},
    )
    assert concluded.status_code == 200
    closed = await integrity.warnings(inspector, rule_id="INTEGRITY-DISPOSITION-OVERDUE")
    assert closed[0]["status"] == "closed", "concluding closes the overdue warning too"
