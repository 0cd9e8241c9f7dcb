"""Registers: enterprises (qualifications, debarments), persons and their links, projects."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.types import Strict
from sunlight.codes import USCC, RegionCode, ResidentId

from tenders.models import (
    FundingSource,
    LinkRole,
)
from tenders.schemas.common import (
    STRICT,
    Address,
    Code,
    Name,
    Phone,
    PositiveFen,
    Specialty,
    Text,
)

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
