"""Approvals tables (SQLModel, tables only; API shapes are in schemas.py).

The catalogue (事项目录) names what may be applied for — items with their legal and promised
time limits in working days, the steps they require in order, their fee standard and whether
they must be handled online — and who handles it: departments, windows (窗口) and officers.
A case (办件) is one application; its steps (环节) are pushed by the bureau's system as they
happen and kept as they arrive (out-of-order ones too, flagged). No applicant's personal data
is stored: a case is known by the bureau's own case number.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow
from sunlight.enums import DescribedEnum

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata


class StepKind(DescribedEnum):
    """The steps of an approval case (行政许可办理环节)."""

    SUBMIT = "submit", "申请/提交"
    PRE_ACCEPT = "pre_accept", "网上预受理"
    ACCEPT = "accept", "受理 (the clock starts)"
    REQUEST_CORRECTION = "request_correction", "补正告知 (一次性告知, listing every missing item)"
    UNDERTAKE = "undertake", "承办"
    REVIEW = "review", "审核"
    DECIDE = "decide", "审批/决定"
    EXTEND = "extend", "延期 (approved by the head of the organ, with a reason)"
    SUSPEND = "suspend", "特别程序 (hearing, testing, expert review …): the clock stops"
    RESUME = "resume", "特别程序结束: the clock runs again"
    CHARGE_FEE = "charge_fee", "收费"
    REFUSE = "refuse", "不予受理/不予许可 (with reasons)"
    CONCLUDE = "conclude", "办结"
    DELIVER_CERTIFICATE = "deliver_certificate", "送达证件"


# the main line of a case, in order; the other steps fit around it (see rules.step_order_problems)
MAIN_LINE = (
    StepKind.SUBMIT,
    StepKind.PRE_ACCEPT,
    StepKind.ACCEPT,
    StepKind.UNDERTAKE,
    StepKind.REVIEW,
    StepKind.DECIDE,
    StepKind.CONCLUDE,
    StepKind.DELIVER_CERTIFICATE,
)


class Channel(DescribedEnum):
    ONLINE = "online", "网上办理"
    OFFLINE = "offline", "窗口/线下"


class CaseStatus(DescribedEnum):
    SUBMITTED = "submitted", "applied for, not yet accepted (受理)"
    ACCEPTED = "accepted", "the clock runs"
    SUSPENDED = "suspended", "a special procedure: the clock stops"
    CONCLUDED = "concluded", "办结: decided"
    REFUSED = "refused", "不予受理 before acceptance, or refused and concluded"


class Department(Base, table=True):
    """Department — 审批部门."""

    __tablename__ = "department"
    __table_args__ = (sa.UniqueConstraint("region_code", "code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    uscc: str | None = Field(default=None, max_length=18, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Window(Base, table=True):
    """Window — 政务服务中心窗口."""

    __tablename__ = "service_window"
    __table_args__ = (sa.UniqueConstraint("region_code", "code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Officer(Base, table=True):
    """Officer — 窗口/审批工作人员, known by the bureau's staff code (the code is what steps name)."""

    __tablename__ = "officer"
    __table_args__ = (sa.UniqueConstraint("region_code", "code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=100)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id")
    window_id: uuid.UUID | None = Field(default=None, foreign_key="service_window.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Item(Base, table=True):
    """Item — 审批事项: what may be applied for, with its time limits, steps, fees and channel."""

    __tablename__ = "item"
    __table_args__ = (
        sa.UniqueConstraint("region_code", "code"),
        sa.CheckConstraint("promised_days <= legal_days", name="promise_within_law"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id")
    legal_days: int  # 法定时限 (working days)
    promised_days: int  # 承诺时限 (working days), at most the legal one
    required_steps: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # in order
    four_eyes: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON)  # pairs done by different officers
    fees: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)  # [{code, name, max_fen}]
    online_mandatory: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApprovalCase(Base, table=True):
    """ApprovalCase — 办件: one application, identified by the bureau's case number within its region."""

    __tablename__ = "approval_case"
    __table_args__ = (sa.UniqueConstraint("region_code", "case_no"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    case_no: str = Field(max_length=100)
    item_id: uuid.UUID = Field(foreign_key="item.id", index=True)
    channel: Channel = Field(sa_type=sa.String(10))
    status: CaseStatus = Field(sa_type=sa.String(12), index=True)
    window_code: str | None = Field(default=None, max_length=64, index=True)
    officer_code: str | None = Field(default=None, max_length=64, index=True)  # who undertakes it
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str | None = Field(default=None, max_length=20)  # approved | refused
    used_days: int | None = None  # working days used as last computed
    due_on: date | None = Field(default=None, index=True)  # legal deadline (None: not accepted, or suspended)
    promised_due_on: date | None = None
    level: str | None = Field(default=None, max_length=10, index=True)  # the worst open warning of the case
    certificate_pending: bool = Field(default=False, index=True)  # granted, the licence not yet delivered
    step_count: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseStep(Base, table=True):
    """CaseStep — 办件环节: one step as pushed, kept whatever its order (``out_of_order`` says so)."""

    __tablename__ = "case_step"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="approval_case.id", index=True)
    seq: int  # arrival order within the case
    kind: StepKind = Field(sa_type=sa.String(24))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    officer_code: str | None = Field(default=None, max_length=64)
    window_code: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    out_of_order: bool = False
    batch_id: uuid.UUID | None = Field(default=None, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StepBatch(Base, table=True):
    """StepBatch — 批量推送: one all-or-nothing batch of steps, idempotent by its key."""

    __tablename__ = "step_batch"
    __table_args__ = (sa.UniqueConstraint("client_id", "batch_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(max_length=200)
    batch_key: str = Field(max_length=120)
    fingerprint: str = Field(max_length=64)
    record_count: int
    result: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApprovalsWarning(Base, table=True):
    """ApprovalsWarning — 本系统发出的预警: approvals' own view of a warning it raised."""

    __tablename__ = "approvals_warning"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10)
    title: str = Field(max_length=300)
    subject_kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=100, index=True)
    subject_label: str | None = Field(default=None, max_length=300)
    case_id: uuid.UUID | None = Field(default=None, index=True)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    signature: str | None = Field(default=None, max_length=64)  # what makes a finding new news (see alerts)
    occurrences: int = 1
    status: str = Field(default="open", max_length=20, index=True)
    # what integrity told (warnings.disposed.v1): approvals' view only, integrity owns the state
    disposition: str | None = Field(default=None, max_length=40)
    outcome: str | None = Field(default=None, max_length=40)
    disposed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    correct_by: date | None = Field(default=None, index=True)  # the subject corrected by then, or escalated
    integrity_warning_id: str | None = Field(default=None, max_length=64)
    first_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Rating(Base, table=True):
    """Rating — 好差评: the applicant's rating of a case (one per case, 1–5); a bad one (1–2) is rectified by a
    deadline, and may be appealed as mistaken or malicious."""

    __tablename__ = "rating"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="approval_case.id", unique=True)
    region_code: str = Field(max_length=12, index=True)
    score: int
    rated_at: datetime = Field(sa_type=UTCDateTime)
    rectify_by: date | None = Field(default=None, index=True)  # bad ratings only
    rectified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rectification: str | None = Field(default=None, max_length=2000)
    appeal: str | None = Field(default=None, max_length=20)  # pending | upheld | rejected
    appeal_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseError(Base, table=True):
    """CaseError — 纠错库: an error found in handling a case, with its correction, kept so that the same error
    made again by one window shows up."""

    __tablename__ = "case_error"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="approval_case.id")
    window_code: str = Field(max_length=64, index=True)
    officer_code: str | None = Field(default=None, max_length=64)
    error_code: str = Field(max_length=64, index=True)
    description: str = Field(max_length=2000)
    correction: str | None = Field(default=None, max_length=2000)
    found_on: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


# Art. 9 checked against a copy of the text (docs/legal-sources.md)
class PenaltyKind(DescribedEnum):
    """Kinds of administrative penalty (行政处罚的种类; 行政处罚法 2021 Art. 9 (一)–(五), checked)."""

    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    SUSPENSION = "suspension", "暂扣许可证件、降低资质等级"
    REVOCATION = "revocation", "吊销许可证件"
    RESTRICTION = "restriction", "限制开展生产经营活动、责令停产停业、责令关闭、限制从业"
    DETENTION = "detention", "行政拘留"


class EnforcementPower(Base, table=True):
    """EnforcementPower — 执法事项: one enforcement power with its discretion bands (裁量基准).

    ``bands`` is a list of ``{code, circumstance, kinds, min_fen, max_fen}``: for a fact pattern (情节), the
    penalty kinds allowed and the range of the fine. A decision names the band its facts fall in."""

    __tablename__ = "enforcement_power"
    __table_args__ = (sa.UniqueConstraint("region_code", "code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    department_id: uuid.UUID | None = Field(default=None, foreign_key="department.id")
    legal_basis: str = Field(max_length=500)  # the article that sets the penalty
    bands: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class PenaltyDecision(Base, table=True):
    """PenaltyDecision — 行政处罚决定: a penalty as the bureau decided it, kept whether or not it lies in its band
    (``departures`` says how it does not); a later decision may correct it (``corrects_id``)."""

    __tablename__ = "penalty_decision"
    __table_args__ = (sa.UniqueConstraint("region_code", "decision_no"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    decision_no: str = Field(max_length=100)
    power_id: uuid.UUID = Field(foreign_key="enforcement_power.id", index=True)
    band_code: str = Field(max_length=64)
    kinds: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    fine_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    filed_on: date | None = None  # 立案
    decided_at: datetime = Field(sa_type=UTCDateTime)
    officer_code: str | None = Field(default=None, max_length=64, index=True)
    reason: str | None = Field(default=None, max_length=2000)  # 说明理由 for departing from the band
    band: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # the band as it was when decided
    departures: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # empty: within the band
    within_band: bool = Field(default=True, index=True)
    corrects_id: uuid.UUID | None = Field(default=None, foreign_key="penalty_decision.id")
    corrected_by_id: uuid.UUID | None = Field(default=None)
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LogImport(Base, table=True):
    """LogImport — 过程日志导入: one uploaded XES log imported in the background; its row is the job's status."""

    __tablename__ = "log_import"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    status: str = Field(default="queued", max_length=12)  # queued | running | done | failed
    mapping: str = Field(sa_type=sa.Text)  # the TOML as sent
    bytes_received: int = Field(default=0, sa_type=sa.BigInteger)
    gzip: bool = False
    traces: int = 0
    events_read: int = 0
    cases: int = 0
    steps: int = 0
    steps_known: int = 0  # steps of the log already stored (an earlier import of it, cut short), not added again
    warnings_raised: int = 0
    findings: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)  # per rule id
    error: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
