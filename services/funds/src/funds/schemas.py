"""API shapes of the funds service: XIn (what a client sends) and XOut (what it gets)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sunlight.codes import USCC, RegionCode
from sunlight.money import Fen

from funds.models import MovementKind, Tier


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", examples=["2026-AGRI-001"])
    name: str = Field(min_length=1, max_length=200, examples=["耕地地力保护补贴"])
    category: str = Field(min_length=1, max_length=64, examples=["agriculture"])
    fiscal_year: int = Field(ge=2000, le=2100)
    budget_fen: Fen = Field(gt=0)
    region_code: RegionCode
    responsible_uscc: USCC | None = None


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    category: str
    fiscal_year: int
    budget_fen: int
    region_code: str
    responsible_uscc: str | None
    created_at: datetime


class NodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID | None = Field(default=None, description="omit for the root (it receives the budget)")
    tier: Tier
    name: str = Field(min_length=1, max_length=200)
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
    received_fen: int
    passed_on_fen: int
    available_fen: int
    created_at: datetime


class MovementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[MovementKind.ALLOCATE] = MovementKind.ALLOCATE
    from_node_id: uuid.UUID
    to_node_id: uuid.UUID
    amount_fen: Fen = Field(gt=0)
    occurred_on: date
    reference: str | None = Field(default=None, max_length=100)


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    kind: MovementKind
    from_node_id: uuid.UUID | None
    to_node_id: uuid.UUID | None
    amount_fen: int
    occurred_on: date
    reference: str | None
    recorded_at: datetime
