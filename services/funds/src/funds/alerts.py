"""Findings become warnings (预警): what funds sends as ``warnings.raised.v1``, and its own view of what it sent.

Integrity is the only authority on a warning's state (open, dismissed, concluded, its level and how
many episodes it counts). Funds emits findings and keeps, per dedupe key, what it has sent (level,
evidence, occurrences) and the disposition integrity sends back (``warnings.disposed.v1``, in
``linkage``); it never reopens, dismisses or escalates a warning itself.

- **One write, one event per key.** All findings of one write (a movement, a batch of records, one
  scan) with the same dedupe key become one ``warnings.raised.v1`` with ``occurrences=N``: the
  latest finding's evidence, plus, when N > 1, an ``aggregate`` member that sums and bounds them
  (count, total amount, first/last record ids and at most ``MAX_IDS`` of them; ids and amounts only).
  A 5,000-payment batch to one supplier sends one event per key, not one per payment.
- **Write-time findings** (a payment, a refused movement) are occurrences every time: each attempt is
  evidence, and integrity counts it.
- **Periodic findings** (``periodic=True``, the scans) are sent when their key has not been sent before
  or when their *material* evidence changed: the finding's level and ``Finding.material`` (what a
  person would call new evidence — a new late receipt, a quarter's payments changing); the day of
  the scan and day counts that grow by themselves are not material, so an hourly scan repeats nothing.
  A rule whose problem can recur after it was resolved puts the episode into its key (idle funds:
  the day since which the money has been idle; late pass-down: the first deadline of the run of
  late receipts), so a new episode is a new register entry and a dismissed one stays dismissed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.events import Envelope, add_events
from sunlight.pagination import Page, PageParams, make_page
from sunlight.warnings import Level, Rule, SubjectRef, region_key, warning_event

from funds.models import FundsWarning
from funds.repository import warnings as warnings_repo
from funds.schemas.warnings import WarningFilter, WarningOut

SERVICE = "funds"
MAX_IDS = 20  # record ids listed in an aggregated finding's evidence
VOLATILE = frozenset({"as_of"})  # evidence that changes with the day of the scan, never material


@dataclass
class Finding:
    """One result of a rule: what a person needs to verify it, and the key it deduplicates on.

    ``record_id`` and ``amount_fen`` name the record (a payment, a refused movement) this occurrence is
    about, for the aggregate of a batch; ``material`` is what must change for a periodic finding to be
    sent again (default: the evidence without ``as_of``).
    """

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
    record_id: str | None = None
    amount_fen: int | None = None
    material: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a finding belongs to one region: two regions' findings of one rule and subject never share a row
        self.dedupe_key = region_key(self.region_code, self.dedupe_key)

    @property
    def effective_level(self) -> Level:
        return self.level or self.rule.level

    def fingerprint(self) -> str:
        """A digest of what makes this finding new evidence: its level and its material facts."""
        material = self.material
        if material is None:
            material = {k: v for k, v in self.evidence.items() if k not in VOLATILE}
        raw = json.dumps([self.effective_level.value, material], sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


def aggregate(group: Sequence[Finding]) -> dict[str, Any]:
    """The evidence of N findings of one key in one write: the latest one's, plus their count and bounds."""
    last = group[-1]
    if len(group) == 1:
        return last.evidence
    ids = list(dict.fromkeys(f.record_id for f in group if f.record_id))
    amounts = [f.amount_fen for f in group if f.amount_fen is not None]
    summary: dict[str, Any] = {"occurrences": len(group)}
    if amounts:
        summary["amount_fen"] = sum(amounts)
    if ids:
        summary.update(
            first_record_id=ids[0],
            last_record_id=ids[-1],
            record_ids=ids[:MAX_IDS],
            record_ids_truncated=len(ids) > MAX_IDS,
        )
    return {**last.evidence, "aggregate": summary}


def highest(levels: Sequence[Level]) -> Level:
    return max(levels, key=lambda level: level.rank)


async def raise_findings(
    session: AsyncSession, findings: Sequence[Finding], *, now: datetime, periodic: bool = False
) -> int:
    """Send these findings, one ``warnings.raised.v1`` per dedupe key; returns how many were sent.

    A periodic finding already sent with the same fingerprint is not sent again. Funds' view of each key
    records what was sent (highest level sent, latest evidence, occurrences summed); its status is left to
    the dispositions integrity sends back.
    """
    if not findings:
        return 0
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.dedupe_key, []).append(finding)
    rows = await warnings_repo.warnings_by_keys(session, set(groups))
    sent: list[Envelope[Any]] = []
    for key, group in groups.items():
        first, last = group[0], group[-1]
        level = highest([f.effective_level for f in group])
        fingerprint = last.fingerprint()
        row = rows.get(key)
        if periodic and row is not None and row.fingerprint == fingerprint:
            continue  # nothing new since it was sent: integrity has it, in whatever state an inspector put it
        evidence = aggregate(group)
        if row is None:
            row = FundsWarning(
                dedupe_key=key,
                rule_id=first.rule.id,
                level=level.value,
                title=first.rule.title,
                subject_kind=first.subject_kind,
                subject_id=first.subject_id,
                subject_label=first.label,
                programme_id=first.programme_id,
                region_code=first.region_code,
                unit_uscc=first.unit_uscc,
                evidence=evidence,
                occurrences=len(group),
                fingerprint=fingerprint,
                first_raised_at=now,
                last_raised_at=now,
            )
            session.add(row)
        else:
            row.level = highest([Level(row.level), level]).value
            row.occurrences += len(group)
            row.evidence = evidence
            row.fingerprint = fingerprint
            row.last_raised_at = now
        sent.append(
            warning_event(
                first.rule,
                service=SERVICE,
                subject=SubjectRef(service=SERVICE, kind=row.subject_kind, id=row.subject_id, label=row.subject_label),
                region_code=row.region_code,
                unit_uscc=row.unit_uscc,
                evidence=evidence,
                level=level,
                dedupe_key=key,
                occurred_at=now,
                occurrences=len(group),
            )
        )
    await add_events(session, sent)
    return len(sent)


async def list_warnings(
    session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams
) -> Page[WarningOut]:
    rows = await warnings_repo.warnings(session, who.region_prefixes, where, page)
    frozen = await warnings_repo.frozen_keys(session, [r.dedupe_key for r in rows])
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
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        subject_label=row.subject_label,
        programme_id=row.programme_id,
        region_code=row.region_code,
        evidence=row.evidence,
        occurrences=row.occurrences,
        status=row.status,
        disposition=row.disposition,
        outcome=row.outcome,
        frozen=frozen,
        first_seen_at=row.first_raised_at,
        last_seen_at=row.last_raised_at,
        disposed_at=row.disposed_at,
    )
