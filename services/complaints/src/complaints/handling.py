"""The registrar's and handlers' steps: decide (accept / refer / reject), assign, extend, conclude,
reply, review an appeal. Every step is a row of the report's history; notes are sealed.

A refused step that must leave a trace (an extension beyond the law, a referral to the reported unit)
records its warning, completes the Idempotency-Key with the problem, commits, then raises — as funds does
with an overspend.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import Problem
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from complaints import alerts, deadlines, grouping, repository, rules
from complaints.errors import ConflictOfInterest, ExtensionExceeded, WrongState
from complaints.models import Report, Status, StepKind
from complaints.schemas.reports import (
    AssignIn,
    ConclusionIn,
    Decision,
    DecisionIn,
    ExtensionIn,
    GroupOut,
    ReplyIn,
    ReportOut,
    ReportSummaryOut,
    ReviewDecision,
    ReviewIn,
    StepOut,
)
from complaints.service import add_step, report_out, step_out, summary_out, vault_of, visible_report
from complaints.settings import ComplaintsSettings


def _expect(report: Report, *states: Status) -> None:
    if report.status not in states:
        allowed = ", ".join(s.value for s in states)
        raise WrongState(f"the report is {report.status}; this step needs {allowed}", status_now=report.status)


async def _refuse(
    session: AsyncSession,
    who: Principal,
    key: IdempotencyKey | None,
    finding: alerts.Finding,
    problem: Problem,
    now: datetime,
) -> None:
    await alerts.raise_findings(session, [finding], now=now, repeat=True)
    await idempotency.complete(session, who, key, problem.status, problem)
    await session.commit()
    raise problem


async def _done(
    session: AsyncSession, settings: ComplaintsSettings, who: Principal, key: IdempotencyKey | None, report: Report
) -> ReportOut:
    await session.flush()
    out = await report_out(session, settings, report)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def decide(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: DecisionIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.RECEIVED)
    vault = await vault_of(session, settings, report)
    if body.decision == Decision.ACCEPT:
        report.status = Status.ACCEPTED
        report.conclude_due = deadlines.add_days(settings, deadlines.today(settings, now), settings.conclusion_days)
        details = {"conclude_due": report.conclude_due.isoformat()}
        add_step(
            session,
            report,
            StepKind.ACCEPTED,
            who.subject,
            vault=vault,
            note=body.reason,
            visible=True,
            details=details,
            now=now,
        )
    elif body.decision == Decision.REFER:
        if rules.referred_to_subject(handling_unit=body.unit_uscc, subject_unit=report.subject_unit_uscc):
            finding = alerts.Finding(
                rule=rules.REFERRED_TO_SUBJECT,
                subject=alerts.report_subject(report.id),
                region_code=report.region_code,
                evidence={
                    "report_id": str(report.id),
                    "unit_uscc": body.unit_uscc,
                    "subject_kind": report.subject_kind,
                },
                dedupe_key=f"{rules.REFERRED_TO_SUBJECT.id}:report:{report.id}",
                report_id=report.id,
                unit_uscc=body.unit_uscc,
            )
            problem = ConflictOfInterest(
                "the report is about the unit it would be referred to", unit_uscc=body.unit_uscc
            )
            await _refuse(session, who, key, finding, problem, now)
        report.status = Status.REFERRED
        report.handling_unit_uscc = body.unit_uscc
        report.closed_at = now
        add_step(
            session,
            report,
            StepKind.REFERRED,
            who.subject,
            vault=vault,
            note=body.reason,
            visible=True,
            details={"unit_uscc": body.unit_uscc},
            now=now,
        )
    else:
        report.status = Status.REJECTED
        report.closed_at = now
        add_step(session, report, StepKind.REJECTED, who.subject, vault=vault, note=body.reason, visible=True, now=now)
    report.decided_at = now
    return await _done(session, settings, who, key, report)


async def assign(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: AssignIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.RECEIVED, Status.ACCEPTED)
    if rules.referred_to_subject(handling_unit=body.unit_uscc, subject_unit=report.subject_unit_uscc):
        finding = alerts.Finding(
            rule=rules.REFERRED_TO_SUBJECT,
            subject=alerts.report_subject(report.id),
            region_code=report.region_code,
            evidence={"report_id": str(report.id), "unit_uscc": body.unit_uscc, "subject_kind": report.subject_kind},
            dedupe_key=f"{rules.REFERRED_TO_SUBJECT.id}:report:{report.id}",
            report_id=report.id,
            unit_uscc=body.unit_uscc,
        )
        await _refuse(session, who, key, finding, ConflictOfInterest("the report is about this unit"), now)
    report.assignee = body.assignee
    if body.unit_uscc is not None:
        report.handling_unit_uscc = body.unit_uscc
    add_step(
        session,
        report,
        StepKind.ASSIGNED,
        who.subject,
        details={"assignee": body.assignee, "unit_uscc": body.unit_uscc},
        now=now,
    )
    return await _done(session, settings, who, key, report)


async def extend(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: ExtensionIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.ACCEPTED)
    assert report.conclude_due is not None
    if not rules.extension_allowed(
        settings, extensions=report.extensions, extended_days=report.extended_days, days=body.days
    ):
        evidence = {
            "report_id": str(report.id),
            "extensions": report.extensions,
            "extended_days": report.extended_days,
            "requested_days": body.days,
            "extension_max_days": settings.extension_max_days,
            "extension_max_count": settings.extension_max_count,
        }
        finding = alerts.Finding(
            rule=rules.EXTENSION_EXCEEDED,
            subject=alerts.report_subject(report.id),
            region_code=report.region_code,
            evidence=evidence,
            dedupe_key=f"{rules.EXTENSION_EXCEEDED.id}:report:{report.id}",
            report_id=report.id,
            unit_uscc=report.handling_unit_uscc,
        )
        problem = ExtensionExceeded(
            f"{report.extensions} extension(s) of {report.extended_days} days granted; the law allows "
            f"{settings.extension_max_count} of at most {settings.extension_max_days} days",
            extended_days=report.extended_days,
            extension_max_days=settings.extension_max_days,
        )
        await _refuse(session, who, key, finding, problem, now)
    vault = await vault_of(session, settings, report)
    report.conclude_due = deadlines.add_days(settings, report.conclude_due, body.days)
    report.extensions += 1
    report.extended_days += body.days
    add_step(
        session,
        report,
        StepKind.EXTENDED,
        who.subject,
        vault=vault,
        note=body.reason,
        visible=True,
        details={"days": body.days, "conclude_due": report.conclude_due.isoformat()},
        now=now,
    )
    return await _done(session, settings, who, key, report)


async def conclude(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: ConclusionIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.ACCEPTED)
    vault = await vault_of(session, settings, report)
    report.status = Status.CONCLUDED
    report.concluded_at = now
    report.outcome = body.outcome.value
    add_step(
        session,
        report,
        StepKind.CONCLUDED,
        who.subject,
        vault=vault,
        note=body.findings,
        details={"outcome": body.outcome.value},
        now=now,
    )
    answerable = report.receipt_hash is not None
    if rules.reply_missing(
        answerable=answerable, replied=report.replied_at is not None, reply_given=body.reply is not None
    ):
        finding = alerts.Finding(
            rule=rules.REPLY_MISSING,
            subject=alerts.report_subject(report.id),
            region_code=report.region_code,
            evidence={"report_id": str(report.id), "concluded_at": now.isoformat(), "outcome": body.outcome.value},
            dedupe_key=f"{rules.REPLY_MISSING.id}:report:{report.id}",
            report_id=report.id,
            unit_uscc=report.handling_unit_uscc,
        )
        await alerts.raise_findings(session, [finding], now=now, repeat=True)
    if body.reply is not None:
        report.replied_at = now
        add_step(session, report, StepKind.REPLIED, who.subject, vault=vault, note=body.reply, visible=True, now=now)
    return await _done(session, settings, who, key, report)


async def reply(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: ReplyIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.RECEIVED, Status.ACCEPTED, Status.CONCLUDED, Status.APPEALED)
    vault = await vault_of(session, settings, report)
    report.replied_at = now
    add_step(session, report, StepKind.REPLIED, who.subject, vault=vault, note=body.text, visible=True, now=now)
    return await _done(session, settings, who, key, report)


async def review(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    body: ReviewIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> ReportOut:
    """Decide the reporter's appeal: uphold (the report closes) or reopen (handled again, a new period)."""
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id, for_update=True)
    _expect(report, Status.APPEALED)
    vault = await vault_of(session, settings, report)
    if body.decision == ReviewDecision.UPHOLD:
        report.status = Status.CLOSED
        report.closed_at = now
        add_step(
            session, report, StepKind.REVIEW_UPHELD, who.subject, vault=vault, note=body.reason, visible=True, now=now
        )
    else:
        previous = report.outcome
        report.status = Status.ACCEPTED
        report.reopened += 1
        report.outcome = None
        report.concluded_at = None
        report.conclude_due = deadlines.add_days(settings, deadlines.today(settings, now), settings.conclusion_days)
        add_step(
            session,
            report,
            StepKind.REOPENED,
            who.subject,
            vault=vault,
            note=body.reason,
            visible=True,
            details={"conclude_due": report.conclude_due.isoformat()},
            now=now,
        )
        finding = alerts.Finding(
            rule=rules.REOPENED,
            subject=alerts.report_subject(report.id),
            region_code=report.region_code,
            evidence={
                "report_id": str(report.id),
                "reopened": report.reopened,
                "outcome": previous,
            },
            dedupe_key=f"{rules.REOPENED.id}:report:{report.id}",
            report_id=report.id,
            unit_uscc=report.handling_unit_uscc,
        )
        await alerts.raise_findings(session, [finding], now=now, repeat=True)
    return await _done(session, settings, who, key, report)


async def list_reports(
    session: AsyncSession, who: Principal, page: PageParams, **where: object
) -> Page[ReportSummaryOut]:
    rows = await repository.reports(session, who.region_prefixes, page, dict(where))
    return make_page(rows, page, lambda r: [r.filed_at.isoformat(), str(r.id)], summary_out)


async def timeline(
    session: AsyncSession, settings: ComplaintsSettings, who: Principal, report_id: uuid.UUID, page: PageParams
) -> Page[StepOut]:
    report = await visible_report(session, who, report_id)
    vault = None if report.status == Status.PURGED else await vault_of(session, settings, report)
    rows = await repository.steps(session, report.id, page)
    return make_page(rows, page, lambda s: [s.at.isoformat(), str(s.id)], lambda s: step_out(s, vault))


async def split_from_group(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    reason: str,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> GroupOut:
    """A handler undoes a wrong grouping: the report becomes its own group and is never regrouped."""
    now = now or utcnow()
    await idempotency.begin(session, who, key)
    await grouping.split(session, settings, who, report_id, reason, now=now)
    await session.flush()
    out = await grouping.group_of(session, who, report_id)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out
