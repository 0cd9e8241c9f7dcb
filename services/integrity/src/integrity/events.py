"""The events the integrity service emits, built from its rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.integrity import IndexComputed
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.warnings import Level, SubjectRef, region_key, warning_event

from integrity import rules
from integrity.models import Disposition, Framework, Result, Subject, Warning

SOURCE = "/sunlight/integrity"


def _subject_of(warning: Warning) -> SubjectRef:
    return SubjectRef(
        service=warning.service, kind=warning.subject_kind, id=warning.subject_id, label=warning.subject_label
    )


def disposed(
    warning: Warning,
    *,
    disposition: str,
    status: str,
    at: datetime,
    outcome: str | None = None,
    freeze: bool = False,
) -> Envelope[Any]:
    """``warnings.disposed.v1``: tells the source service what is being done about its finding."""
    return new_event(
        WarningDisposed(
            warning_id=str(warning.id),
            rule_id=warning.rule_id,
            dedupe_key=warning.dedupe_key,
            subject=_subject_of(warning),
            region_code=warning.region_code,
            disposition=disposition,
            status=status,
            outcome=outcome,
            freeze=freeze,
            disposed_at=at,
        ),
        source=SOURCE,
        subject=f"warning/{warning.id}",
        time=at,
    )


def overdue_dedupe_key(disposition: Disposition) -> str:
    return region_key(disposition.region_code, f"{rules.DISPOSITION_OVERDUE.id}:disposition:{disposition.id}")


def overdue_warning(
    disposition: Disposition, warning: Warning, *, step: int, today: date, overdue_workdays: int, at: datetime
) -> Envelope[Any]:
    """INTEGRITY-DISPOSITION-OVERDUE, orange the first time, red from the second escalation on."""
    return warning_event(
        rules.DISPOSITION_OVERDUE,
        service="integrity",
        subject=SubjectRef(
            service="integrity", kind="disposition", id=str(disposition.id), label=str(disposition.kind)
        ),
        region_code=disposition.region_code,
        unit_uscc=disposition.unit_uscc,
        level=Level.ORANGE if step == 1 else Level.RED,
        evidence={
            "disposition_id": str(disposition.id),
            "warning_id": str(warning.id),
            "warning_rule_id": warning.rule_id,
            "kind": str(disposition.kind),
            "assignee": disposition.assignee,
            "opened_at": disposition.opened_at.isoformat(),
            "deadline": disposition.deadline.isoformat(),
            "today": today.isoformat(),
            "overdue_workdays": overdue_workdays,
            "escalation": step,
        },
        dedupe_key=overdue_dedupe_key(disposition),
        occurred_at=at,
    )


def index_warning(
    result: Result, subject: Subject, framework: Framework, *, level: Level, cutoff: float, at: datetime
) -> Envelope[Any]:
    """INTEGRITY-INDEX-A/B/C for a graded result."""
    assert result.grade is not None
    rule = rules.INDEX_RULES[result.grade]
    return warning_event(
        rule,
        service="integrity",
        subject=SubjectRef(service="integrity", kind="index_subject", id=str(subject.id), label=subject.label),
        region_code=result.region_code,
        unit_uscc=result.unit_uscc,
        level=level,
        evidence={
            "framework": framework.code,
            "period": result.period,
            "index": result.value,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "grade": result.grade,
            "cutoff": cutoff,
            "result_id": str(result.id),
        },
        dedupe_key=f"{rule.id}:{framework.code}:{subject.id}:{result.period}",
        occurred_at=at,
    )


def index_computed(result: Result, subject: Subject, framework: Framework) -> Envelope[Any]:
    return new_event(
        IndexComputed(
            result_id=str(result.id),
            framework=framework.code,
            framework_version=framework.version,
            period=result.period,
            subject_id=str(subject.id),
            subject_kind=str(subject.kind),
            unit_uscc=result.unit_uscc,
            region_code=result.region_code,
            value=result.value,
            ci_low=result.ci_low,
            ci_high=result.ci_high,
            grade=result.grade,
            computed_at=result.computed_at,
        ),
        source=SOURCE,
        subject=f"index_result/{result.id}",
    )
