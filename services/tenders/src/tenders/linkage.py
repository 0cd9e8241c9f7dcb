"""Supervision linkage (联动): a complaint naming a tender raises its findings one level.

Integrity owns the warnings' state; tenders re-sends each finding of the tender with the same
region-scoped dedupe key at the next level (blue → orange → red), the complaint in its evidence.
A tender without findings gets a blue TENDERS-COMPLAINT finding.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import utcnow
from sunlight.events import add_event
from sunlight.events.consumer import PermanentError
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.warnings import Level, SubjectRef, warning_event

from tenders import repository, rules
from tenders.findings import SERVICE, Found, raise_findings


async def link_complaint(session: AsyncSession, data: ReportFiled, *, now: datetime | None = None) -> None:
    subject = data.subject
    if subject is None or subject.service != SERVICE:
        return
    if subject.kind != "tender":
        raise PermanentError(f"tenders links complaints to tenders, not to a {subject.kind}")
    try:
        tender_id = uuid.UUID(subject.id)
    except ValueError:
        raise PermanentError("the complaint names no tender id") from None
    tender = await repository.tender(session, tender_id)
    if tender is None:
        raise PermanentError("the complaint names a tender tenders does not know")
    now = now or utcnow()
    extra = {"complaint_report_id": data.report_id, "complaint_category": data.category}
    rows = await repository.findings_of_tender(session, tender.id)
    for row in rows:
        level = Level(row.level).raised()
        row.level = level.value
        row.occurrences += 1
        row.last_raised_at = now
        row.evidence = {**row.evidence, **extra}
        add_event(
            session,
            warning_event(
                rules.RULES[row.rule_id],
                service=SERVICE,
                subject=SubjectRef(service=SERVICE, kind=row.subject_kind, id=row.subject_id, label=tender.code),
                region_code=row.region_code,
                evidence=row.evidence,
                level=level,
                dedupe_key=row.dedupe_key,
                occurred_at=now,
            ),
        )
    if rows:
        return
    finding = Found.about_tender(
        tender,
        rule=rules.COMPLAINT,
        evidence={
            "report_id": data.report_id,
            "category": data.category,
            "tender_id": str(tender.id),
            "filed_at": data.filed_at.isoformat(),
        },
        dedupe_key=f"{rules.COMPLAINT.id}:tender:{tender.id}",
    )
    await raise_findings(session, [finding], now=now)
