"""The events the funds service emits, built from its rows (never with personal data).

Warnings (``warnings.raised.v1``) are built in ``alerts.py`` from the findings of ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.funds import (
    AcceptanceRecorded,
    AuditRecorded,
    BatchImported,
    FindingRectified,
    HoldChanged,
    MovementRecorded,
    ProgrammeCreated,
)

from funds.models import Acceptance, Audit, AuditFinding, MovementBatch, Programme

SOURCE = "/sunlight/funds"


def programme_created(programme: Programme) -> Envelope[Any]:
    return new_event(
        ProgrammeCreated(
            programme_id=str(programme.id),
            code=programme.code,
            name=programme.name,
            fiscal_year=programme.fiscal_year,
            region_code=programme.region_code,
            budget_fen=programme.budget_fen,
            responsible_uscc=programme.responsible_uscc,
            created_at=programme.created_at,
        ),
        source=SOURCE,
        subject=f"programme/{programme.id}",
    )


def movement_recorded(movement: Any, region_code: str | None = None) -> Envelope[Any]:
    """``movement``: a ``Movement`` row or a ledger entry about to become one."""
    return new_event(
        MovementRecorded(
            movement_id=str(movement.id),
            programme_id=str(movement.programme_id),
            kind=str(movement.kind),
            from_node_id=str(movement.from_node_id) if movement.from_node_id else None,
            to_node_id=str(movement.to_node_id) if movement.to_node_id else None,
            amount_fen=movement.amount_fen,
            region_code=region_code or movement.region_code,
            reference=movement.reference,
            occurred_on=movement.occurred_on.isoformat(),
            recorded_at=movement.recorded_at,
        ),
        source=SOURCE,
        subject=f"movement/{movement.id}",
    )


def acceptance_recorded(acceptance: Acceptance) -> Envelope[Any]:
    return new_event(
        AcceptanceRecorded(
            acceptance_id=str(acceptance.id),
            programme_id=str(acceptance.programme_id),
            subject_kind=acceptance.subject_kind,
            subject_id=str(acceptance.subject_id),
            region_code=acceptance.region_code,
            result=acceptance.result,
            accepted_on=acceptance.accepted_on.isoformat(),
            recorded_at=acceptance.recorded_at,
        ),
        source=SOURCE,
        subject=f"acceptance/{acceptance.id}",
    )


def audit_recorded(audit: Audit, findings: Sequence[AuditFinding]) -> Envelope[Any]:
    return new_event(
        AuditRecorded(
            audit_id=str(audit.id),
            programme_id=str(audit.programme_id),
            subject_kind=audit.subject_kind,
            subject_id=str(audit.subject_id),
            region_code=audit.region_code,
            audited_on=audit.audited_on.isoformat(),
            findings=len(findings),
            findings_amount_fen=sum(f.amount_fen or 0 for f in findings),
            earliest_rectify_by=min(f.rectify_by for f in findings).isoformat() if findings else None,
            recorded_at=audit.recorded_at,
        ),
        source=SOURCE,
        subject=f"audit/{audit.id}",
    )


def finding_rectified(finding: AuditFinding, audit: Audit, now: datetime) -> Envelope[Any]:
    assert finding.rectified_on is not None
    return new_event(
        FindingRectified(
            finding_id=str(finding.id),
            audit_id=str(audit.id),
            programme_id=str(audit.programme_id),
            region_code=audit.region_code,
            rectify_by=finding.rectify_by.isoformat(),
            rectified_on=finding.rectified_on.isoformat(),
            on_time=finding.rectified_on <= finding.rectify_by,
            recorded_at=now,
        ),
        source=SOURCE,
        subject=f"audit_finding/{finding.id}",
    )


def batch_imported(batch: MovementBatch, movements: Sequence[Any]) -> Envelope[Any]:
    return new_event(
        BatchImported(
            batch_id=str(batch.id),
            batch_key=batch.batch_key,
            records=batch.record_count,
            programme_ids=sorted({str(m.programme_id) for m in movements}),
            total_fen=sum(m.amount_fen for m in movements),
            imported_at=batch.created_at,
        ),
        source=SOURCE,
        subject=f"batch/{batch.id}",
    )


def hold_changed(
    kind: str, subject_id: str, *, held: bool, dedupe_key: str, region_code: str, now: datetime
) -> Envelope[Any]:
    return new_event(
        HoldChanged(
            subject_kind=kind,
            subject_id=subject_id,
            held=held,
            dedupe_key=dedupe_key,
            region_code=region_code,
            changed_at=now,
        ),
        source=SOURCE,
        subject=f"{kind}/{subject_id}",
    )
