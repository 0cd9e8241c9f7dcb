"""Integrity tables (SQLModel, tables only; API shapes are in schemas/)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow
from sunlight.enums import DescribedEnum
from sunlight.reencrypt import Sealed
from sunlight.warnings import DispositionKind, DispositionOutcome, DispositionStatus, WarningStatus

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata

ACTIVE_DISPOSITION = sa.text("status IN ('open', 'in_progress')")


# --- the warning register ---------------------------------------------------------------------


class Warning(Base, table=True):
    """Warning — 预警: one entry of the register, deduplicated per region and dedupe key (rule and subject)."""

    __tablename__ = "warning"
    __table_args__ = (
        # one entry per region and dedupe key for its whole life (dismissed and concluded ones included), even
        # with several consumers at once
        sa.UniqueConstraint("region_code", "dedupe_key", name="uq_warning_region_code_dedupe_key"),
        # the list, newest first: paged on an immutable key
        sa.Index("ix_warning_first_seen_at_id", "first_seen_at", "id"),
        # the overview: open warnings by colour and region
        sa.Index("ix_warning_status_region_code_level", "status", "region_code", "level"),
        # counts by period and region, the heat map
        sa.Index("ix_warning_region_code_first_seen_month_level", "region_code", "first_seen_month", "level"),
    )  # fmt: skip

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10, index=True)  # effective: the source's, raised by repetition and overdue
    source_level: str = Field(max_length=10)  # the highest level the source itself gave
    title: str = Field(max_length=300)
    service: str = Field(max_length=20, index=True)
    subject_kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=100, index=True)
    subject_label: str | None = Field(default=None, max_length=300)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    dedupe_key: str = Field(max_length=300)
    status: WarningStatus = Field(default=WarningStatus.OPEN, sa_type=sa.String(20), index=True)
    occurrences: int = 1  # findings counted against it (an event may stand for several: WarningRaised.occurrences)
    episodes: int = 1  # distinct episodes: occurrences closer than episode_gap_hours to the previous belong to one
    first_event_id: str = Field(max_length=36)
    last_event_id: str = Field(max_length=36)
    first_seen_at: datetime = Field(sa_type=UTCDateTime)
    first_seen_month: str = Field(max_length=7)  # "2026-03", China time: the period it counts in
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    risk_point_id: uuid.UUID | None = Field(default=None, foreign_key="risk_point.id", index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dismissal_reason: str | None = Field(default=None, max_length=2000)
    # any change (changed_since). Not indexed on purpose: a finding repeated many times updates one row, and an
    # update that touches no indexed column is a HOT update on PostgreSQL (no new index entries, no dead tuples
    # piling up behind the unique key); an index here made every repeat a full update (docs/benchmarks.md)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Effect(DescribedEnum):
    """What an occurrence did to its register entry."""

    REGISTERED = "registered", "the first: the entry was created (episode 1)"
    REPEATED = "repeated", "the same episode again: counted in occurrences only"
    NEW_EPISODE = "new_episode", "an active warning seen again after the episode gap: a new episode"
    REOPENED = "reopened", "a concluded warning with changed evidence: open again, a new episode"
    RECORDED = "recorded", "dismissed, or concluded with the same evidence: kept in the history, nothing else"
    COMPLAINT = "complaint", "a complaint naming the subject raised the warning one level"


class Occurrence(Base, table=True):
    """Occurrence — 预警记录: one ``warnings.raised.v1`` event counted against a register entry (``count`` findings
    in one row), or a complaint that raised it a level."""

    __tablename__ = "warning_occurrence"
    __table_args__ = (
        # an event counts once against a warning; a complaint (report) escalates a warning once
        sa.UniqueConstraint("warning_id", "event_id", name="uq_warning_occurrence_warning_id_event_id"),
        sa.UniqueConstraint("warning_id", "report_id", name="uq_warning_occurrence_warning_id_report_id"),
        # the rules firing most: recent occurrences in a region, by rule (covering)
        sa.Index(
            "ix_warning_occurrence_occurred_at_region_code", "occurred_at", "region_code", "rule_id", "warning_id"
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    warning_id: uuid.UUID = Field(foreign_key="warning.id", index=True)
    event_id: str = Field(max_length=36)
    rule_id: str = Field(max_length=64)
    effect: Effect = Field(default=Effect.REGISTERED, sa_type=sa.String(20))
    count: int = 1  # the findings this event stands for (0 for a complaint)
    episode: int = 1  # the warning's episode it belongs to
    report_id: str | None = Field(default=None, max_length=100)  # the complaint's report (effect complaint)
    level: str = Field(max_length=10)
    region_code: str = Field(max_length=12)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- dispositions -----------------------------------------------------------------------------


Outcome = DispositionOutcome  # the shared vocabulary (sunlight.warnings): funds keeps a view of it


class Disposition(Base, table=True):
    """Disposition — 处置: what inspectors do about a warning, with an assignee and a deadline."""

    __tablename__ = "disposition"
    __table_args__ = (
        # one active disposition per warning
        sa.Index("uq_disposition_active_warning_id", "warning_id", unique=True, postgresql_where=ACTIVE_DISPOSITION,
                 sqlite_where=ACTIVE_DISPOSITION),
        # the overdue job and the overview: active dispositions by deadline
        sa.Index("ix_disposition_status_deadline_region_code", "status", "deadline", "region_code"),
    )  # fmt: skip

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    warning_id: uuid.UUID = Field(foreign_key="warning.id", index=True)
    kind: DispositionKind = Field(sa_type=sa.String(40))
    status: DispositionStatus = Field(default=DispositionStatus.OPEN, sa_type=sa.String(20))
    rule_id: str = Field(max_length=64)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18)
    assignee: str = Field(max_length=100, index=True)
    instructions: str | None = Field(default=None, sa_type=sa.Text)  # encrypted (they may name people)
    deadline_workdays: int
    deadline: date
    freeze: bool = False  # asked the source to hold the subject while this runs
    holding: bool = False  # the hold currently asked of the source (released at conclusion unless kept)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    opened_by: str = Field(max_length=200)
    response: str | None = Field(default=None, sa_type=sa.Text)  # encrypted
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    responded_by: str | None = Field(default=None, max_length=200)
    outcome: Outcome | None = Field(default=None, sa_type=sa.String(20))
    conclusion: str | None = Field(default=None, sa_type=sa.Text)  # encrypted
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_by: str | None = Field(default=None, max_length=200)
    overdue_since: date | None = None
    escalations: int = 0  # how many times the overdue job escalated it
    episode: int = 1  # the warning's episode it handles (a reopened warning gets a new disposition)


class StepKind(DescribedEnum):
    """What happened to a disposition (处置步骤)."""

    OPENED = "opened", "text: the instructions; details: kind, assignee, deadline, deadline_workdays, freeze"
    RESPONSE = "response", "text: the subject's answer (every answer stays; the disposition shows the latest)"
    ESCALATED_OVERDUE = "escalated_overdue", "details: escalation, overdue_workdays, deadline, warning_level"
    CONCLUDED = "concluded", "text: the conclusion; details: outcome, holding"


# the disposition column whose encryption context a step's text shares (the backfill copies the ciphertext)
STEP_TEXT_COLUMN = {StepKind.OPENED: "instructions", StepKind.RESPONSE: "response", StepKind.CONCLUDED: "conclusion"}


class DispositionStep(Base, table=True):
    """DispositionStep — 处置步骤: one change of a disposition, who made it and when; appended, never changed."""

    __tablename__ = "disposition_step"
    __table_args__ = (sa.UniqueConstraint("disposition_id", "seq", name="uq_disposition_step_disposition_id_seq"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    disposition_id: uuid.UUID = Field(foreign_key="disposition.id")
    seq: int  # 1, 2, 3 … within the disposition, in the order the steps were taken
    kind: StepKind = Field(sa_type=sa.String(30))
    status: DispositionStatus = Field(sa_type=sa.String(20))  # the disposition's status after the step
    by: str = Field(max_length=200)  # the principal's subject, or the job's name
    at: datetime = Field(sa_type=UTCDateTime)
    text: str | None = Field(default=None, sa_type=sa.Text)  # encrypted, context disposition.<STEP_TEXT_COLUMN>
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


# --- risk points ------------------------------------------------------------------------------


class RiskLevel(DescribedEnum):
    """Risk grade of a risk point (风险等级): 一级 high, 二级 medium, 三级 low."""

    HIGH = "high", "一级: high"
    MEDIUM = "medium", "二级: medium"
    LOW = "low", "三级: low"


class RiskPoint(Base, table=True):
    """RiskPoint — 廉政风险点: an integrity risk of one post's power, with its controls (防控措施)."""

    __tablename__ = "risk_point"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    post: str = Field(max_length=200)  # 岗位
    power: str = Field(max_length=200)  # 职权
    description: str | None = Field(default=None, max_length=4000)
    risk_level: RiskLevel = Field(sa_type=sa.String(10), index=True)
    controls: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RiskPointRule(Base, table=True):
    """The rules whose findings realise a risk point (a warning of the rule links to it)."""

    __tablename__ = "risk_point_rule"

    risk_point_id: uuid.UUID = Field(foreign_key="risk_point.id", primary_key=True)
    rule_id: str = Field(max_length=64, primary_key=True, index=True)


# --- the integrity index ----------------------------------------------------------------------


class SubjectKind(DescribedEnum):
    TEAM = "team", "领导班子"
    INDIVIDUAL = "individual", "领导干部"


class Framework(Base, table=True):
    """Framework — 廉情指数指标体系: indicators in two levels, evaluating bodies, weights, cut-offs."""

    __tablename__ = "index_framework"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    target: SubjectKind = Field(sa_type=sa.String(20))
    definition: dict[str, Any] = Field(sa_type=sa.JSON)  # index.Definition, validated
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Subject(Base, table=True):
    """Subject — 评估对象: a leadership team (a unit) or a leading official, by an opaque code."""

    __tablename__ = "index_subject"
    __table_args__ = (sa.UniqueConstraint("kind", "code", name="uq_index_subject_kind_code"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: SubjectKind = Field(sa_type=sa.String(20))
    code: str = Field(max_length=100)
    label: str = Field(max_length=300)  # the team's or the post's name, never a person's name
    unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    region_code: str = Field(max_length=12, index=True)
    peer_group: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=200)


class Score(Base, table=True):
    """Score — 测评分: one evaluating body's score of one indicator for one subject and period."""

    __tablename__ = "assessment_score"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "period", "subject_id", "rater", "indicator",
                            name="uq_assessment_score_sheet_indicator"),
        sa.Index("ix_assessment_score_framework_id_period", "framework_id", "period"),
    )  # fmt: skip

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    framework_id: uuid.UUID = Field(foreign_key="index_framework.id")
    period: str = Field(max_length=10)
    subject_id: uuid.UUID = Field(foreign_key="index_subject.id", index=True)
    rater: str = Field(max_length=20)
    indicator: str = Field(max_length=20)
    score: float
    entered_by: str = Field(max_length=200)
    entered_unit: str | None = Field(default=None, max_length=18)  # the body's unit that entered it (USCC)
    entered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Result(Base, table=True):
    """Result — 廉情指数: a subject's computed index for one framework and period."""

    __tablename__ = "index_result"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "period", "subject_id", name="uq_index_result_framework_period_subject"),
        # the overview: the lowest indices of a framework and period
        sa.Index("ix_index_result_framework_id_period_value", "framework_id", "period", "value"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    framework_id: uuid.UUID = Field(foreign_key="index_framework.id")
    period: str = Field(max_length=10)
    subject_id: uuid.UUID = Field(foreign_key="index_subject.id", index=True)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18)
    value: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    grade: str | None = Field(default=None, max_length=1)
    coverage: float = 0.0
    raw_value: float | None = None  # without the leniency correction
    reliability: float | None = None  # the bodies' agreement (Krippendorff's alpha)
    raters: int = 0  # distinct evaluating bodies that scored the subject
    breakdown: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    computed_by: str = Field(max_length=200)


class Rater(Base, table=True):
    """Rater — 评估主体成员: a unit (by USCC) that is evaluating body ``body`` for the subjects of a region.

    A principal whose token names this unit (the ``unit`` claim) enters that body's sheets there,
    and no other body's: a sheet is one body's, so "at least three bodies" means three units.
    """

    __tablename__ = "index_rater"
    __table_args__ = (sa.UniqueConstraint("body", "region_code", "unit_uscc", name="uq_index_rater_body_region_unit"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    body: str = Field(max_length=20)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str = Field(max_length=18, index=True)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    registered_by: str = Field(max_length=200)


class Closure(Base, table=True):
    """Closure — 结果发布: a period of a framework closed in a region. Its results are published as they
    stand: no sheet is entered and nothing is recomputed there any more. The bodies' leniency
    measured on its scores is frozen with it, the baseline of later periods."""

    __tablename__ = "index_closure"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "period", "region_code", name="uq_index_closure_framework_period_region"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    framework_id: uuid.UUID = Field(foreign_key="index_framework.id", index=True)
    period: str = Field(max_length=10)
    region_code: str = Field(max_length=12, index=True)
    framework_version: int
    subjects: int = 0  # subjects with scores in the region
    leniency: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # body → {offset, subjects}
    closed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_by: str = Field(max_length=200)


class UnitMonth(Base, table=True):
    """UnitMonth — 单位月度数据: what the other services reported about one unit in one month (China time)
    and one region, the figures of the computed indicators. A subject's index reads only its own region's."""

    __tablename__ = "unit_month"

    unit_uscc: str = Field(max_length=18, primary_key=True)
    month: str = Field(max_length=7, primary_key=True)
    region_code: str = Field(max_length=12, primary_key=True)  # where it was reported: one row per region
    warnings_blue: int = 0
    warnings_orange: int = 0
    warnings_red: int = 0
    funds_warnings: int = 0
    complaints: int = 0
    cases_concluded: int = 0
    cases_on_time: int = 0


def _step_context(row: Any) -> str:
    return f"disposition.{STEP_TEXT_COLUMN[StepKind(row['kind'])]}"


# free text that may name people, sealed with the field cipher (``sunlight-integrity reencrypt`` after a rotation)
ENCRYPTED = [
    *(Sealed("disposition", column, f"disposition.{column}") for column in ("instructions", "response", "conclusion")),
    Sealed("disposition_step", "text", _step_context, context_columns=("kind",)),
]
