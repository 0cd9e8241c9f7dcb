"""Outcomes flowing back to reporters (监督联动的结果反馈).

A report naming a fund, tender or approval makes the owning service raise a warning on that subject, or
integrity raise the subject's open warnings a level (``complaints.report.filed.v1``). When integrity
concludes or dismisses a warning on that subject (``warnings.disposed.v1``), each report on the subject
filed before it, whose reporter asked to be told (``notify_outcome``) and still holds a receipt, gets a
message they read on follow-up: the outcome in words, nothing else — no rule, no warning id, no inspector,
no other report. One message per report, warning and final status: a redelivered or repeated event adds
nothing (``OutcomeNotice``). A disposition that stays open (``open``, ``in_progress``, or concluded as
``escalated``: a stronger one follows) is not an outcome yet. Warnings about complaints' own handling
(subject ``complaints``) are the handlers' business, not the reporter's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_contains
from sunlight.db import utcnow
from sunlight.events.contracts.warnings import WarningDisposed

from complaints import repository
from complaints.models import OutcomeNotice, StepKind
from complaints.service import add_step, vault_of
from complaints.settings import ComplaintsSettings

LINKED_SERVICES = ("funds", "tenders", "approvals")
LEAD = "您举报的事项所引发的监督预警已有处理结果："
OUTCOMES = {
    "no_issue": "经核查，未发现问题。",
    "corrected": "经核查，问题已整改。",
    "accountability": "经核查，已对相关责任人作出处理。",
    "referred": "经核查，问题已移送有关机关处理。",
    None: "已办结。",
}
DISMISSED = "经审查，不予立项处置。"


def message(data: WarningDisposed) -> str | None:
    """What the reporter is told, or None when the disposition is not an outcome yet."""
    if data.status == "dismissed":
        return LEAD + DISMISSED
    if data.status == "concluded" and data.outcome in OUTCOMES:
        return LEAD + OUTCOMES[data.outcome]
    return None


async def tell_reporters(
    session: AsyncSession, settings: ComplaintsSettings, data: WarningDisposed, *, now: datetime | None = None
) -> int:
    """Add the outcome to each report that asked for it; returns how many reports were told."""
    text = message(data)
    if text is None or data.subject.service not in LINKED_SERVICES:
        return 0
    now = now or utcnow()
    subject_key = f"{data.subject.service}:{data.subject.kind}:{data.subject.id}"
    told = 0
    for report in await repository.reports_to_tell(session, subject_key, data.disposed_at):
        branch = region_contains(report.region_code, data.region_code) or region_contains(
            data.region_code, report.region_code
        )
        if not branch or await repository.outcome_notice(session, report.id, data.warning_id, data.status):
            continue
        vault = await vault_of(session, settings, report)
        session.add(
            OutcomeNotice(
                report_id=report.id,
                warning_id=data.warning_id,
                status=data.status,
                disposed_at=data.disposed_at,
                at=now,
            )
        )
        add_step(
            session,
            report,
            StepKind.OUTCOME,
            "system",
            vault=vault,
            note=text,
            visible=True,
            details={"status": data.status, "outcome": data.outcome},
            now=now,
        )
        told += 1
    return told
