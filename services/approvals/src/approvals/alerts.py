"""Findings become warnings (预警): approvals' own view of each, and the ``warnings.raised.v1`` it sends.

One row per region-scoped dedupe key (the key integrity deduplicates on). A case is evaluated
whole after every write and in every sweep, so a finding is news — and is sent — only when it
is new, reopens a closed warning, raises its level, or changes what it says (its
``signature``: e.g. a further step out of order); a sweep that sees the same overdue case every
hour sends nothing. Findings of one write that share a key go out as one event with
``occurrences`` = how many there were.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.events import add_event
from sunlight.pagination import Page, PageParams, make_page
from sunlight.warnings import Level, Rule, SubjectRef, region_key, warning_event

from approvals import repository
from approvals.models import ApprovalsWarning
from approvals.schemas.cases import WarningOut

SERVICE = "approvals"
CLOSED = frozenset({"concluded", "closed", "dismissed"})
RANK = {"blue": 1, "orange": 2, "red": 3}


@dataclass
class Finding:
    """One result of a rule about a case: what a person needs to verify it, and the key it deduplicates on."""

    rule: Rule
    case_id: uuid.UUID | None
    case_no: str  # the subject's label: a case number, or a window's code
    region_code: str
    evidence: dict[str, Any]
    dedupe_key: str
    level: Level | None = None
    unit_uscc: str | None = None
    signature: str | None = None  # what must change for the same key to be news again (besides the level)
    subject_kind: str = "case"
    subject_id: str | None = None  # default: the case id

    def __post_init__(self) -> None:
        self.dedupe_key = region_key(self.region_code, self.dedupe_key)
        if self.subject_id is None:
            self.subject_id = str(self.case_id)

    @property
    def effective_level(self) -> Level:
        return self.level or self.rule.level


def signature(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


async def raise_findings(session: AsyncSession, findings: Sequence[Finding], *, now: datetime) -> int:
    """Record these findings and send the news among them; returns how many events were added."""
    if not findings:
        return 0
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.dedupe_key, []).append(f)
    rows = await repository.warnings_by_keys(session, set(grouped))
    sent = 0
    for key, same in grouped.items():
        finding = max(same, key=lambda f: RANK[f.effective_level.value])
        level = finding.effective_level
        row = rows.get(key)
        if row is None:
            row = ApprovalsWarning(
                dedupe_key=key,
                rule_id=finding.rule.id,
                level=level.value,
                title=finding.rule.title,
                subject_kind=finding.subject_kind,
                subject_id=str(finding.subject_id),
                subject_label=finding.case_no,
                case_id=finding.case_id,
                region_code=finding.region_code,
                unit_uscc=finding.unit_uscc,
                evidence=finding.evidence,
                signature=finding.signature,
                occurrences=len(same),
                first_raised_at=now,
                last_raised_at=now,
            )
            session.add(row)
        else:
            reopened = row.status in CLOSED
            escalated = RANK[level.value] > RANK.get(row.level, 0)
            changed = finding.signature is not None and finding.signature != row.signature
            row.evidence = finding.evidence
            if not (reopened or escalated or changed):
                continue
            if reopened:
                row.status = "open"
            row.level = level.value if (reopened or escalated) else row.level
            row.signature = finding.signature
            row.occurrences += len(same)
            row.last_raised_at = now
            level = Level(row.level)
        add_event(
            session,
            warning_event(
                finding.rule,
                service=SERVICE,
                subject=SubjectRef(
                    service=SERVICE, kind=finding.subject_kind, id=str(finding.subject_id), label=finding.case_no
                ),
                region_code=finding.region_code,
                unit_uscc=finding.unit_uscc,
                evidence=finding.evidence,
                level=level,
                dedupe_key=key,
                occurred_at=now,
                occurrences=len(same),
            ),
        )
        sent += 1
    return sent


def worst_level(levels: Sequence[str | None]) -> str | None:
    known = [lv for lv in levels if lv in RANK]
    return max(known, key=lambda lv: RANK[lv]) if known else None


async def list_warnings(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    rule_id: str | None,
    level: str | None,
    case_id: uuid.UUID | None,
) -> Page[WarningOut]:
    rows = await repository.warnings(session, who.region_prefixes, page, rule_id=rule_id, level=level, case_id=case_id)
    return make_page(rows, page, lambda w: [w.last_raised_at.isoformat(), str(w.id)], warning_out)


def warning_out(row: ApprovalsWarning) -> WarningOut:
    return WarningOut(
        id=row.id,
        dedupe_key=row.dedupe_key,
        rule_id=row.rule_id,
        level=row.level,  # type: ignore[arg-type]
        title=row.title,
        case_id=row.case_id,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        region_code=row.region_code,
        evidence=row.evidence,
        occurrences=row.occurrences,
        status=row.status,
        disposition=row.disposition,
        outcome=row.outcome,
        correct_by=row.correct_by,
        first_seen_at=row.first_raised_at,
        last_seen_at=row.last_raised_at,
    )
