"""The nodes of a programme's tree (finance bureau, department, unit, beneficiary)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sunlight.codes import USCC, RegionCode

from funds.models import Tier


class NodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID | None = Field(default=None, description="omit for the root (it receives the budget)")
    tier: Tier
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    region_code: RegionCode
    unit_uscc: USCC | None = None


class NodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    parent_id: uuid.UUID | None
    tier: Tier
    name: str
    region_code: str
    unit_uscc: str | None
    received_fen: int = Field(description="quota received (budget or allocations)")
    passed_on_fen: int = Field(description="quota allocated to children")
    available_fen: int = Field(description="quota left: received − passed on − spent")
    disbursed_in_fen: int = 0
    disbursed_out_fen: int = 0
    spent_fen: int = 0
    cash_fen: int = Field(default=0, description="cash on hand: disbursed in − disbursed out − spent")
    created_at: datetime
