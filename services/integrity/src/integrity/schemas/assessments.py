"""API shapes of the integrity index: frameworks, subjects, sheets, evaluating bodies, results, closures, trend."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import USCC, RegionCode

from integrity.index import Definition
from integrity.models import SubjectKind
from integrity.periods import PATTERN as PERIOD_PATTERN
from integrity.schemas.common import Period

# --- the integrity index ----------------------------------------------------------------------


class FrameworkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    target: SubjectKind
    definition: Definition


class FrameworkReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    definition: Definition


class FrameworkOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    target: SubjectKind
    version: int
    first_level: int = Field(description="how many first-level indicators")
    second_level: int = Field(description="how many second-level indicators")
    bodies: int = Field(description="how many evaluating bodies")
    definition: Definition
    updated_at: datetime


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SubjectKind
    code: str = Field(min_length=1, max_length=100, description="the organisation department's code; never a name")
    label: str = Field(
        min_length=1, pattern=r"\S", max_length=300, description="the team's or the post's name, not a person's"
    )
    unit_uscc: USCC | None = Field(default=None, description="the unit (required for a team)")
    region_code: RegionCode
    peer_group: str | None = Field(default=None, max_length=100, description="compared with subjects of this group")

    @model_validator(mode="after")
    def _team_has_unit(self) -> SubjectIn:
        if self.kind == SubjectKind.TEAM and self.unit_uscc is None:
            raise ValueError("a team's unit_uscc is required")
        return self


class SubjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: SubjectKind
    code: str
    label: str
    unit_uscc: str | None
    region_code: str
    peer_group: str | None
    created_at: datetime


class AssessmentIn(BaseModel):
    """One evaluating body's sheet for one subject and period (测评表); resubmitting replaces its scores."""

    model_config = ConfigDict(extra="forbid")

    framework: str = Field(min_length=1, max_length=40)
    period: Period = Field(pattern=PERIOD_PATTERN, examples=["2026", "2026-H1", "2026-Q2"])
    subject_id: uuid.UUID
    rater: str = Field(min_length=1, max_length=20, description="the evaluating body's code")
    scores: dict[str, float] = Field(min_length=1, max_length=200, description="indicator code → score")


class AssessmentOut(BaseModel):
    framework: str
    period: str
    subject_id: uuid.UUID
    rater: str
    scores: dict[str, float]
    entered_at: datetime


class ScoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period: str
    subject_id: uuid.UUID
    rater: str
    indicator: str
    score: float
    entered_at: datetime


class ComputationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Field(pattern=PERIOD_PATTERN, examples=["2026"])
    region_code: RegionCode | None = Field(default=None, description="only subjects here (default: the caller's)")


class ResultOut(BaseModel):
    id: uuid.UUID
    framework: str
    period: str
    subject_id: uuid.UUID
    subject_label: str
    region_code: str
    unit_uscc: str | None
    status: Literal["assessed", "not_assessed"] = Field(
        description="not_assessed: too few bodies scored it or too little was reported (never a clean score)"
    )
    value: float | None = Field(
        description="0–100, absolute (the bodies' scores), higher is cleaner; null: not assessed"
    )
    se: float | None
    ci_low: float | None
    ci_high: float | None
    grade: Literal["A", "B", "C"] | None = Field(
        description="below the framework's cut-offs only: A red, B yellow, C orange; null is the normal case"
    )
    colour: Literal["red", "yellow", "orange"] | None = Field(description="the grade's colour (seed: 红、黄、橙)")
    reliability: float | None = Field(
        description="the evaluating bodies' agreement on this subject: Krippendorff's alpha (interval) over its rated "
        "indicators; 1 full agreement, ≤ 0 no more than chance; null with fewer than two bodies or no variation"
    )
    raters: int = Field(description="distinct evaluating bodies that scored the subject")
    raw_value: float | None = Field(description="the index without the leniency correction (= value when it is off)")
    coverage: float = Field(description="the share of the framework's weight that had a value")
    published: bool = Field(description="the period is closed in the subject's region: the result no longer changes")
    computed_at: datetime


class ResultDetail(ResultOut):
    framework_version: int
    baseline_period: str | None = Field(description="leniency correction: the closed period whose leniency was used")
    breakdown: dict[str, Any] = Field(
        description="dimensions, first-level and second-level values, the bodies counted, figures, the leniency used"
    )


class ComputationOut(BaseModel):
    framework: str
    period: str
    computed: int
    with_value: int
    published: int = Field(description="subjects left as they were: the period is closed in their region")
    graded: dict[str, int]
    reliability: float | None = Field(
        description="the bodies' agreement over every subject computed (Krippendorff's alpha, interval)"
    )
    results: list[ResultOut]


class TrendPoint(BaseModel):
    period: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    grade: str | None
    reliability: float | None


class PeerComparison(BaseModel):
    period: str
    peer_group: str | None
    peers: int = Field(description="subjects compared (the subject included), in the caller's regions")
    peer_mean: float | None
    gap: float | None = Field(description="the subject's value minus the peers' mean")


class TrendOut(BaseModel):
    """The change of the subject's own index over periods of one length (years, halves, quarters or months)."""

    subject: SubjectOut
    framework: str
    granularity: Literal["year", "half", "quarter", "month"] | None
    points: list[TrendPoint]
    slope: float | None = Field(description="least-squares slope in index points per period (periods with a value)")
    change: float | None = Field(description="the last value minus the one before (index points, not ranks)")
    change_beyond_noise: bool | None = Field(
        description="the change exceeds ci_z times the standard error of the difference of the two values"
    )
    peers: PeerComparison | None


class RaterIn(BaseModel):
    """Register a unit as an evaluating body for the subjects of a region (and below it)."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20, description="the evaluating body's code in the frameworks (B01…)")
    region_code: RegionCode
    unit_uscc: USCC = Field(description="the body's unit: principals whose token names this unit enter its sheets")


class RaterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    body: str
    region_code: str
    unit_uscc: str
    registered_at: datetime
    registered_by: str


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Period = Field(pattern=PERIOD_PATTERN, examples=["2026"])
    region_code: RegionCode = Field(description="the period closes for the subjects here and below")


class ClosureOut(BaseModel):
    id: uuid.UUID
    framework: str
    period: str
    region_code: str
    framework_version: int
    subjects: int = Field(description="subjects with scores in the region")
    leniency: dict[str, Any] = Field(
        description="per body: its leniency in this period (offset in index points, subjects), frozen as a baseline"
    )
    closed_at: datetime
    closed_by: str
