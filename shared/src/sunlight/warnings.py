"""Warning rules: a registry per service, and the ``warnings.raised.v1`` event a finding becomes.

A rule is a small, documented unit: an id (``FUNDS-OVERSPEND``), a level (blue / orange /
red), titles in English and Chinese, the settings it reads (its thresholds) and the
evidence it records. ``GET /v1/<service>/rules`` and ``docs/rules.md`` are generated from
the registry, so the catalogue never drifts from the code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from sunlight.events.contracts.common import (
    DispositionKind,
    DispositionOutcome,
    DispositionStatus,
    Level,
    SubjectRef,
    WarningStatus,
)
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.events.envelope import Envelope, new_event

__all__ = [
    "DispositionKind",
    "DispositionOutcome",
    "DispositionStatus",
    "Level",
    "Rule",
    "RuleOut",
    "RuleRegistry",
    "SubjectRef",
    "WarningStatus",
    "region_key",
    "register_status",
    "warning_event",
]


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    title: str
    title_zh: str
    description: str
    parameters: tuple[str, ...] = ()  # names of settings fields holding its thresholds
    evidence: tuple[str, ...] = ()  # keys of the evidence it records
    escalates_to: Level | None = None  # e.g. orange → red when far past a threshold
    risk_point: str | None = None  # the kind of integrity risk it realises (廉政风险点)
    # the functions that decide it, as dotted paths (the pure decision first, then where its finding is
    # made): docs/rules.md names them, and a test checks that each resolves
    evaluated_by: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class RuleOut(BaseModel):
    id: str
    level: Level
    escalates_to: Level | None = None
    title: str
    title_zh: str
    description: str
    parameters: dict[str, Any] = Field(description="current threshold values, by settings name")
    evidence: list[str]
    risk_point: str | None = None


class RuleRegistry:
    def __init__(self, service: str) -> None:
        self.service = service
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> Rule:
        prefix = self.service.upper() + "-"
        if not rule.id.startswith(prefix):
            raise ValueError(f"{self.service} rule ids start with {prefix}")
        if rule.id in self._rules:
            raise ValueError(f"rule {rule.id} registered twice")
        self._rules[rule.id] = rule
        return rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def catalogue(self, settings: Any) -> list[RuleOut]:
        return [
            RuleOut(
                id=r.id,
                level=r.level,
                escalates_to=r.escalates_to,
                title=r.title,
                title_zh=r.title_zh,
                description=r.description,
                parameters={p: _jsonable(getattr(settings, p, None)) for p in r.parameters},
                evidence=list(r.evidence),
                risk_point=r.risk_point,
            )
            for r in self
        ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return str(value)


def region_key(region_code: str, key: str) -> str:
    """``key`` scoped to the region its finding belongs to (``130302:FUNDS-…``), so that the same rule and
    subject seen in two regions are two register entries, each visible in its own region. Idempotent."""
    prefix = f"{region_code}:"
    return key if key.startswith(prefix) else prefix + key


def region_of_key(key: str) -> str | None:
    """The region a region-scoped dedupe key belongs to (``130302:FUNDS-…`` → ``130302``), else None."""
    head, sep, _ = key.partition(":")
    return head if sep and len(head) == 6 and head.isdigit() else None


def warning_event(
    rule: Rule,
    *,
    service: str,
    subject: SubjectRef,
    region_code: str,
    evidence: dict[str, Any],
    level: Level | None = None,
    unit_uscc: str | None = None,
    dedupe_key: str | None = None,
    occurred_at: datetime | None = None,
    occurrences: int = 1,
) -> Envelope[WarningRaised]:
    """The ``warnings.raised.v1`` event for one finding of ``rule``; its dedupe key always carries the region
    (:func:`region_key`)."""
    payload = WarningRaised(
        rule_id=rule.id,
        level=level or rule.level,
        title=rule.title,
        subject=subject,
        region_code=region_code,
        unit_uscc=unit_uscc,
        evidence=evidence,
        occurred_at=occurred_at or datetime.now(UTC),
        dedupe_key=region_key(region_code, dedupe_key or f"{rule.id}:{subject.service}:{subject.kind}:{subject.id}"),
        occurrences=occurrences,
    )
    return new_event(payload, source=f"/sunlight/{service}", subject=f"{subject.kind}/{subject.id}")


def register_status(status: str, outcome: str | None) -> WarningStatus:
    """A source's view of the register entry's status, from the disposition status integrity reported
    (``warnings.disposed.v1``): an open or answered disposition means the warning is in disposition; a concluded
    one closes it, unless its outcome is ``escalated`` (a stronger disposition follows: the warning is open
    again)."""
    if status == "dismissed":  # a dismissal is reported with this status (no disposition of its own)
        return WarningStatus.DISMISSED
    if status == DispositionStatus.CONCLUDED:
        return WarningStatus.OPEN if outcome == DispositionOutcome.ESCALATED else WarningStatus.CLOSED
    return WarningStatus.IN_DISPOSITION
