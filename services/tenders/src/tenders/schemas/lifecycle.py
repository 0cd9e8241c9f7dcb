"""The tender lifecycle: tenders and lots, registrations, bids, opening, evaluation, award, contract,
change orders and settlement."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.types import Strict
from sunlight.codes import USCC, ResidentId

from tenders.models import (
    BidStatus,
    Category,
    EvaluationMethod,
    Procedure,
    TenderStatus,
)
from tenders.schemas.common import (
    STRICT,
    Code,
    Name,
    PositiveFen,
    Sha256,
    SignedFen,
    Specialty,
    Text,
)

# --- tenders -------------------------------------------------------------------------------------------


class DocumentIn(BaseModel):
    model_config = STRICT

    name: Name
    sha256: Sha256


class LotIn(BaseModel):
    model_config = STRICT

    number: Annotated[int, Strict(), Field(ge=1, le=999)]
    title: Name
    estimate_fen: PositiveFen
    ceiling_fen: PositiveFen | None = None


class TenderIn(BaseModel):
    model_config = STRICT

    code: Code
    project_id: uuid.UUID
    title: Name
    category: Category
    procedure: Procedure
    estimate_fen: PositiveFen
    ceiling_fen: PositiveFen | None = Field(default=None, description="最高投标限价; bids above it are invalid")
    published_at: datetime = Field(description="the day the tender documents are issued")
    deadline: datetime = Field(description="投标截止时间: bids arriving at or after it are refused")
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)
    required_qualification: Specialty | None = None
    required_grade: Annotated[int, Strict(), Field(ge=0, le=9)] | None = None
    lots: list[LotIn] = Field(default_factory=list, max_length=100, description="none: one lot, the whole tender")

    @model_validator(mode="after")
    def _consistent(self) -> TenderIn:
        if self.published_at.tzinfo is None or self.deadline.tzinfo is None:
            raise ValueError("times carry a UTC offset")
        if self.deadline <= self.published_at:
            raise ValueError("the deadline is not after publication")
        if self.ceiling_fen is not None and self.ceiling_fen < 1:
            raise ValueError("the ceiling is positive")
        numbers = [lot.number for lot in self.lots]
        if len(set(numbers)) != len(numbers):
            raise ValueError("lot numbers are unique")
        if self.required_grade is not None and self.required_qualification is None:
            raise ValueError("required_grade needs required_qualification")
        return self


class LotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int
    title: str
    estimate_fen: int
    ceiling_fen: int | None


class TenderOut(BaseModel):
    id: uuid.UUID
    code: str
    project_id: uuid.UUID
    title: str
    category: Category
    procedure: Procedure
    estimate_fen: int
    ceiling_fen: int | None
    published_at: datetime
    deadline: datetime
    documents: list[dict[str, str]]
    required_qualification: str | None
    required_grade: int | None
    status: TenderStatus
    allowed_steps: list[str] = Field(description="the lifecycle steps the tender may take now")
    cancel_reason: str | None
    owner_uscc: str
    region_code: str
    lots: list[LotOut]
    created_at: datetime


class RegistrationIn(BaseModel):
    model_config = STRICT

    uscc: USCC
    registered_at: datetime | None = Field(default=None, description="default: now")


class RegistrationOut(BaseModel):
    id: uuid.UUID
    tender_id: uuid.UUID
    enterprise_id: uuid.UUID
    uscc: str
    registered_at: datetime


class BidIn(BaseModel):
    model_config = STRICT

    uscc: USCC = Field(description="the bidder (registered for the tender)")
    lot_number: Annotated[int, Strict(), Field(ge=1, le=999)] = 1
    price_fen: PositiveFen
    submitted_at: datetime | None = Field(
        default=None,
        description="when the trading system received the bid; default: now. At or after the "
        "deadline: refused (409 …/bid-after-deadline)",
    )
    submitter_ip: Annotated[str, StringConstraints(min_length=2, max_length=45, pattern=r"^[0-9A-Fa-f:.]+$")] | None = (
        Field(default=None, description="kept only as a keyed hash")
    )
    file_sha256: Sha256 | None = Field(default=None, description="the bid file's fingerprint")
    project_manager_resident_id: ResidentId | None = Field(
        default=None, description="the project manager named in the bid (a registered person)"
    )


class BidOut(BaseModel):
    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    lot_number: int
    enterprise_id: uuid.UUID
    uscc: str
    bidder_name: str
    price_fen: int
    submitted_at: datetime
    has_ip: bool
    file_sha256: str | None
    status: BidStatus
    disqualification: str | None
    recorded_at: datetime


class RefusedBidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tender_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    price_fen: int
    submitted_at: datetime
    reason: Literal["after_deadline"]
    recorded_at: datetime


class OpeningIn(BaseModel):
    model_config = STRICT

    opened_at: datetime | None = Field(default=None, description="default: now; not before the deadline")


class CancellationIn(BaseModel):
    model_config = STRICT

    reason: Text


# --- evaluation -----------------------------------------------------------------------------------------


class ScoreIn(BaseModel):
    model_config = STRICT

    expert_id: uuid.UUID
    bid_id: uuid.UUID
    score: Annotated[float, Field(ge=0, le=100)] = Field(description="technical and commercial points")


class DisqualifyIn(BaseModel):
    model_config = STRICT

    bid_id: uuid.UUID
    reason: Text


class EvaluationIn(BaseModel):
    model_config = STRICT

    lot_number: Annotated[int, Strict(), Field(ge=1, le=999)] = 1
    method: EvaluationMethod
    price_points: Annotated[float, Field(gt=0, le=100)] = Field(
        default=60, description="comprehensive: the points of the price part (the experts score the rest)"
    )
    benchmark_trim: bool = Field(
        default=True, description="comprehensive: leave out the highest and lowest valid price when 5 or more"
    )
    benchmark_factor_permille: Annotated[int, Strict(), Field(ge=800, le=1100)] = Field(
        default=1000, description="comprehensive: the benchmark is the mean valid price times this ‰ (下浮系数)"
    )
    deduct_above: Annotated[float, Field(ge=0, le=10)] = Field(
        default=1.0, description="comprehensive: points off per 1 % above the benchmark"
    )
    deduct_below: Annotated[float, Field(ge=0, le=10)] = Field(
        default=0.5, description="comprehensive: points off per 1 % below the benchmark"
    )
    disqualified: list[DisqualifyIn] = Field(default_factory=list, max_length=500)
    scores: list[ScoreIn] = Field(default_factory=list, max_length=10_000)


class RankedBid(BaseModel):
    rank: int
    bid_id: uuid.UUID
    enterprise_id: uuid.UUID
    price_fen: int
    price_points: float | None
    expert_points: float | None
    total_points: float | None


class OutlierOut(BaseModel):
    expert_id: uuid.UUID
    bid_id: uuid.UUID
    score: float
    others_median: float


class EvaluationOut(BaseModel):
    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    method: EvaluationMethod
    parameters: dict[str, Any]
    benchmark_fen: int | None
    ranking: list[RankedBid]
    invalid: list[dict[str, str]] = Field(description="bids left out, with the reason")
    outliers: list[OutlierOut]
    recorded_at: datetime


# --- award, contract, change orders, settlement ---------------------------------------------------------


class AwardIn(BaseModel):
    model_config = STRICT

    lot_number: Annotated[int, Strict(), Field(ge=1, le=999)] = 1
    bid_id: uuid.UUID | None = Field(default=None, description="default: the first of the evaluation's ranking")
    awarded_on: date


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    bid_id: uuid.UUID
    enterprise_id: uuid.UUID
    amount_fen: int
    awarded_on: date


class ContractIn(BaseModel):
    model_config = STRICT

    award_id: uuid.UUID
    amount_fen: PositiveFen
    signed_on: date


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    tender_id: uuid.UUID
    award_id: uuid.UUID
    enterprise_id: uuid.UUID
    amount_fen: int
    signed_on: date
    approved_changes_fen: int
    settled_fen: int | None
    settled_on: date | None
    region_code: str


class ChangeOrderIn(BaseModel):
    model_config = STRICT

    amount_fen: SignedFen = Field(description="the change of the contract price (negative: a reduction)")
    reason: Text
    approved: bool
    ordered_on: date

    @field_validator("amount_fen")
    @classmethod
    def _nonzero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("a change order changes the price")
        return value


class ChangeOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    contract_id: uuid.UUID
    amount_fen: int
    reason: str
    approved: bool
    ordered_on: date


class SettlementIn(BaseModel):
    model_config = STRICT

    amount_fen: PositiveFen
    settled_on: date
