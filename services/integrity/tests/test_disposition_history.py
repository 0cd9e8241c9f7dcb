"""A disposition's history (处置步骤): every step kept with who took it and when, readable in its region only."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from integrity import dispositions
from integrity.app import MIGRATIONS, create_app
from integrity.models import DispositionStep
from integrity.settings import IntegritySettings
from sqlalchemy.ext.asyncio import create_async_engine
from sunlight.db import UTCDateTime
from sunlight.migrations import upgrade
from sunlight.testing import Backend, ServiceHarness, TestKeys
from sunlight.warnings import Rule

from .conftest import IDLE, OVERSPEND, Integrity, finding, unit


def china_noon(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=UTC)  # 12:00 in Beijing time


async def open_on(
    integrity: Integrity, headers: dict[str, str], subject: str, rule: Rule = OVERSPEND, **body: Any
) -> dict[str, Any]:
    await integrity.publish(finding(rule, subject, unit_uscc=unit(11)))
    warning = await integrity.registered(headers, subject)
    opened = await integrity.client.post(
        f"/v1/integrity/warnings/{warning['id']}/dispositions", headers=headers, json=body
    )
    assert opened.status_code == 201, opened.text
    disposition: dict[str, Any] = opened.json()
    return disposition


async def stored_texts(integrity: Integrity, disposition_id: str) -> list[str | None]:
    async with integrity.app.state.db.sessions() as session:
        query = (
            sa.select(DispositionStep.text)  # type: ignore[call-overload]
            .where(DispositionStep.disposition_id == uuid.UUID(disposition_id))
            .order_by(DispositionStep.seq)
        )
        return list((await session.execute(query)).scalars().all())


async def test_every_response_stays_in_the_history_with_who_and_when(
    integrity: Integrity, keys: TestKeys, inspector, reader, beijing
):
    clerk = keys.auth(scopes="integrity:read integrity:write", regions=["130302"], sub="haigang-clerk")
    disposition = await open_on(
        integrity, inspector, "node-21", kind="inquiry", assignee="qhd-office-1", instructions="请说明拨付依据"
    )
    path = f"/v1/integrity/dispositions/{disposition['id']}"

    first = await integrity.client.post(f"{path}/response", headers=clerk, json={"response": "第一次说明: 按合同拨付"})
    assert first.status_code == 200, first.text
    second = await integrity.client.post(f"{path}/response", headers=inspector, json={"response": "补充说明: 附发票"})
    assert second.status_code == 200 and second.json()["response"] == "补充说明: 附发票", "the latest is shown"

    shown = (await integrity.client.get(path, headers=reader)).json()
    assert shown["response"] == "补充说明: 附发票" and shown["status"] == "in_progress"
    steps = shown["steps"]
    assert [(s["seq"], s["kind"], s["by"]) for s in steps] == [
        (1, "opened", "qhd-inspector"),
        (2, "response", "haigang-clerk"),
        (3, "response", "qhd-inspector"),
    ]
    assert [s["text"] for s in steps] == ["请说明拨付依据", "第一次说明: 按合同拨付", "补充说明: 附发票"]
    assert [s["status"] for s in steps] == ["open", "in_progress", "in_progress"]
    assert steps[0]["details"]["assignee"] == "qhd-office-1" and steps[0]["details"]["kind"] == "inquiry"
    assert steps[0]["details"]["deadline"] == disposition["deadline"]
    times = [datetime.fromisoformat(s["at"]) for s in steps]
    assert times == sorted(times) and times[0] == datetime.fromisoformat(disposition["opened_at"])

    concluded = await integrity.client.post(
        f"{path}/conclusion", headers=inspector, json={"outcome": "no_issue", "conclusion": "说明属实, 予以了结"}
    )
    assert concluded.status_code == 200, concluded.text
    late = await integrity.client.post(f"{path}/response", headers=clerk, json={"response": "第三次说明"})
    assert late.status_code == 409 and late.json()["type"].endswith("/disposition-concluded")

    page = await integrity.client.get(f"{path}/steps", headers=reader, params={"limit": 3})
    assert page.status_code == 200, page.text
    assert [s["seq"] for s in page.json()["items"]] == [1, 2, 3] and page.json()["next_cursor"]
    rest = await integrity.client.get(
        f"{path}/steps", headers=reader, params={"limit": 3, "cursor": page.json()["next_cursor"]}
    )
    assert rest.json()["next_cursor"] is None
    (last,) = rest.json()["items"]
    assert (last["seq"], last["kind"], last["by"], last["status"]) == (4, "concluded", "qhd-inspector", "concluded")
    assert last["text"] == "说明属实, 予以了结" and last["details"] == {"outcome": "no_issue", "holding": False}
    assert datetime.fromisoformat(last["at"]) == datetime.fromisoformat(concluded.json()["concluded_at"])
    assert len((await integrity.client.get(path, headers=reader)).json()["steps"]) == 4, "the late answer left none"

    texts = await stored_texts(integrity, disposition["id"])
    assert len(texts) == 4 and all(t for t in texts)
    for plain in ("拨付依据", "按合同", "附发票", "予以了结"):
        assert not any(plain in (t or "") for t in texts), "step texts are encrypted at rest"

    for hidden in (path, f"{path}/steps"):
        elsewhere = await integrity.client.get(hidden, headers=beijing)
        assert elsewhere.status_code == 404 and elsewhere.json()["type"].endswith("/not-found")
        assert "说明" not in elsewhere.text
    missing = await integrity.client.get(f"/v1/integrity/dispositions/{uuid.uuid4()}/steps", headers=inspector)
    assert missing.status_code == 404


async def test_overdue_escalations_are_steps_of_the_job(integrity: Integrity, inspector):
    disposition = await open_on(integrity, inspector, "node-22", IDLE, kind="reminder_talk", assignee="qhd-office-2")
    deadline = date.fromisoformat(disposition["deadline"])
    settings = integrity.settings

    async def run_job(day: date) -> int:
        async with integrity.app.state.db.sessions() as session:
            return await dispositions.escalate_overdue(session, settings=settings, now=china_noon(day))

    assert await run_job(deadline + timedelta(days=1)) == 1
    assert await run_job(deadline + timedelta(days=1)) == 0
    later = settings.calendar.add_workdays(deadline, settings.overdue_repeat_workdays)
    assert await run_job(later) == 1

    path = f"/v1/integrity/dispositions/{disposition['id']}"
    steps = (await integrity.client.get(f"{path}/steps", headers=inspector)).json()["items"]
    assert [(s["kind"], s["by"]) for s in steps] == [
        ("opened", "qhd-inspector"),
        ("escalated_overdue", "job:escalate-overdue"),
        ("escalated_overdue", "job:escalate-overdue"),
    ], "one step per escalation, none for the idempotent rerun"
    assert [s["details"]["escalation"] for s in steps[1:]] == [1, 2]
    assert [s["details"]["warning_level"] for s in steps[1:]] == ["orange", "red"], "the disposed warning rose"
    assert [s["at"][:10] for s in steps[1:]] == [(deadline + timedelta(days=1)).isoformat(), later.isoformat()]
    assert steps[1]["text"] is None and steps[1]["status"] == "open"

    concluded = await integrity.client.post(
        f"{path}/conclusion", headers=inspector, json={"outcome": "corrected", "conclusion": "谈话后已整改"}
    )
    assert concluded.status_code == 200
    shown = (await integrity.client.get(path, headers=inspector)).json()
    assert [s["seq"] for s in shown["steps"]] == [1, 2, 3, 4] and shown["steps"][-1]["kind"] == "concluded"


# --- the migration: existing dispositions get their history from their columns ------------------------

warning_table = sa.table(
    "warning",
    *(
        sa.column(c, sa.String())
        for c in (
            "rule_id",
            "level",
            "source_level",
            "title",
            "service",
            "subject_kind",
            "subject_id",
            "region_code",
            "dedupe_key",
            "status",
            "first_event_id",
            "last_event_id",
            "first_seen_month",
        )
    ),
    sa.column("id", sa.Uuid()),
    sa.column("evidence", sa.JSON()),
    sa.column("occurrences", sa.Integer()),
    *(sa.column(c, UTCDateTime()) for c in ("first_seen_at", "last_seen_at", "registered_at")),
)
disposition_table = sa.table(
    "disposition",
    *(
        sa.column(c, sa.String())
        for c in (
            "kind",
            "status",
            "rule_id",
            "region_code",
            "assignee",
            "instructions",
            "opened_by",
            "response",
            "responded_by",
            "outcome",
            "conclusion",
            "concluded_by",
        )
    ),
    sa.column("id", sa.Uuid()),
    sa.column("warning_id", sa.Uuid()),
    *(sa.column(c, sa.Integer()) for c in ("deadline_workdays", "escalations")),
    *(sa.column(c, sa.Date()) for c in ("deadline", "overdue_since")),
    *(sa.column(c, sa.Boolean()) for c in ("freeze", "holding")),
    *(sa.column(c, UTCDateTime()) for c in ("opened_at", "responded_at", "concluded_at")),
)


def _warning(n: int, at: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "rule_id": IDLE.id,
        "level": "blue",
        "source_level": "blue",
        "title": "Idle funds",
        "service": "funds",
        "subject_kind": "node",
        "subject_id": f"old-{n}",
        "region_code": "130302",
        "dedupe_key": f"old-{n}",
        "status": "in_disposition",
        "first_event_id": f"e{n}",
        "last_event_id": f"e{n}",
        "first_seen_month": at.strftime("%Y-%m"),
        "evidence": {},
        "occurrences": 1,
        "first_seen_at": at,
        "last_seen_at": at,
        "registered_at": at,
    }


async def test_the_migration_backfills_the_history_of_existing_dispositions(
    harness: ServiceHarness, backend: Backend, inspector
):
    url = await backend.empty_database("integrity")
    settings = await harness.settings(IntegritySettings, MIGRATIONS, database_url=url)
    # rows as the dispositions' schema had them (0002), then every later migration, the backfill among them
    await asyncio.to_thread(upgrade, MIGRATIONS, url, "0002")

    t0 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    seal = settings.cipher.encrypt
    concluded_warning, open_warning = _warning(1, t0), _warning(2, t0)
    concluded = {
        "id": uuid.uuid4(),
        "warning_id": concluded_warning["id"],
        "kind": "inquiry",
        "status": "concluded",
        "rule_id": IDLE.id,
        "region_code": "130302",
        "assignee": "office-1",
        "instructions": seal("旧的要求", context="disposition.instructions"),
        "deadline_workdays": 15,
        "deadline": date(2026, 9, 22),
        "freeze": False,
        "holding": False,
        "opened_at": t0,
        "opened_by": "old-inspector",
        "response": seal("旧的说明", context="disposition.response"),
        "responded_at": t0 + timedelta(days=3),
        "responded_by": "old-clerk",
        "outcome": "corrected",
        "conclusion": seal("旧的结论", context="disposition.conclusion"),
        "concluded_at": t0 + timedelta(days=5),
        "concluded_by": "old-inspector",
        "overdue_since": None,
        "escalations": 0,
    }
    overdue = {
        **concluded,
        "id": uuid.uuid4(),
        "warning_id": open_warning["id"],
        "status": "open",
        "instructions": None,
        "response": None,
        "responded_at": None,
        "responded_by": None,
        "outcome": None,
        "conclusion": None,
        "concluded_at": None,
        "concluded_by": None,
        "overdue_since": date(2026, 9, 23),
        "escalations": 2,
    }
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(warning_table), [concluded_warning, open_warning])
            await conn.execute(sa.insert(disposition_table), [concluded, overdue])
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, MIGRATIONS, url)

    async with harness.client(create_app(settings)) as client:
        answered = (await client.get(f"/v1/integrity/dispositions/{concluded['id']}/steps", headers=inspector)).json()
        late = (await client.get(f"/v1/integrity/dispositions/{overdue['id']}", headers=inspector)).json()

    steps = answered["items"]
    assert [(s["seq"], s["kind"], s["by"], s["status"]) for s in steps] == [
        (1, "opened", "old-inspector", "open"),
        (2, "response", "old-clerk", "in_progress"),
        (3, "concluded", "old-inspector", "concluded"),
    ]
    assert [s["text"] for s in steps] == ["旧的要求", "旧的说明", "旧的结论"], "the ciphertexts were copied as they are"
    assert [datetime.fromisoformat(s["at"]) for s in steps] == [t0, t0 + timedelta(days=3), t0 + timedelta(days=5)]
    assert steps[0]["details"]["assignee"] == "office-1" and steps[2]["details"]["outcome"] == "corrected"
    assert all(s["details"]["backfilled"] for s in steps)

    assert [(s["kind"], s["by"]) for s in late["steps"]] == [
        ("opened", "old-inspector"),
        ("escalated_overdue", "job:escalate-overdue"),
    ]
    assert late["steps"][1]["details"]["escalations"] == 2 and late["steps"][1]["at"].startswith("2026-09-22T16:00")


async def test_retried_and_simultaneous_responses_each_leave_one_step(integrity: Integrity, inspector):
    disposition = await open_on(integrity, inspector, "node-23", kind="inquiry", assignee="qhd-office-3")
    path = f"/v1/integrity/dispositions/{disposition['id']}"
    retried = {**inspector, "Idempotency-Key": "answer-node-23"}
    first = await integrity.client.post(f"{path}/response", headers=retried, json={"response": "说明一"})
    replay = await integrity.client.post(f"{path}/response", headers=retried, json={"response": "说明一"})
    assert first.status_code == replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"

    answers = [f"并发说明 {n}" for n in range(4)]
    sent = await asyncio.gather(
        *(integrity.client.post(f"{path}/response", headers=inspector, json={"response": a}) for a in answers)
    )
    assert [r.status_code for r in sent] == [200] * 4, [r.text for r in sent]

    steps = (await integrity.client.get(f"{path}/steps", headers=inspector)).json()["items"]
    assert [s["seq"] for s in steps] == [1, 2, 3, 4, 5, 6], "the retry added nothing; each answer is one step"
    assert steps[1]["text"] == "说明一" and sorted(s["text"] for s in steps[2:]) == answers
    shown = (await integrity.client.get(path, headers=inspector)).json()
    assert shown["response"] == steps[-1]["text"], "the disposition shows the latest answer"
