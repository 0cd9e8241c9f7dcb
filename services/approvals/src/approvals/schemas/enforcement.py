"""API shapes of enforcement (行政执法): powers with their discretion bands, and penalty decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import RegionCode
from sunlight.money import Fen

from approvals.models import PenaltyKind
from approvals.schemas.cases import CODE, NOT_BLANK, LevelName


class BandIn(BaseModel):
    """A discretion band (裁量档次): for a fact pattern, the penalty kinds allowed and the fine's range."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64, pattern=CODE)
    circumstance: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK, description="the fact pattern (情节)")
    kinds: list[PenaltyKind] = Field(min_length=1, max_length=8, description="the penalty kinds this band allows")
    min_fen: Fen | None = Field(default=None, description="the lowest fine (fen); with kinds containing fine")
    max_fen: Fen | None = Field(default=None, description="the highest fine (fen); with kinds containing fine")

    @model_validator(mode="after")
    def _range(self) -> BandIn:
        fines = PenaltyKind.FINE in self.kinds
        if fines and (self.min_fen is None or self.max_fen is None):
            raise ValueError("a band that allows a fine gives min_fen and max_fen")
        if not fines and (self.min_fen is not None or self.max_fen is not None):
            raise ValueError("min_fen and max_fen belong to a band that allows a fine")
        if fines and self.min_fen is not None and self.max_fen is not None and self.min_fen > self.max_fen:
            raise ValueError("min_fen exceeds max_fen")
        if len(set(self.kinds)) != len(self.kinds):
            raise ValueError("a kind is listed twice")
        return self


class BandOut(BaseModel):
    code: str
    circumstance: str
    kinds: list[PenaltyKind]
    min_fen: Fen | None
    max_fen: Fen | None


class EnforcementPowerIn(BaseModel):
    """An enforcement power (执法事项) with its published discretion bands (行政处罚法 2021 Art. 34)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "code": "ZJ-0103",
                    "name": "未取得施工许可证擅自施工",
                    "region_code": "130300",
                    "legal_basis": "《建筑工程施工许可管理办法》第十二条",
                    "bands": [
                        {"code": "light", "circumstance": "主动停工整改", "kinds": ["warning", "fine"],
                         "min_fen": 1000000, "max_fen": 2000000},
                        {"code": "heavy", "circumstance": "拒不停工", "kinds": ["fine"],
                         "min_fen": 2000000, "max_fen": 3000000},
                    ],
                }
            ]
        },
    )  # fmt: skip

    code: str = Field(min_length=1, max_length=64, pattern=CODE)
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK)
    region_code: RegionCode
    department_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    legal_basis: str = Field(min_length=1, max_length=500, pattern=NOT_BLANK, description="the article that sets it")
    bands: list[BandIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unique_bands(self) -> EnforcementPowerIn:
        codes = [b.code for b in self.bands]
        if len(set(codes)) != len(codes):
            raise ValueError("band codes repeat")
        return self


class EnforcementPowerOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    region_code: str
    department_id: uuid.UUID | None
    legal_basis: str
    bands: list[BandOut]
    created_at: datetime


class PenaltyIn(BaseModel):
    """A penalty decision (行政处罚决定) as the bureau made it."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"decision_no": "秦建罚〔2025〕17号", "region_code": "130302", "power_code": "ZJ-0103",
                 "band_code": "light", "kinds": ["fine"], "fine_fen": 1500000, "filed_on": "2025-09-01",
                 "decided_at": "2025-10-20T10:00:00+08:00", "officer_code": "ZF-007"}
            ]
        },
    )  # fmt: skip

    decision_no: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK)
    region_code: RegionCode
    power_code: str = Field(min_length=1, max_length=64, pattern=CODE, description="in the region or one above it")
    band_code: str = Field(min_length=1, max_length=64, pattern=CODE, description="the band its facts fall in")
    kinds: list[PenaltyKind] = Field(min_length=1, max_length=8)
    fine_fen: Fen | None = Field(default=None, description="the fine (fen), with kinds containing fine")
    filed_on: date | None = Field(default=None, description="the day the case was filed (立案)")
    decided_at: AwareDatetime
    officer_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    reason: str | None = Field(
        default=None, min_length=1, max_length=2000, pattern=NOT_BLANK, description="why it departs from the band"
    )
    corrects: uuid.UUID | None = Field(default=None, description="an earlier decision this one changes (纠正)")

    @model_validator(mode="after")
    def _fine(self) -> PenaltyIn:
        if (PenaltyKind.FINE in self.kinds) != (self.fine_fen is not None):
            raise ValueError("fine_fen is given exactly when kinds contains fine")
        if len(set(self.kinds)) != len(self.kinds):
            raise ValueError("a kind is listed twice")
        if self.filed_on is not None and self.filed_on > self.decided_at.date():
            raise ValueError("filed_on lies after the decision")
        return self


class PenaltyOut(BaseModel):
    id: uuid.UUID
    decision_no: str
    region_code: str
    power_id: uuid.UUID
    power_code: str
    band_code: str
    band: BandOut = Field(description="the band as it was when the decision was recorded")
    kinds: list[PenaltyKind]
    fine_fen: Fen | None
    filed_on: date | None
    decided_at: datetime
    officer_code: str | None
    reason: str | None
    within_band: bool
    departures: list[str] = Field(description="kind-not-allowed:<kind>, fine-below-min, fine-above-max")
    level: LevelName | None = Field(description="the level of its outside-band finding, null when within")
    corrects: uuid.UUID | None
    corrected_by: uuid.UUID | None
    warnings_raised: int = 0
    created_at: datetime
