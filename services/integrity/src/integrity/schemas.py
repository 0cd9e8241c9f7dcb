"""API shapes of the integrity service: XIn (what a client sends), XOut (what it gets), filters."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import USCC, RegionCode
from sunlight.warnings import Level

from integrity.index import Definition
from integrity.models import (
    DispositionKind,
    DispositionStatus,
    Outcome,
    RiskLevel,
    StepKind,
    SubjectKind,
    WarningStatus,
)
from integrity.periods import PATTERN as PERIOD_PATTERN

RULE_ID = r"^[A-Z]+(-[A-Z0-9]+)+$"
Period = str  # validated by PERIOD_PATTERN where it enters
Depth = Literal["province", "city", "county", "township"]
DEPTH_DIGITS: dict[str, int] = {"province": 2, "city": 4, "county": 6, "township": 9}


# --- the register -----------------------------------------------------------------------------


class WarningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: str
    level: Level = Field(description="the effective level: the source's, raised by repetition and overdue dispositions")
    source_level: Level = Field(description="the highest level the source service gave")
    title: str
    service: str
    subject_kind: str
    subject_id: str
    subject_label: str | None
    region_code: str
    unit_uscc: str | None
    evidence: dict[str, Any] = Field(description="the latest occurrence's evidence")
    dedupe_key: str
    status: WarningStatus
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime
    risk_point_id: uuid.UUID | None
    closed_at: datetime | None
    dismissal_reason: str | None


class OccurrenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    level: Level
    occurred_at: datetime
    evidence: dict[str, Any]


class WarningFilter(BaseModel):
    rule_id: str | None = None
    level: Level | None = None
    region_code: str | None = None
    service: str | None = None
    status: WarningStatus | None = None
    unit_uscc: str | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    risk_point_id: uuid.UUID | None = None
    seen_since: datetime | None = None  # derived from max_age_days (start of that day in the zone)
    seen_before: datetime | None = None  # derived from min_age_days


class WarningCount(BaseModel):
    period: str
    region_code: str
    blue: int = 0
    orange: int = 0
    red: int = 0
    total: int = 0


class DismissalIn(BaseModel):
    """Dismiss a warning (不予处置): a false positive, or already handled elsewhere."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


# --- dispositions -----------------------------------------------------------------------------


class DispositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DispositionKind
    assignee: str = Field(min_length=1, max_length=100, description="the inspector or office in charge (an id)")
    instructions: str | None = Field(default=None, max_length=4000)
    deadline_workdays: int | None = Field(
        default=None, ge=1, le=250, description="working days to the deadline (default: the kind's, from settings)"
    )
    freeze: bool | None = Field(
        default=None, description="ask the source service to hold the subject (default: direct_review and case)"
    )


class ResponseIn(BaseModel):
    """The subject's answer (回复/说明材料): a reply to an inquiry, a report on corrections."""

    model_config = ConfigDict(extra="forbid")

    response: str = Field(min_length=1, max_length=8000)


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(description="escalated: a stronger disposition follows and the warning stays open")
    conclusion: str = Field(min_length=1, max_length=8000)
    keep_hold: bool = Field(default=False, description="keep asking the source to hold the subject")


class DispositionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    warning_id: uuid.UUID
    kind: DispositionKind
    status: DispositionStatus
    rule_id: str
    region_code: str
    unit_uscc: str | None
    assignee: str
    instructions: str | None
    deadline_workdays: int
    deadline: date
    freeze: bool
    holding: bool
    opened_at: datetime
    opened_by: str
    response: str | None
    responded_at: datetime | None
    outcome: Outcome | None
    conclusion: str | None
    concluded_at: datetime | None
    overdue_since: date | None
    escalations: int


class StepOut(BaseModel):
    """One step of a disposition's history (处置步骤)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="1, 2, 3 … in the order the steps were taken")
    kind: StepKind
    status: DispositionStatus = Field(description="the disposition's status after the step")
    by: str = Field(description="who took it: the caller's subject, or the job's name (job:…)")
    at: datetime
    text: str | None = Field(description="opened: the instructions; response: the answer; concluded: the conclusion")
    details: dict[str, Any] = Field(
        description="opened: kind, assignee, deadline, deadline_workdays, freeze; concluded: outcome, holding; "
        "escalated_overdue: escalation, overdue_workdays, deadline, warning_level; "
        "backfilled: true on steps rebuilt from a disposition's columns when the history began"
    )


class DispositionDetail(DispositionOut):
    steps: list[StepOut] = Field(
        description="the history, oldest first: the latest 100 steps (all: GET /v1/integrity/dispositions/{id}/steps)"
    )


class DispositionFilter(BaseModel):
    status: DispositionStatus | None = None
    kind: DispositionKind | None = None
    assignee: str | None = None
    region_code: str | None = None
    warning_id: uuid.UUID | None = None
    overdue: bool | None = None


# --- risk points ------------------------------------------------------------------------------


class RiskPointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    name: str = Field(min_length=1, max_length=200)
    post: str = Field(min_length=1, max_length=200, description="岗位")
    power: str = Field(min_length=1, max_length=200, description="职权")
    description: str | None = Field(default=None, max_length=4000)
    risk_level: RiskLevel
    controls: list[str] = Field(default_factory=list, max_length=50, description="防控措施")
    rule_ids: list[str] = Field(default_factory=list, max_length=50, description="rules whose findings realise it")
    region_code: RegionCode
    unit_uscc: USCC | None = None

    @model_validator(mode="after")
    def _rule_ids(self) -> RiskPointIn:
        _check_rules(self.rule_ids)
        return self


class RiskPointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    post: str | None = Field(default=None, min_length=1, max_length=200)
    power: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    risk_level: RiskLevel | None = None
    controls: list[str] | None = Field(default=None, max_length=50)
    rule_ids: list[str] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _rule_ids(self) -> RiskPointUpdate:
        _check_rules(self.rule_ids or [])
        return self


def _check_rules(rule_ids: list[str]) -> None:
    bad = [r for r in rule_ids if not re.match(RULE_ID, r) or len(r) > 64]
    if bad:
        raise ValueError(f"not rule ids: {bad}")
    if len(set(rule_ids)) != len(rule_ids):
        raise ValueError("rule_ids repeat")


class RiskPointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    post: str
    power: str
    description: str | None
    risk_level: RiskLevel
    controls: list[str]
    rule_ids: list[str] = []
    region_code: str
    unit_uscc: str | None
    created_at: datetime
    updated_at: datetime


class HeatCell(BaseModel):
    """Realised risks (warnings linked to a risk point) of one unit: one cell of the heat map."""

    unit_uscc: str | None
    risk_point_id: uuid.UUID
    risk_point_code: str
    risk_point_name: str
    risk_level: RiskLevel
    blue: int = 0
    orange: int = 0
    red: int = 0
    total: int = 0


# --- the integrity index ----------------------------------------------------------------------


class FrameworkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    target: SubjectKind
    definition: Definition


class FrameworkReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
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
    label: str = Field(min_length=1, max_length=300, description="the team's or the post's name, not a person's")
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


class UnitActivityOut(BaseModel):
    """What the other services reported about a unit in a period (the computed indicators' figures)."""

    unit_uscc: str
    period: str
    region_code: str = Field(description="the region counted: what was reported about the unit there and below")
    warnings_blue: int
    warnings_orange: int
    warnings_red: int
    funds_warnings: int
    complaints: int
    cases_concluded: int
    cases_on_time: int
    on_time_rate: float | None


# --- the overview -----------------------------------------------------------------------------


class RegionColours(BaseModel):
    region_code: str
    blue: int = 0
    orange: int = 0
    red: int = 0
    total: int = 0


class RegionCount(BaseModel):
    region_code: str
    count: int


class OverdueOverview(BaseModel):
    today: date
    count: int
    by_region: list[RegionCount]
    oldest: list[DispositionOut]


class RuleFrequency(BaseModel):
    rule_id: str
    occurrences: int
    warnings: int
    last_seen_at: datetime


class WarningDetail(WarningOut):
    history: list[OccurrenceOut] = Field(description="the latest occurrences, newest first (at most 50)")
    dispositions: list[DispositionOut]
    risk_point: RiskPointOut | None
