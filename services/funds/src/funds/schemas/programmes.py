"""Programmes, their budget lines and thresholds."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sunlight.codes import USCC, RegionCode
from sunlight.money import Fen

from funds.bounds import BOUNDS, within
from funds.models import Tier
from funds.schemas.common import CODE


class ProgrammeThresholds(BaseModel):
    """A programme's own thresholds; anything left out uses the deployment's settings.

    Set by the supervising side only (``funds:supervise``), within bounds (``funds.bounds.BOUNDS``:
    no value may silence a rule); every change is kept (``GET …/threshold-changes``)."""

    model_config = ConfigDict(extra="forbid")

    approval_threshold_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["approval_threshold_fen"].minimum,
        le=BOUNDS["approval_threshold_fen"].maximum,
        description="FUNDS-SPLIT-PAYMENT",
    )
    per_head_standard_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["per_head_standard_fen"].minimum,
        description="FUNDS-OVER-STANDARD (at most the programme's budget)",
    )
    idle_days: int | None = Field(
        default=None, ge=BOUNDS["idle_days"].minimum, le=BOUNDS["idle_days"].maximum, description="FUNDS-IDLE-FUNDS"
    )
    duplicate_window_days: int | None = Field(
        default=None,
        ge=BOUNDS["duplicate_window_days"].minimum,
        le=BOUNDS["duplicate_window_days"].maximum,
        description="FUNDS-DUPLICATE-PAYMENT",
    )
    split_window_days: int | None = Field(
        default=None,
        ge=BOUNDS["split_window_days"].minimum,
        le=BOUNDS["split_window_days"].maximum,
        description="FUNDS-SPLIT-PAYMENT",
    )
    pass_down_days: dict[Tier, int] | None = Field(
        default=None,
        description="FUNDS-LATE-PASS-DOWN: calendar days per tier, for every kind of passing down, "
        'e.g. {"county": 60}; at most 60 (Budget Law Art. 52 ¶4)',
    )
    pass_down_kind: Literal["general", "special"] | None = Field(
        default=None,
        description="FUNDS-LATE-PASS-DOWN: the programme's transfers to lower-level governments are general "
        "(30 days) or special (60 days) transfers (Budget Law Art. 52 ¶4)",
    )
    reporting_floor_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["reporting_floor_fen"].minimum,
        le=BOUNDS["reporting_floor_fen"].maximum,
        description="FUNDS-BENFORD: payments below this amount are not in the data (a file of payments over a "
        "floor); only amounts from the next power of ten up are tested",
    )

    @field_validator("pass_down_days")
    @classmethod
    def _positive_days(cls, value: dict[Tier, int] | None) -> dict[Tier, int] | None:
        bound = BOUNDS["pass_down_days"]
        if value and any(not within("pass_down_days", days) for days in value.values()):
            raise ValueError(f"pass-down deadlines are {bound.minimum}–{bound.maximum} days ({bound.source})")
        return value


class ThresholdsIn(BaseModel):
    """A programme's new thresholds (the whole set: what is left out falls back to the deployment's settings)."""

    model_config = ConfigDict(extra="forbid")

    thresholds: ProgrammeThresholds
    reason: str = Field(min_length=5, max_length=1000, description="why (kept with the change)")


class ThresholdChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    old: dict[str, Any]
    new: dict[str, Any]
    reason: str
    changed_by: str
    changed_by_unit: str | None
    recorded_at: datetime


class ThresholdBoundOut(BaseModel):
    name: str
    minimum: int
    maximum: int | None = Field(description="None: at most the programme's budget")
    source: str


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=CODE, examples=["2130122"])
    name: str = Field(min_length=1, pattern=r"\S", max_length=200, examples=["农业生产发展"])
    source: Literal["central", "provincial", "municipal", "county", "other"] | None = None
    amount_fen: Fen = Field(gt=0)


class BudgetLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    source: str | None
    amount_fen: int
    spent_fen: int


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["2026-AGRI-001"])
    name: str = Field(min_length=1, pattern=r"\S", max_length=200, examples=["耕地地力保护补贴"])
    category: str = Field(min_length=1, max_length=64, examples=["agriculture"])
    fiscal_year: int = Field(ge=2000, le=2100)
    budget_fen: Fen = Field(gt=0)
    budget_approved_on: date | None = Field(
        default=None,
        description="the day the budget was approved (预算批复); the root receives it then (default: "
        "the day the root is created); pass-down deadlines count from it",
    )
    region_code: RegionCode
    responsible_uscc: USCC | None = None
    allowed_categories: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="expenditure categories payments may use; empty: any (FUNDS-CATEGORY-NOT-ALLOWED)",
        examples=[["subsidy", "equipment"]],
    )
    thresholds: ProgrammeThresholds = Field(default_factory=ProgrammeThresholds)
    budget_lines: list[BudgetLineIn] = Field(
        default_factory=list, max_length=200, description="the budget broken into lines; they add up to budget_fen"
    )

    @field_validator("allowed_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        cleaned = [c.strip() for c in value]
        if any(not c or len(c) > 64 for c in cleaned):
            raise ValueError("categories are 1–64 characters")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("categories are listed once each")
        return cleaned

    @model_validator(mode="after")
    def _approved_for_its_year(self) -> ProgrammeIn:
        on = self.budget_approved_on
        if on is not None and not self.fiscal_year - 1 <= on.year <= self.fiscal_year:
            year = self.fiscal_year
            raise ValueError(f"budget_approved_on {on.isoformat()} is not in fiscal year {year} or the one before")
        return self

    @model_validator(mode="after")
    def _lines_add_up(self) -> ProgrammeIn:
        if self.budget_lines:
            codes = [line.code for line in self.budget_lines]
            if len(set(codes)) != len(codes):
                raise ValueError("budget line codes are unique within a programme")
            total = sum(line.amount_fen for line in self.budget_lines)
            if total != self.budget_fen:
                raise ValueError(f"budget lines add up to {total} fen, the budget is {self.budget_fen}")
        return self


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    category: str
    fiscal_year: int
    budget_fen: int
    budget_approved_on: date | None = None
    region_code: str
    responsible_uscc: str | None
    allowed_categories: list[str] = []
    thresholds: ProgrammeThresholds = Field(
        default_factory=ProgrammeThresholds, description="the programme's own thresholds (null: the deployment's)"
    )
    budget_lines: list[BudgetLineOut] = []
    budget_source: str | None = Field(
        default=None,
        description="set when an import derived the budget from a payments file: late pass-down and idle funds are "
        "not judged on it (the file says nothing about budgets or flows)",
    )
    created_at: datetime
