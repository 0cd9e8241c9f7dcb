"""Expert draws: commitment, draw, replacements and their verification."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.types import Strict
from sunlight.codes import RegionCode

from tenders.models import (
    DrawStatus,
)
from tenders.schemas.common import (
    STRICT,
    Specialty,
    Text,
)

# --- draws ------------------------------------------------------------------------------------------------


class DrawIn(BaseModel):
    model_config = STRICT

    specialty: Specialty
    pool_region: RegionCode = Field(description="experts registered in this region and below")
    count: Annotated[int, Strict(), Field(ge=1, le=50)] = Field(
        description="experts to draw (a committee is 5 or more, an odd number, Tendering and Bidding Law Art. 37)"
    )


class ExclusionOut(BaseModel):
    expert_id: uuid.UUID
    reasons: list[str]


class ReplacementOut(BaseModel):
    replaced_id: uuid.UUID
    replacement_id: uuid.UUID | None
    reason: str
    recorded_at: datetime


class DrawOut(BaseModel):
    id: uuid.UUID
    tender_id: uuid.UUID
    specialty: str
    pool_region: str
    count: int
    status: DrawStatus
    seed_sha256: str = Field(description="SHA-256 of the seed, published when the draw is committed")
    seed: str | None = Field(description="the seed (hex), published once the draw is made")
    committed_at: datetime
    drawn_at: datetime | None
    candidates: list[uuid.UUID] = Field(description="the eligible experts, in id order (what the seed shuffles)")
    exclusions: list[ExclusionOut]
    order: list[uuid.UUID] = Field(description="the candidates in drawn order: members first, then the reserve")
    members: list[uuid.UUID]
    replacements: list[ReplacementOut]
    algorithm: str


class ReplacementIn(BaseModel):
    model_config = STRICT

    expert_id: uuid.UUID
    reason: Literal["declined", "unreachable", "conflict", "illness", "other"]
    note: Text | None = None


class VerificationOut(BaseModel):
    draw_id: uuid.UUID
    verified: bool = Field(description="the seed matches its published hash and replays to the recorded order")
    seed_matches_commitment: bool
    order_matches: bool
    members_follow_order: bool
    replayed_order: list[uuid.UUID]
