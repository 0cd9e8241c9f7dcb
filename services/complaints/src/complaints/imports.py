"""Bulk import of a bureau's hotline records (12345 / 311): ``POST /v1/complaints/reports/batch``.

Every record becomes a report (channel ``hotline``, no receipt, no identity) accepted at intake, with the
bureau's own deadline (``due_at``) or the statutory one; a record closed after its deadline, or still open
past it, raises COMPLAINTS-CONCLUSION-LATE (one warning event per report). Records are grouped like any
report. The whole batch is one transaction; the same ``batch_key`` again returns the first result and
writes nothing; a record whose ``external_id`` was imported before is skipped.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.batches import BatchKeyReused
from sunlight.db import utcnow
from sunlight.events import add_event

from complaints import alerts, deadlines, events, grouping, intake, repository, rules
from complaints.models import Channel, ImportBatch, Report, Status, StepKind
from complaints.schemas.imports import BatchOut, HotlineRecordIn
from complaints.service import add_step
from complaints.settings import ComplaintsSettings

ACTOR = "import"


def _fingerprint(records: list[HotlineRecordIn]) -> str:
    raw = json.dumps([r.model_dump(mode="json") for r in records], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


async def import_batch(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    records: list[HotlineRecordIn],
    *,
    batch_key: str,
    now: datetime | None = None,
) -> BatchOut:
    now = now or utcnow()
    for record in records:
        who.ensure_can_write(record.region_code)
    fingerprint = _fingerprint(records)
    done = await repository.batch(session, who.subject, batch_key)
    if done is not None:
        if done.fingerprint != fingerprint:
            raise BatchKeyReused("use a new batch_key for a different batch")
        return BatchOut.model_validate(done.result)
    seen = await repository.external_ids(session, (r.external_id for r in records))
    today = deadlines.today(settings, now)
    findings: dict[str, alerts.Finding] = {}
    imported = grouped = 0
    for record in records:
        if record.external_id in seen:
            continue
        seen.add(record.external_id)
        report = await write_record(session, settings, record, findings, today=today, now=now)
        grouped += report.group_id != report.id
        imported += 1
    late_count = sum(1 for f in findings.values() if f.rule is rules.CONCLUSION_LATE)
    await alerts.raise_findings(session, list(findings.values()), now=now, repeat=True)
    out = BatchOut(
        batch_key=batch_key, imported=imported, skipped=len(records) - imported, late=late_count, grouped=grouped
    )
    session.add(
        ImportBatch(owner=who.subject, batch_key=batch_key, fingerprint=fingerprint, result=out.model_dump(mode="json"))
    )
    await session.commit()
    return out


def add_finding(findings: dict[str, alerts.Finding], finding: alerts.Finding) -> None:
    """Findings of one write with one key become one event with ``occurrences=N``."""
    previous = findings.get(finding.dedupe_key)
    if previous is not None:
        finding.occurrences = previous.occurrences + 1
    findings[finding.dedupe_key] = finding


async def write_record(
    session: AsyncSession,
    settings: ComplaintsSettings,
    record: HotlineRecordIn,
    findings: dict[str, alerts.Finding],
    *,
    today: date,
    now: datetime,
    channel: Channel = Channel.HOTLINE,
    group: bool = True,
) -> Report:
    """One imported record as an accepted (or closed) report with its steps; its findings added to ``findings``
    (a repeated subject when ``group``; a conclusion after, or an open report past, its deadline)."""
    report, key, _vault = intake.new_report(
        settings,
        category=record.category.value,
        region_code=record.region_code,
        subject=record.subject,
        text=record.text,
        channel=channel,
        anonymous=True,
        identity=None,
        received_at=record.received_at,
        now=now,
    )
    report.external_id = record.external_id
    report.status = Status.ACCEPTED
    report.decided_at = record.received_at
    report.handling_unit_uscc = record.handling_unit_uscc
    report.conclude_due = (
        deadlines.today(settings, record.due_at)
        if record.due_at is not None
        else deadlines.add_days(settings, report.received_on, settings.conclusion_days)
    )
    if record.closed_at is not None:
        report.status = Status.CLOSED
        report.concluded_at = report.closed_at = record.closed_at
    if not group:
        report.signature = None  # no free text to compare (e.g. an event log): never grouped on it
    session.add(report)
    session.add(key)
    if group:
        await grouping.add_bands(session, report)
    add_step(session, report, StepKind.FILED, ACTOR, details={"channel": channel.value}, now=record.received_at)
    if record.closed_at is not None:
        add_step(session, report, StepKind.CLOSED, ACTOR, now=record.closed_at)
    await session.flush()
    if group:
        repeated = await grouping.place(session, settings, report, now=now)
        if repeated is not None:
            add_finding(findings, repeated)
    else:
        report.group_id = report.id
    closed_on = deadlines.today(settings, record.closed_at) if record.closed_at else None
    level = rules.handled_late(settings, conclude_due=report.conclude_due, done_on=closed_on, today=today)
    if level is not None:
        late = deadlines.days_late(settings, report.conclude_due, closed_on or today)
        finding = alerts.Finding(
            rule=rules.CONCLUSION_LATE,
            subject=alerts.report_subject(report.id),
            region_code=report.region_code,
            evidence={
                "report_id": str(report.id),
                "external_id": record.external_id,
                "decided_on": report.received_on.isoformat(),
                "conclude_due": report.conclude_due.isoformat(),
                "concluded_on": closed_on.isoformat() if closed_on else None,
                "extended_days": 0,
                "days_late": late,
            },
            dedupe_key=f"{rules.CONCLUSION_LATE.id}:report:{report.id}:0",
            report_id=report.id,
            level=level,
            unit_uscc=report.handling_unit_uscc,
        )
        findings[finding.dedupe_key] = finding
    add_event(session, events.report_filed(report))
    return report
