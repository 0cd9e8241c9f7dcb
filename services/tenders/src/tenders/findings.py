"""Findings become warnings (预警): tenders' record of each, and the ``warnings.raised.v1`` it sends.

Integrity owns a warning's state (dispositions, dismissals, escalation); tenders keeps one row
per region-scoped dedupe key only as the evidence of what it found and how often. The findings
of one write with the same key become one event with ``occurrences=N``.
"""

from __future__ import annotations

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

from tenders import repository
from tenders.models import Finding, Tender
from tenders.schemas.findings import FindingOut

SERVICE = "tenders"


@dataclass
class Found:
    """One result of a rule: what a person needs to verify it, and the key it deduplicates on."""

    rule: Rule
    subject_kind: str
    subject_id: str
    region_code: str
    evidence: dict[str, Any]
    dedupe_key: str
    tender_id: uuid.UUID | None = None
    level: Level | None = None
    unit_uscc: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        self.dedupe_key = region_key(self.region_code, self.dedupe_key)

    @classmethod
    def about_tender(
        cls, tender: Tender, *, rule: Rule, evidence: dict[str, Any], dedupe_key: str, **more: Any
    ) -> Found:
        """A finding whose subject is ``tender``: filed under its region, labelled with its code."""
        return cls(
            rule=rule,
            subject_kind="tender",
            subject_id=str(tender.id),
            region_code=tender.region_code,
            tender_id=tender.id,
            label=tender.code,
            evidence=evidence,
            dedupe_key=dedupe_key,
            **more,
        )


def _rank(level: str) -> int:
    return {"blue": 1, "orange": 2, "red": 3}.get(level, 0)


async def raise_findings(session: AsyncSession, found: Sequence[Found], *, now: datetime) -> int:
    """Record these findings and add their events to the outbox (one per key); returns the events added."""
    grouped: dict[str, list[Found]] = {}
    for item in found:
        grouped.setdefault(item.dedupe_key, []).append(item)
    if not grouped:
        return 0
    rows = await repository.findings_by_keys(session, set(grouped))
    for key, items in grouped.items():
        last = max(items, key=lambda f: _rank((f.level or f.rule.level).value))
        level = last.level or last.rule.level
        row = rows.get(key)
        if row is None:
            row = Finding(
                dedupe_key=key,
                rule_id=last.rule.id,
                level=level.value,
                subject_kind=last.subject_kind,
                subject_id=last.subject_id,
                tender_id=last.tender_id,
                region_code=last.region_code,
                evidence=last.evidence,
                occurrences=len(items),
                first_raised_at=now,
                last_raised_at=now,
            )
            session.add(row)
        else:
            row.occurrences += len(items)
            row.evidence = last.evidence
            row.last_raised_at = now
            if _rank(level.value) > _rank(row.level):
                row.level = level.value
        add_event(
            session,
            warning_event(
                last.rule,
                service=SERVICE,
                subject=SubjectRef(service=SERVICE, kind=last.subject_kind, id=last.subject_id, label=last.label),
                region_code=last.region_code,
                unit_uscc=last.unit_uscc,
                evidence=last.evidence,
                level=level,
                dedupe_key=key,
                occurred_at=now,
                occurrences=len(items),
            ),
        )
    return len(grouped)


async def list_findings(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    tender_id: uuid.UUID | None = None,
    rule_id: str | None = None,
) -> Page[FindingOut]:
    rows = await repository.findings(session, who.region_prefixes, page, tender_id=tender_id, rule_id=rule_id)
    return make_page(rows, page, lambda f: [f.first_raised_at.isoformat(), str(f.id)], FindingOut.model_validate)
