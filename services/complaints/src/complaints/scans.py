"""The periodic work: late acceptance and late conclusion (on the statutory calendar), and retention.

Run every ``scan_every_seconds`` by the service and on demand (``POST /v1/complaints/scans``, nationwide
administrators). A scan's finding is sent when new or when its level rose (orange → red), so an hourly scan
does not repeat itself. Retention: a closed, rejected or referred report whose retention period ended has
its data key, content, identity, signature and notes destroyed; its category, region and dates remain
(anonymous figures).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.app import Job
from sunlight.db import utcnow

from complaints import alerts, deadlines, repository, rules
from complaints.errors import FutureScan
from complaints.models import Report, Status, Step, StepKind
from complaints.schemas.reports import ScanOut
from complaints.service import add_step
from complaints.settings import ComplaintsSettings


async def scan_deadlines(session: AsyncSession, settings: ComplaintsSettings, *, now: datetime) -> tuple[int, int]:
    """Findings for undecided and unconcluded reports past their deadlines; returns what was sent."""
    on = deadlines.today(settings, now)
    findings: list[alerts.Finding] = []
    for report in await repository.undecided_due(session, on):
        late = rules.acceptance_late(settings, status=report.status, accept_due=report.accept_due, on=on)
        if late:
            findings.append(
                alerts.Finding(
                    rule=rules.ACCEPTANCE_LATE,
                    subject=alerts.report_subject(report.id),
                    region_code=report.region_code,
                    evidence={
                        "report_id": str(report.id),
                        "received_on": report.received_on.isoformat(),
                        "accept_due": report.accept_due.isoformat(),
                        "days_late": late,
                        "acceptance_days": settings.acceptance_days,
                    },
                    dedupe_key=f"{rules.ACCEPTANCE_LATE.id}:report:{report.id}",
                    report_id=report.id,
                    unit_uscc=report.handling_unit_uscc,
                )
            )
    accepted = len(findings)
    for report in await repository.unconcluded_due(session, on):
        level = rules.conclusion_late(settings, status=report.status, conclude_due=report.conclude_due, on=on)
        if level is None or report.conclude_due is None:
            continue
        findings.append(
            alerts.Finding(
                rule=rules.CONCLUSION_LATE,
                subject=alerts.report_subject(report.id),
                region_code=report.region_code,
                evidence={
                    "report_id": str(report.id),
                    "decided_on": report.decided_at.date().isoformat() if report.decided_at else None,
                    "conclude_due": report.conclude_due.isoformat(),
                    "extended_days": report.extended_days,
                    "days_late": deadlines.days_late(settings, report.conclude_due, on),
                },
                dedupe_key=f"{rules.CONCLUSION_LATE.id}:report:{report.id}:{report.reopened}",
                report_id=report.id,
                level=level,
                unit_uscc=report.handling_unit_uscc,
            )
        )
    sent_accept = await alerts.raise_findings(session, findings[:accepted], now=now, repeat=False)
    sent_conclude = await alerts.raise_findings(session, findings[accepted:], now=now, repeat=False)
    return sent_accept, sent_conclude


def retention_days(settings: ComplaintsSettings, category: str) -> int:
    return settings.retention_days.get(category, settings.retention_days.get("default", 5 * 365))


async def purge_expired(session: AsyncSession, settings: ComplaintsSettings, *, now: datetime) -> int:
    shortest = min(settings.retention_days.values(), default=5 * 365)
    purged = 0
    for report in await repository.finished_before(session, now - timedelta(days=shortest)):
        assert report.closed_at is not None
        if report.closed_at > now - timedelta(days=retention_days(settings, report.category)):
            continue
        await repository.destroy(session, report.id)
        report.status = Status.PURGED
        report.content_sealed = report.identity_sealed = report.signature = None
        report.receipt_hash = report.receipt_lookup = None
        report.assignee = None
        await session.execute(update(Step).where(Step.report_id == report.id).values(note_sealed=None))  # type: ignore[arg-type]
        add_step(session, report, StepKind.PURGED, "system", now=now)
        purged += 1
    return purged


async def run_scans(session: AsyncSession, settings: ComplaintsSettings, *, now: datetime) -> ScanOut:
    accept, conclude = await scan_deadlines(session, settings, now=now)
    purged = await purge_expired(session, settings, now=now)
    await session.commit()
    return ScanOut(as_of=now, acceptance_late=accept, conclusion_late=conclude, purged=purged)


async def scan_now(session: AsyncSession, settings: ComplaintsSettings, *, as_of: datetime | None = None) -> ScanOut:
    now = utcnow()
    if as_of is not None and as_of.tzinfo is None:
        raise FutureScan("as_of needs a time zone (e.g. 2026-03-01T00:00:00Z)", field="as_of")
    if as_of is not None and as_of > now:
        raise FutureScan("as_of lies in the future", field="as_of")
    return await run_scans(session, settings, now=as_of or now)


def job(settings: ComplaintsSettings) -> Job:
    async def run(app: FastAPI) -> None:
        async with app.state.db.sessions() as session:
            await run_scans(session, app.state.settings, now=utcnow())

    return Job("complaints-scans", settings.scan_every_seconds, run)


__all__ = ["Report", "job", "purge_expired", "run_scans", "scan_deadlines", "scan_now"]
