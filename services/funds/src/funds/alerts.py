"""Findings become warnings (预警): funds' own view of each, and the ``warnings.raised.v1`` it sends.

Funds keeps one row per dedupe key (the same key integrity deduplicates on; it starts with the
finding's region, ``sunlight.warnings.region_key``, so one row never mixes two regions). A write-time
finding is an occurrence every time (each attempt is evidence); a periodic scan's finding is
sent only when it is new, reopens a closed warning or raises its level, so an hourly scan does
not repeat itself. Dispositions from integrity come back here (status, disposition, holds).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.events import add_event
from sunlight.pagination import Page, PageParams, make_page
from sunlight.warnings import Level, Rule, SubjectRef, region_key, warning_event

from funds import repository
from funds.models import FundsWarning
from funds.schemas import SubjectOut, WarningFilter, WarningOut

SERVICE = "funds"
CLOSED = frozenset({"concluded", "closed", "dismissed"})


@dataclass
class Finding:
    """One result of a rule: what a person needs to verify it, and the key it deduplicates on."""

    rule: Rule
    subject_kind: str
    subject_id: str
    region_code: str
    evidence: dict[str, Any]
    dedupe_key: str
    label: str | None = None
    programme_id: uuid.UUID | None = None
    level: Level | None = None
    unit_uscc: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a finding belongs to one region: two regions' findings of one rule and subject never share a row
        self.dedupe_key = region_key(self.region_code, self.dedupe_key)

    @property
    def effective_level(self) -> Level:
        return self.level or self.rule.level


def _rank(level: str) -> int:
    return {"blue": 1, "orange": 2, "red": 3}.get(level, 0)


def _emit(
    session: AsyncSession, row: FundsWarning, rule: Rule, level: Level, evidence: dict[str, Any], now: datetime
) -> None:
    add_event(
        session,
        warning_event(
            rule,
            service=SERVICE,
            subject=SubjectRef(service=SERVICE, kind=row.subject_kind, id=row.subject_id, label=row.subject_label),
            region_code=row.region_code,
            unit_uscc=row.unit_uscc,
            evidence=evidence,
            level=level,
            dedupe_key=row.dedupe_key,
            occurred_at=now,
        ),
    )


async def raise_findings(session: AsyncSession, findings: Sequence[Finding], *, now: datetime, repeat: bool) -> int:
    """Record and send these findings; returns how many ``warnings.raised.v1`` were added to the outbox."""
    if not findings:
        return 0
    rows = await repository.warnings_by_keys(session, {f.dedupe_key for f in findings})
    sent = 0
    for finding in findings:
        level = finding.effective_level
        row = rows.get(finding.dedupe_key)
        if row is None:
            row = FundsWarning(
                dedupe_key=finding.dedupe_key,
                rule_id=finding.rule.id,
                level=level.value,
                title=finding.rule.title,
                subject_kind=finding.subject_kind,
                subject_id=finding.subject_id,
                subject_label=finding.label,
                programme_id=finding.programme_id,
                region_code=finding.region_code,
                unit_uscc=finding.unit_uscc,
                evidence=finding.evidence,
                first_raised_at=now,
                last_raised_at=now,
            )
            session.add(row)
            rows[finding.dedupe_key] = row
        else:
            reopened = row.status in CLOSED
            escalated = _rank(level.value) > _rank(row.level)
            if not (repeat or reopened or escalated):
                continue
            if reopened:
                row.status, row.disposition, row.outcome, row.disposed_at = "open", None, None, None
                row.level = level.value
            elif escalated:
                row.level = level.value
            row.occurrences += 1
            row.evidence = finding.evidence
            row.last_raised_at = now
        _emit(session, row, finding.rule, level, finding.evidence, now)
        sent += 1
    return sent


async def escalate(
    session: AsyncSession, row: FundsWarning, rule: Rule, *, extra: dict[str, Any], now: datetime
) -> None:
    """Raise an open warning one level (a complaint names its subject): same dedupe key, higher level."""
    level = Level(row.level).raised()
    row.level = level.value
    row.occurrences += 1
    row.last_raised_at = now
    row.evidence = {**row.evidence, **extra}
    _emit(session, row, rule, level, row.evidence, now)


async def list_warnings(
    session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams
) -> Page[WarningOut]:
    rows = await repository.warnings(session, who.region_prefixes, where, page)
    frozen = await repository.frozen_keys(session, [r.dedupe_key for r in rows])
    return make_page(
        rows,
        page,
        lambda w: [w.last_raised_at.isoformat(), str(w.id)],
        lambda w: warning_out(w, frozen=w.dedupe_key in frozen),
    )


def warning_out(row: FundsWarning, *, frozen: bool) -> WarningOut:
    return WarningOut(
        id=row.id,
        dedupe_key=row.dedupe_key,
        rule_id=row.rule_id,
        level=row.level,
        title=row.title,
        subject=SubjectOut(kind=row.subject_kind, id=row.subject_id, label=row.subject_label),
        programme_id=row.programme_id,
        region_code=row.region_code,
        evidence=row.evidence,
        occurrences=row.occurrences,
        status=row.status,
        disposition=row.disposition,
        outcome=row.outcome,
        frozen=frozen,
        first_raised_at=row.first_raised_at,
        last_raised_at=row.last_raised_at,
        disposed_at=row.disposed_at,
    )
