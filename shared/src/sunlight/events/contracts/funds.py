"""Funds contracts (专项资金)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlight.events.contracts import contract


@contract("funds.programme.created.v1")
class ProgrammeCreated(BaseModel):
    programme_id: str
    code: str
    name: str
    fiscal_year: int
    region_code: str
    budget_fen: int
    responsible_uscc: str | None = None
    created_at: datetime


@contract("funds.movement.recorded.v1")
class MovementRecorded(BaseModel):
    """A movement of money between nodes of a programme's tree (拨付/支出)."""

    movement_id: str
    programme_id: str
    kind: str  # allocate, disburse, expend, refund, adjust
    from_node_id: str | None
    to_node_id: str | None
    amount_fen: int
    region_code: str
    reference: str | None = None
    occurred_on: str
    recorded_at: datetime


@contract("funds.acceptance.recorded.v1")
class AcceptanceRecorded(BaseModel):
    """An acceptance (验收) was recorded on a programme, node or payment."""

    acceptance_id: str
    programme_id: str
    subject_kind: str  # programme, node, movement
    subject_id: str
    region_code: str
    result: str  # passed, failed, conditional
    accepted_on: str
    recorded_at: datetime


@contract("funds.audit.recorded.v1")
class AuditRecorded(BaseModel):
    """An audit (审计) was recorded, with how many findings it made and their deadlines."""

    audit_id: str
    programme_id: str
    subject_kind: str
    subject_id: str
    region_code: str
    audited_on: str
    findings: int
    findings_amount_fen: int
    earliest_rectify_by: str | None = None
    recorded_at: datetime


@contract("funds.finding.rectified.v1")
class FindingRectified(BaseModel):
    """An audit finding was rectified (整改), on time or late."""

    finding_id: str
    audit_id: str
    programme_id: str
    region_code: str
    rectify_by: str
    rectified_on: str
    on_time: bool
    recorded_at: datetime


@contract("funds.batch.imported.v1")
class BatchImported(BaseModel):
    """A bulk batch of movements was written (all of it; a refused batch writes nothing)."""

    batch_id: str
    batch_key: str
    records: int
    programme_ids: list[str]
    total_fen: int
    imported_at: datetime


@contract("funds.hold.changed.v1")
class HoldChanged(BaseModel):
    """A subject was held pending review (冻结), or released, because a disposition said so."""

    subject_kind: str  # node, payee, movement, programme
    subject_id: str
    held: bool
    dedupe_key: str
    region_code: str
    changed_at: datetime
