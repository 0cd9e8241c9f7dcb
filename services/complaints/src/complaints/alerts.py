"""Findings become warnings (预警): complaints' own row per dedupe key, and the ``warnings.raised.v1`` it sends.

A finding made at a write (a refused extension, a referral to the reported unit, a conclusion without a
reply, a reopened report, a repeated subject) is sent every time; a periodic scan's finding only when it is
new or its level rose, so an hourly scan does not repeat itself. Subjects are the report (``complaints``
/``report``), or — for repeated reports — the subject in the service that owns it. Evidence carries ids,
dates and counts, never a text or a name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import add_event
from sunlight.warnings import Level, Rule, SubjectRef, region_key, warning_event

from complaints import repository
from complaints.models import ComplaintsWarning

SERVICE = "complaints"


@dataclass
class Finding:
    rule: Rule
    subject: SubjectRef
    region_code: str
    evidence: dict[str, Any]
    dedupe_key: str
    report_id: uuid.UUID | None = None
    level: Level | None = None
    unit_uscc: str | None = None
    occurrences: int = 1  # findings of one key in one write, sent as one event

    def __post_init__(self) -> None:
        self.dedupe_key = region_key(self.region_code, self.dedupe_key)


def report_subject(report_id: uuid.UUID) -> SubjectRef:
    return SubjectRef(service=SERVICE, kind="report", id=str(report_id), label=f"report {str(report_id)[:8]}")


def _rank(level: str) -> int:
    return {"blue": 1, "orange": 2, "red": 3}.get(level, 0)


async def raise_findings(session: AsyncSession, findings: list[Finding], *, now: datetime, repeat: bool) -> int:
    """Record and send ``findings``; returns how many events were added to the outbox."""
    rows = await repository.warnings_by_keys(session, {f.dedupe_key for f in findings})
    sent = 0
    for finding in findings:
        level = finding.level or finding.rule.level
        row = rows.get(finding.dedupe_key)
        if row is None:
            row = ComplaintsWarning(
                dedupe_key=finding.dedupe_key,
                rule_id=finding.rule.id,
                level=level.value,
                report_id=finding.report_id,
                region_code=finding.region_code,
                evidence=finding.evidence,
                occurrences=finding.occurrences,
                first_raised_at=now,
                last_raised_at=now,
            )
            session.add(row)
            rows[finding.dedupe_key] = row
        else:
            if not repeat and _rank(level.value) <= _rank(row.level):
                continue
            row.level = level.value if _rank(level.value) > _rank(row.level) else row.level
            row.occurrences += finding.occurrences
            row.evidence = finding.evidence
            row.last_raised_at = now
        add_event(
            session,
            warning_event(
                finding.rule,
                service=SERVICE,
                subject=finding.subject,
                region_code=finding.region_code,
                unit_uscc=finding.unit_uscc,
                evidence=finding.evidence,
                level=level,
                dedupe_key=finding.dedupe_key,
                occurred_at=now,
                occurrences=finding.occurrences,
            ),
        )
        sent += 1
    return sent
