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
