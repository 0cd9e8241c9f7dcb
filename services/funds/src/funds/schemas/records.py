"""Acceptance, audit and rectification records on a subject."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sunlight.codes import USCC
from sunlight.enums import DescribedEnum
from sunlight.money import Fen


class RecordSubjectIn(BaseModel):
    """What an acceptance or audit is about: a programme, node or movement (in the caller's regions)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["programme", "node", "movement"]
    id: uuid.UUID


class RecordSubjectOut(BaseModel):
    """What an acceptance or audit is about, as it was sent."""

    kind: Literal["programme", "node", "movement"]
    id: uuid.UUID


class AcceptanceResult(DescribedEnum):
    """The result of an acceptance (验收结论)."""

    PASSED = "passed", "验收合格: accepted"
    FAILED = "failed", "验收不合格: not accepted"
    CONDITIONAL = "conditional", "accepted on conditions (整改后合格)"


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: RecordSubjectIn
    result: AcceptanceResult
    accepted_on: date
    inspector_unit: str = Field(min_length=1, max_length=200, examples=["海港区农业农村局验收组"])
    inspector_uscc: USCC | None = None
    findings: str | None = Field(default=None, max_length=4000, description="no personal data")


class AcceptanceOut(BaseModel):
    id: uuid.UUID
    programme_id: uuid.UUID
    subject: RecordSubjectOut
    region_code: str
    result: AcceptanceResult
    accepted_on: date
    inspector_unit: str
    inspector_uscc: str | None
    findings: str | None
    recorded_at: datetime


class AuditFindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=2000)
    amount_fen: Fen | None = None
    rectify_by: date


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: RecordSubjectIn
    auditor: str = Field(min_length=1, max_length=200, examples=["秦皇岛市审计局"])
    audited_on: date
    conclusion: str | None = Field(default=None, max_length=4000)
    findings: list[AuditFindingIn] = Field(default_factory=list, max_length=200)


class AuditFindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    audit_id: uuid.UUID
    description: str
    amount_fen: int | None
    rectify_by: date
    rectified_on: date | None
    rectification: str | None


class AuditOut(BaseModel):
    id: uuid.UUID
    programme_id: uuid.UUID
    subject: RecordSubjectOut
    region_code: str
    auditor: str
    audited_on: date
    conclusion: str | None
    findings: list[AuditFindingOut]
    recorded_at: datetime


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rectified_on: date
    rectification: str = Field(min_length=1, max_length=2000)


SubjectIn = RecordSubjectIn
