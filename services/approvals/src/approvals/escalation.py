"""Escalation of enforcement warnings after integrity's dispositions (提醒 → 问询 → 直接核查).

Integrity owns every warning's state. Approvals *learns* it from ``warnings.disposed.v1`` (``apply_disposition``:
its view of the warning records the disposition, the outcome and, for a reminder, an inquiry or a direct
review, the working day by which the subject must be corrected) and never changes a warning itself. When the
sweep finds that day passed and the penalty still uncorrected — no later decision within its band corrects
it — it raises a *new* finding, APPROVALS-ENFORCEMENT-UNCORRECTED, keyed on the disposition (one per rung of
the ladder), with the evidence: which warning, which disposition, when, the deadline, the next rung. Integrity
registers it and decides what happens next.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.warnings import DispositionOutcome, register_status
from sunlight.workdays import CalendarNotCovered

from approvals import alerts, repository
from approvals import rules_enforcement as rules
from approvals.settings import ApprovalsSettings

log = logging.getLogger("approvals.escalation")


async def apply_disposition(session: AsyncSession, settings: ApprovalsSettings, data: WarningDisposed) -> None:
    """Record what integrity decided about one of approvals' warnings (others' warnings are not ours)."""
    if data.subject.service != alerts.SERVICE:
        return
    row = (await repository.warnings_by_keys(session, {data.dedupe_key})).get(data.dedupe_key)
    if row is None:
        log.info("disposition of a warning approvals never raised (%s); ignored", data.rule_id)
        return
    if row.disposed_at is not None and data.disposed_at < row.disposed_at:
        log.info("disposition older than the one applied; ignored")
        return
    row.status, row.disposition = register_status(data.status, data.outcome), data.disposition
    row.outcome = data.outcome if data.outcome in {o.value for o in DispositionOutcome} else None
    row.disposed_at, row.integrity_warning_id = data.disposed_at, data.warning_id
    days = settings.enforcement_correct_days.get(data.disposition)
    row.correct_by = None
    if days is not None and row.rule_id in rules.CORRECTABLE and data.status not in alerts.CLOSED:
        try:
            row.correct_by = settings.calendar.add_workdays(data.disposed_at.astimezone(settings.zone).date(), days)
        except CalendarNotCovered:
            log.warning("disposition dated outside the working-day calendar: no correction deadline")


async def uncorrected_findings(
    session: AsyncSession, settings: ApprovalsSettings, *, today: date
) -> list[alerts.Finding]:
    """The sweep's part: one finding per disposed enforcement warning whose subject is still uncorrected."""
    rows = await repository.warnings_past_correction(
        session, rule_ids=rules.CORRECTABLE, dispositions=rules.LADDER, today=today
    )
    decisions = await repository.penalties_by_ids(session, {uuid.UUID(r.subject_id) for r in rows})
    correcting = await repository.penalties_by_ids(
        session, {d.corrected_by_id for d in decisions.values() if d.corrected_by_id}
    )
    out: list[alerts.Finding] = []
    for row in rows:
        decision = decisions.get(uuid.UUID(row.subject_id))
        if decision is None:
            continue
        fix = correcting.get(decision.corrected_by_id) if decision.corrected_by_id else None
        if fix is not None and fix.within_band:
            continue
        assert row.disposition is not None and row.disposed_at is not None and row.correct_by is not None
        out.append(
            alerts.Finding(
                rule=rules.UNCORRECTED,
                level=rules.uncorrected_level(row.disposition),
                case_id=None,
                case_no=decision.decision_no,
                region_code=decision.region_code,
                subject_kind="penalty",
                subject_id=str(decision.id),
                dedupe_key=f"{rules.UNCORRECTED.id}:penalty:{decision.id}:after:{row.disposition}",
                evidence={
                    "decision_no": decision.decision_no,
                    "warning_rule_id": row.rule_id,
                    "warning_key": row.dedupe_key,
                    "integrity_warning_id": row.integrity_warning_id,
                    "disposition": row.disposition,
                    "disposed_on": row.disposed_at.astimezone(settings.zone).date().isoformat(),
                    "correct_by": row.correct_by.isoformat(),
                    "corrected_by": str(fix.id) if fix is not None else None,
                    "next_disposition": rules.next_disposition(row.disposition),
                },
            )
        )
    return out
