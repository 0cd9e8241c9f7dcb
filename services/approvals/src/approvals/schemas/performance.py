"""API shapes of performance scores (绩效考评)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sunlight.enums import DescribedEnum

from approvals.schemas.cases import CODE


class PerformanceLevel(DescribedEnum):
    """What is scored."""

    DEPARTMENT = "department", "审批部门: a department"
    WINDOW = "window", "窗口: a window of the service centre"
    OFFICER = "officer", "工作人员: an officer, by staff code"


PERIOD_PATTERN = r"^(19[7-9]\d|2\d{3})(-(0[1-9]|1[0-2])|-Q[1-4])?$"
UNIT_CODE = CODE


class WarningCounts(BaseModel):
    blue: int
    orange: int
    red: int


class PerformanceOut(BaseModel):
    """One unit's score for a period; every figure is recomputed from the stored cases, ratings and warnings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"level": "window", "period": "2025-10", "region_code": "130302", "code": "W-01", "rank": 1, "of": 12,
                 "cases_concluded": 40, "on_time": 38, "on_time_rate": 0.95, "ratings": 20, "satisfied": 19,
                 "satisfaction": 0.95, "warnings": {"blue": 3, "orange": 1, "red": 0}, "deductions": 2, "score": 98,
                 "previous_score": 93, "change": 5}
            ]
        }
    )  # fmt: skip

    level: PerformanceLevel
    period: str
    region_code: str
    code: str = Field(description="the department's, window's or officer's code")
    rank: int = Field(description="1 = best: score, then on-time rate, then satisfaction (higher first), then code")
    of: int = Field(description="how many units were ranked")
    cases_concluded: int
    on_time: int = Field(description="concluded within the item's promised limit (working days)")
    on_time_rate: float | None = Field(description="on_time / cases_concluded; null without concluded cases")
    ratings: int
    satisfied: int = Field(description="ratings of 4 or 5")
    satisfaction: float | None = Field(description="satisfied / ratings; null without ratings")
    warnings: WarningCounts = Field(description="warnings first raised in the period, integrity's dismissals excluded")
    deductions: int = Field(description="Σ performance_deductions[level] over those warnings")
    score: int = Field(description="max(0, 100 − deductions)")
    previous_score: int | None = Field(description="the score of the period before; null when the unit had none")
    change: int | None = Field(description="score − previous_score")


class TrendPoint(BaseModel):
    period: str
    score: int
    on_time_rate: float | None
    satisfaction: float | None
    deductions: int


class TrendOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: PerformanceLevel
    region_code: str
    code: str
    points: list[TrendPoint] = Field(description="oldest first")
    slope: float = Field(description="least-squares slope of the scores, points per period")
