"""API shapes of the approvals service: XIn (what a client sends) and XOut (what it gets)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from sunlight.codes import USCC, RegionCode
from sunlight.enums import DescribedEnum
from sunlight.money import Fen
from sunlight.warnings import DispositionKind, DispositionOutcome, Level, WarningStatus

from approvals.models import MAIN_LINE, CaseStatus, Channel, StepKind

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$"
NOT_BLANK = r"\S"


LevelName = Level  # the shared three colours (sunlight.warnings.Level)


class Outcome(DescribedEnum):
    GRANT = "grant", "准予许可: granted"
    DENY = "deny", "不予许可: denied, with reasons"


# --- the catalogue ---------------------------------------------------------------------------------


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["QHD-ZJJ"])
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK, examples=["秦皇岛市住房和城乡建设局"])
    region_code: RegionCode
    uscc: USCC | None = Field(default=None, description="the department's unified social credit code")


class DepartmentOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    region_code: str
    uscc: str | None
    created_at: datetime


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["W-017"])
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK, examples=["建设工程规划许可窗口"])
    region_code: RegionCode
    department_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)


class WindowOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    region_code: str
    department_id: uuid.UUID | None
    created_at: datetime


class OfficerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, description="staff code; steps name officers by it")
    name: str = Field(min_length=1, max_length=100, pattern=NOT_BLANK, examples=["王明"])
    region_code: RegionCode
    department_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    window_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)


class OfficerOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    region_code: str
    department_id: uuid.UUID | None
    window_id: uuid.UUID | None
    created_at: datetime


class FeeIn(BaseModel):
    """One statutory fee item of an item (法定收费项目) and its rate."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["GBF"])
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK, examples=["工本费"])
    max_fen: Fen = Field(ge=0, description="the statutory rate: the most one case may be charged")
    basis: str | None = Field(default=None, max_length=300, description="the law or regulation that provides it")


DEFAULT_STEPS = [
    StepKind.SUBMIT,
    StepKind.ACCEPT,
    StepKind.UNDERTAKE,
    StepKind.REVIEW,
    StepKind.DECIDE,
    StepKind.CONCLUDE,
    StepKind.DELIVER_CERTIFICATE,
]
DEFAULT_FOUR_EYES = [[StepKind.ACCEPT, StepKind.DECIDE], [StepKind.REVIEW, StepKind.DECIDE]]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["QHD-JS-001"])
    name: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK, examples=["建设工程规划许可证核发"])
    region_code: RegionCode
    department_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    legal_days: int | None = Field(
        default=None, ge=1, le=365, description="法定时限, working days (default 20: 行政许可法 Art. 42)"
    )
    promised_days: int | None = Field(
        default=None, ge=0, le=365, description="承诺时限, working days, at most the legal limit (default: the legal)"
    )
    required_steps: list[StepKind] = Field(
        default_factory=lambda: list(DEFAULT_STEPS),
        max_length=len(MAIN_LINE),
        description="the main-line steps a case must go through, in order (APPROVALS-STEP-ORDER); an item that "
        "issues a licence lists deliver_certificate (APPROVALS-CERTIFICATE-LATE)",
    )
    four_eyes: list[list[StepKind]] = Field(
        default_factory=lambda: [list(p) for p in DEFAULT_FOUR_EYES],
        max_length=20,
        description="pairs of steps that must be done by different officers (APPROVALS-SELF-APPROVAL)",
    )
    fees: list[FeeIn] = Field(
        default_factory=list, max_length=50, description="statutory fee items; none: the item is free (Art. 58)"
    )
    online_mandatory: bool = Field(default=False, description="must be handled online (APPROVALS-OFFLINE-HANDLING)")

    @field_validator("required_steps")
    @classmethod
    def _main_line_in_order(cls, steps: list[StepKind]) -> list[StepKind]:
        ranks = [MAIN_LINE.index(s) if s in MAIN_LINE else -1 for s in steps]
        if -1 in ranks:
            raise ValueError(f"required steps are main-line steps: {', '.join(MAIN_LINE)}")
        if ranks != sorted(set(ranks)):
            raise ValueError("required steps are listed once each, in the order of the main line")
        return steps

    @field_validator("four_eyes")
    @classmethod
    def _pairs(cls, pairs: list[list[StepKind]]) -> list[list[StepKind]]:
        if any(len(p) != 2 or p[0] == p[1] for p in pairs):
            raise ValueError("each four-eyes entry is a pair of two different steps")
        return pairs

    @model_validator(mode="after")
    def _promise_within_law(self) -> ItemIn:
        if self.legal_days is not None and self.promised_days is not None and self.promised_days > self.legal_days:
            raise ValueError("the promised limit cannot be longer than the legal one")
        if len({f.code for f in self.fees}) != len(self.fees):
            raise ValueError("fee item codes are unique within an item")
        return self


class ItemOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    region_code: str
    department_id: uuid.UUID | None
    legal_days: int
    promised_days: int
    required_steps: list[StepKind]
    four_eyes: list[list[StepKind]]
    fees: list[FeeIn]
    online_mandatory: bool
    created_at: datetime


# --- cases and their steps ---------------------------------------------------------------------------


class StepIn(BaseModel):
    """One step of a case, as the bureau's system pushes it. The first step of a case number creates the case
    (``item_code`` then says what it applies for). ``step`` decides which other fields apply:

    - ``request_correction``: ``missing_items`` — every missing item, at once (Art. 32);
    - ``extend``: ``days``, ``approved_by`` (the head of the organ) and ``reason`` (Art. 42);
    - ``suspend``: ``procedure`` and ``granted_days`` (Art. 45); ``resume`` ends it;
    - ``charge_fee``: ``fee_item`` and ``amount_fen`` (Art. 58–59);
    - ``decide``: ``outcome``; ``refuse``: ``reason`` (Art. 38).
    """

    model_config = ConfigDict(extra="forbid")

    case_no: str = Field(min_length=1, max_length=100, pattern=CODE, description="the bureau's case number (办件编号)")
    region_code: RegionCode
    item_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    channel: Channel | None = Field(default=None, description="how the case came in (new cases; default offline)")
    step: StepKind
    occurred_at: AwareDatetime
    officer_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    window_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    reason: str | None = Field(default=None, max_length=2000)
    missing_items: list[str] | None = Field(default=None, max_length=100)
    days: int | None = Field(default=None, ge=1, le=365)
    approved_by: str | None = Field(default=None, max_length=64, description="extend: who approved it (staff code)")
    procedure: str | None = Field(default=None, min_length=1, max_length=40, examples=["hearing", "expert_review"])
    granted_days: int | None = Field(default=None, ge=1, le=365, description="suspend: days told to the applicant")
    fee_item: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    amount_fen: Fen | None = Field(default=None, ge=0)
    outcome: Outcome | None = None

    @field_validator("missing_items")
    @classmethod
    def _items_named(cls, items: list[str] | None) -> list[str] | None:
        if items is not None and any(not i.strip() or len(i) > 300 for i in items):
            raise ValueError("each missing item is named (1–300 characters)")
        return items

    @model_validator(mode="after")
    def _fields_of_step(self) -> StepIn:
        k = self.step
        owned = {
            "missing_items": {StepKind.REQUEST_CORRECTION},
            "days": {StepKind.EXTEND},
            "approved_by": {StepKind.EXTEND},
            "procedure": {StepKind.SUSPEND},
            "granted_days": {StepKind.SUSPEND},
            "fee_item": {StepKind.CHARGE_FEE},
            "amount_fen": {StepKind.CHARGE_FEE},
            "outcome": {StepKind.DECIDE},
            "reason": {StepKind.EXTEND, StepKind.REFUSE, StepKind.SUSPEND, StepKind.REQUEST_CORRECTION},
        }
        wrong = [name for name, steps in owned.items() if getattr(self, name) is not None and k not in steps]
        if wrong:
            raise ValueError(f"{', '.join(wrong)} does not apply to {k.value}")
        if k == StepKind.REQUEST_CORRECTION and not self.missing_items:
            raise ValueError("request_correction lists every missing item (missing_items)")
        if k == StepKind.CHARGE_FEE and (self.fee_item is None or self.amount_fen is None):
            raise ValueError("charge_fee names fee_item and amount_fen")
        if k == StepKind.SUSPEND and self.procedure is None:
            raise ValueError("suspend names the special procedure (procedure)")
        return self

    def details(self) -> dict[str, Any]:
        names = ("reason", "missing_items", "days", "approved_by", "procedure", "granted_days", "fee_item",
                 "amount_fen", "outcome")  # fmt: skip
        return {n: (v.value if isinstance(v, StrEnum) else v) for n in names if (v := getattr(self, n)) is not None}


class StepOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    seq: int = Field(description="arrival order within the case")
    step: StepKind
    occurred_at: datetime
    officer_code: str | None
    window_code: str | None
    details: dict[str, Any]
    out_of_order: bool = Field(description="came where it cannot, or after a later step (APPROVALS-STEP-ORDER)")
    recorded_at: datetime


class CaseOut(BaseModel):
    id: uuid.UUID
    case_no: str
    region_code: str
    item_id: uuid.UUID
    item_code: str
    channel: Channel
    status: CaseStatus
    window_code: str | None
    officer_code: str | None
    submitted_at: datetime | None
    accepted_at: datetime | None
    concluded_at: datetime | None
    result: str | None
    used_days: int | None = Field(description="working days used as of the last step or sweep")
    due_on: date | None = Field(description="legal deadline (None before acceptance and while suspended)")
    promised_due_on: date | None
    level: LevelName | None = Field(description="the worst warning raised about the case")
    step_count: int
    created_at: datetime


class StepResultOut(BaseModel):
    case: CaseOut
    step: StepOut
    warnings_raised: int


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    batch_key: str
    records: int
    step_ids: list[uuid.UUID]
    case_ids: list[uuid.UUID]
    warnings_raised: int


class ClockOut(BaseModel):
    accepted_on: date
    as_of: date
    used_days: int
    legal_days: int
    promised_days: int
    suspended_days: int
    running: bool
    legal_due_on: date | None
    promised_due_on: date | None


class TimelineOut(BaseModel):
    case: CaseOut
    steps: list[StepOut] = Field(description="in the order they happened (occurred_at, then arrival)")
    clock: ClockOut | None = Field(description="None before acceptance")


# --- warnings and the sweep ----------------------------------------------------------------------------


class ApprovalsSubjectKind(DescribedEnum):
    """What an approvals warning is about."""

    CASE = "case", "an approval case (办件)"
    WINDOW = "window", "a service window (窗口), e.g. for its satisfaction rating"
    PENALTY = "penalty", "a penalty decision (行政处罚决定), e.g. outside its discretion band"


class ApprovalsWarningOut(BaseModel):
    """A warning approvals raised, in the register's vocabulary (``IntegrityWarningOut``): ``service``, a flat
    ``subject_kind``/``subject_id``, ``first_seen_at``/``last_seen_at``. Its state is integrity's."""

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level = Field(description="the level approvals gave the finding (integrity may raise it further)")
    title: str
    service: Literal["approvals"] = "approvals"
    case_id: uuid.UUID | None
    subject_kind: ApprovalsSubjectKind
    subject_id: str
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    status: WarningStatus = Field(
        description="the register entry's status as integrity last reported it (warnings.disposed.v1)"
    )
    disposition: DispositionKind | None = Field(description="the latest disposition's kind; none before one")
    outcome: DispositionOutcome | None = Field(description="how the latest disposition ended; none until then")
    correct_by: date | None = Field(
        description="an enforcement warning under a reminder, an inquiry or a direct review: the working day by "
        "which the penalty must be corrected, or a new APPROVALS-ENFORCEMENT-UNCORRECTED finding goes to integrity"
    )
    first_seen_at: datetime = Field(description="when approvals first raised it")
    last_seen_at: datetime = Field(description="when approvals last raised it")


WarningOut = ApprovalsWarningOut


class SweepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = Field(default=None, description="sweep as of this instant (default now; not later)")


class SweepOut(BaseModel):
    as_of: datetime
    cases: int = Field(description="open cases swept")
    findings: dict[str, int] = Field(description="findings per rule id")
    raised: int = Field(description="warnings emitted (new, reopened or escalated)")
    not_covered: int = Field(description="cases skipped: a date outside the working-day calendar's years")


# --- ratings (好差评) and the error-correction library (纠错库) -----------------------------------------


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(
        ge=1, le=5, description="5 非常满意 … 1 非常不满意; 1–2 are bad ratings, rectified by a deadline"
    )
    rated_at: AwareDatetime


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rectified_at: AwareDatetime
    rectification: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK, description="what was done")


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=2000, pattern=NOT_BLANK, description="why the rating is mistaken or malicious"
    )


class AppealOutcome(DescribedEnum):
    UPHELD = "upheld", "the rating was mistaken or malicious: it no longer needs rectification"
    REJECTED = "rejected", "the appeal is rejected: the rating stands"


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: AppealOutcome


class RatingOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    region_code: str
    score: int
    rated_at: datetime
    rectify_by: date | None = Field(description="bad ratings: the last day to rectify (working days)")
    rectified_at: datetime | None
    rectification: str | None
    appeal: str | None = Field(description="pending, upheld or rejected")
    appeal_reason: str | None
    warnings_raised: int = 0


class ErrorIn(BaseModel):
    """An error found in handling a case (纠错库), and its correction when there is one."""

    model_config = ConfigDict(extra="forbid")

    region_code: RegionCode
    case_id: uuid.UUID | None = None
    window_code: str = Field(min_length=1, max_length=64, pattern=CODE)
    officer_code: str | None = Field(default=None, min_length=1, max_length=64, pattern=CODE)
    error_code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["material-not-checked"])
    description: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    correction: str | None = Field(default=None, max_length=2000)
    found_on: date


class ErrorOut(BaseModel):
    id: uuid.UUID
    region_code: str
    case_id: uuid.UUID | None
    window_code: str
    officer_code: str | None
    error_code: str
    description: str
    correction: str | None
    found_on: date
    created_at: datetime
    warnings_raised: int = 0
