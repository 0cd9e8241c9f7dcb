"""The sweep (定期巡查): every open case evaluated as of now, so a case runs out of time even when nothing
happens to it, and every granted case still waiting for its certificate.

``run_sweep`` takes an explicit ``now`` (tests drive it with any instant); the service's periodic
job and ``POST /v1/approvals/sweeps`` call it. It repeats itself harmlessly: a warning is sent
again only when it is new, reopens a closed one, rises a level or says something new.
A case with a date in a year the working-day calendar does not cover is skipped and counted
(``not_covered``), never guessed.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.app import Job
from sunlight.db import utcnow
from sunlight.workdays import CalendarNotCovered

from approvals import alerts, checks, escalation, ratings, repository
from approvals.errors import FutureSweep
from approvals.schemas.cases import SweepOut
from approvals.settings import ApprovalsSettings

log = logging.getLogger("approvals.sweeps")
CHUNK = 500


async def run_sweep(session: AsyncSession, settings: ApprovalsSettings, *, now: datetime) -> SweepOut:
    """Every open case (and every granted one awaiting its certificate), every bad rating past its
    rectification deadline, and every disposed enforcement warning past its correction day, as of ``now``, in
    one transaction."""
    calendar = settings.calendar
    ids = await repository.open_case_ids(session)
    counts: Counter[str] = Counter()
    raised = not_covered = 0
    for start in range(0, len(ids), CHUNK):
        chunk = await repository.cases_by_ids(session, ids[start : start + CHUNK])
        steps = await repository.steps_of(session, [c.id for c in chunk])
        items = await repository.items_by_ids(session, {c.item_id for c in chunk})
        departments = await repository.departments_by_ids(session, {i.department_id for i in items.values()})
        findings: list[alerts.Finding] = []
        for case in chunk:
            item = items[case.item_id]
            department = departments.get(item.department_id) if item.department_id else None
            try:
                evaluation = checks.evaluate(
                    settings, calendar, case, item, steps[case.id], now=now,
                    unit_uscc=department.uscc if department else None,
                )  # fmt: skip
            except CalendarNotCovered:
                not_covered += 1
                continue
            findings.extend(evaluation.findings)
        counts.update(f.rule.id for f in findings)
        raised += await alerts.raise_findings(session, findings, now=now)
        await session.flush()
        levels = await repository.warnings_of_cases(session, [c.id for c in chunk])
        for case in chunk:
            case.level = alerts.worst_level(levels.get(case.id, []))
    today = now.astimezone(settings.zone).date()
    late = ratings.rating_findings(settings, await ratings.overdue_ratings(session, today), today)
    counts.update(f.rule.id for f in late)
    raised += await alerts.raise_findings(session, late, now=now)
    uncorrected = await escalation.uncorrected_findings(session, settings, today=today)
    counts.update(f.rule.id for f in uncorrected)
    raised += await alerts.raise_findings(session, uncorrected, now=now)
    await session.commit()
    if not_covered:
        log.warning("sweep skipped %s cases dated outside the working-day calendar", not_covered)
    return SweepOut(as_of=now, cases=len(ids), findings=dict(counts), raised=raised, not_covered=not_covered)


def job(settings: ApprovalsSettings) -> Job:
    async def run(app: FastAPI) -> None:
        async with app.state.db.sessions() as session:
            await run_sweep(session, app.state.settings, now=utcnow())

    return Job("approvals-sweep", settings.sweep_every_seconds, run)


async def sweep_now(session: AsyncSession, settings: ApprovalsSettings, *, as_of: datetime | None = None) -> SweepOut:
    """``POST /v1/approvals/sweeps``: the sweep, now or as of a past instant."""
    now = utcnow()
    if as_of is not None and as_of > now:
        raise FutureSweep("as_of lies in the future", field="as_of")
    return await run_sweep(session, settings, now=as_of or now)
