"""API shapes of the tenders service: XIn (what a client sends) and XOut (what it gets).

Input is strict: unknown fields are refused, amounts are JSON integers (``"100"`` is not a number),
names are not blank. Persons are shown masked: never an ID number, phone or address in an answer.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.types import Strict
from sunlight.codes import USCC, RegionCode, ResidentId
from sunlight.money import MAX_FEN
from sunlight.warnings import Level

from tenders.models import (
    BidStatus,
    Category,
    DrawStatus,
    EvaluationMethod,
    FundingSource,
    LinkRole,
    Procedure,
    TenderStatus,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="Amount in fen (1/100 yuan), an integer")]
PositiveFen = Annotated[int, Strict(), Field(gt=0, le=MAX_FEN, description="Amount in fen (1/100 yuan), > 0")]
SignedFen = Annotated[int, Strict(), Field(ge=-MAX_FEN, le=MAX_FEN, description="Signed amount in fen")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30, pattern=r"^\+?[0-9 -]+$")]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
Specialty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]

STRICT = ConfigDict(extra="forbid")


# --- enterprises ---------------------------------------------------------------------------------------


class EnterpriseIn(BaseModel):
    model_config = STRICT

    uscc: USCC
    name: Name = Field(examples=["秦皇岛市海港建设工程有限公司"])
    region_code: RegionCode
    phone: Phone | None = Field(default=None, description="stored encrypted; compared by keyed hash")
    address: Address | None = Field(default=None, description="stored encrypted; compared by keyed hash")


class QualificationIn(BaseModel):
    model_config = STRICT

    kind: Specialty = Field(examples=["building_construction"], description="e.g. 建筑工程施工总承包")
    grade: Annotated[int, Strict(), Field(ge=0, le=9, description="0 = 特级, 1 = 一级 … (smaller is higher)")]
    certificate_no: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    valid_from: date
    valid_until: date

    @model_validator(mode="after")
    def _ordered(self) -> QualificationIn:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class QualificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    grade: int
    certificate_no: str | None
    valid_from: date
    valid_until: date


class DebarmentIn(BaseModel):
    model_config = STRICT

    region_code: RegionCode = Field(description="where the bar applies (and everything below); 000000: everywhere")
    reason: Text
    reference: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    starts_on: date
    ends_on: date | None = Field(default=None, description="the first day it no longer applies; none: until lifted")

    @model_validator(mode="after")
    def _ordered(self) -> DebarmentIn:
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on is not after starts_on")
        return self


class DebarmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_kind: Literal["enterprise", "person"]
    subject_id: uuid.UUID
    region_code: str
    reason: str
    reference: str | None
    starts_on: date
    ends_on: date | None


class EnterpriseOut(BaseModel):
    id: uuid.UUID
    uscc: str
    name: str
    region_code: str
    has_phone: bool
    has_address: bool
    qualifications: list[QualificationOut]
    debarments: list[DebarmentOut]
    created_at: datetime


# --- persons -------------------------------------------------------------------------------------------


class LinkIn(BaseModel):
    model_config = STRICT

    uscc: USCC = Field(description="the enterprise (registered first)")
    role: LinkRole


class PersonIn(BaseModel):
    model_config = STRICT

    name: Name
    resident_id: ResidentId = Field(description="kept only as a keyed hash")
    region_code: RegionCode
    phone: Phone | None = None
    address: Address | None = None
    specialties: list[Specialty] = Field(
        default_factory=list, max_length=20, description="an expert's specialties (non-empty: in the expert pool)"
    )
    employer_uscc: USCC | None = Field(default=None, description="the enterprise the person works for")
    links: list[LinkIn] = Field(default_factory=list, max_length=50)

    @field_validator("specialties")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("specialties are listed once each")
        return value


class PersonLinkOut(BaseModel):
    enterprise_id: uuid.UUID
    uscc: str
    role: LinkRole


class PersonOut(BaseModel):
    id: uuid.UUID
    name_masked: str
    phone_masked: str | None
    region_code: str
    specialties: list[str]
    expert: bool
    employer_id: uuid.UUID | None
    links: list[PersonLinkOut]
    debarments: list[DebarmentOut]
    created_at: datetime


# --- projects ------------------------------------------------------------------------------------------


class ProjectIn(BaseModel):
    model_config = STRICT

    code: Code
    name: Name
    owner_uscc: USCC
    owner_name: Name
    estimate_fen: PositiveFen
    location: Address
    funding_source: FundingSource
    region_code: RegionCode


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    owner_uscc: str
    owner_name: str
    estimate_fen: int
    location: str
    funding_source: FundingSource
    region_code: str
    created_at: datetime


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


# --- findings -------------------------------------------------------------------------------------------


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level
    subject_kind: str
    subject_id: str
    tender_id: uuid.UUID | None
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    first_raised_at: datetime
    last_raised_at: datetime


# --- indicators -----------------------------------------------------------------------------------------


class IndicatorRunIn(BaseModel):
    model_config = STRICT

    settings_ini: Annotated[str, StringConstraints(max_length=65_536)] | None = Field(
        default=None,
        description="Cardinal's INI settings (as for `ocdscardinal indicators --settings`); none: defaults",
    )


class IndicatorRunOut(BaseModel):
    tenders: int = Field(description="tenders (compiled releases) the indicators ran over")
    results: dict[str, dict[str, dict[str, float | None]]] = Field(
        description="Cardinal's JSON: OCID / Buyer / ProcuringEntity / Tenderer → identifier → indicator code → value"
    )
    counts: dict[str, dict[str, int]] = Field(description="identifiers flagged per group and code")
