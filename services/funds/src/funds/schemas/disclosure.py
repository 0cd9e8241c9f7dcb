"""What the public disclosure shows."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from funds.models import PayeeKind, Tier


class PublicProgramme(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    category: str
    fiscal_year: int
    budget_fen: int
    region_code: str
    responsible_uscc: str | None


class PublicAllocation(BaseModel):
    node_id: uuid.UUID
    parent_id: uuid.UUID | None
    tier: Tier
    name: str
    region_code: str
    received_fen: int
    passed_on_fen: int
    disbursed_in_fen: int
    spent_fen: int


class PublicProgrammeDetail(BaseModel):
    programme: PublicProgramme
    allocations: list[PublicAllocation] = Field(description="the tree down to township level")


class PublicPayee(BaseModel):
    kind: PayeeKind
    name: str = Field(description="organisation name, or a person's name partly hidden")
    uscc: str | None = Field(default=None, description="organisations only")


class PublicPayment(BaseModel):
    id: uuid.UUID
    node_id: uuid.UUID | None = Field(description="the paying node; none when it is a beneficiary (not disclosed)")
    node_name: str = Field(description="the paying node's name; 受益对象 for a beneficiary (not disclosed)")
    occurred_on: date
    amount_fen: int
    category: str | None
    payee: PublicPayee
