"""API shapes of the warning register."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sunlight.pagination import SortOrder
from sunlight.warnings import Level

from integrity.models import Effect, WarningStatus
from integrity.schemas.dispositions import DispositionOut
from integrity.schemas.riskpoints import RiskPointOut


class IntegrityWarningOut(BaseModel):
    """An entry of the warning register (one per region and dedupe key), as integrity keeps it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: str
    level: Level = Field(
        description="the effective level: the source's, raised by repeated episodes, complaints naming the subject "
        "and overdue dispositions; it never goes down"
    )
    source_level: Level = Field(description="the highest level the source service gave")
    title: str
    service: str = Field(description="the source service: funds, tenders, approvals, complaints, integrity")
    subject_kind: str = Field(
        description="an open vocabulary, the source's own: FundsSubjectKind, TendersSubjectKind, "
        "ApprovalsSubjectKind, complaints' (report) or integrity's (disposition, index_subject)"
    )
    subject_id: str
    subject_label: str | None
    region_code: str
    unit_uscc: str | None
    evidence: dict[str, Any] = Field(
        description="the latest finding's evidence; once dismissed or concluded, the evidence it was decided on "
        "(later findings are in the history)"
    )
    dedupe_key: str = Field(description="one register entry per region and dedupe key for its whole life")
    status: WarningStatus = Field(
        description="a finding raised again after a dismissal stays dismissed (recorded in the history); after a "
        "conclusion it reopens only when its evidence changed"
    )
    occurrences: int = Field(description="the findings counted against it (one event may stand for several)")
    episodes: int = Field(
        description="distinct episodes: findings closer than episode_gap_hours (settings, 24 h) to the previous "
        "sighting, or with the same evidence, are one episode; escalation by repetition and the unit figures "
        "count episodes"
    )
    first_seen_at: datetime
    last_seen_at: datetime
    changed_at: datetime = Field(
        description="the latest change of the entry, its level, status, occurrences or dispositions (changed_since)"
    )
    risk_point_id: uuid.UUID | None
    closed_at: datetime | None
    dismissal_reason: str | None


WarningOut = IntegrityWarningOut  # the name the register code uses


class OccurrenceOut(BaseModel):
    """One event counted against a warning, or a complaint that raised it."""

    model_config = ConfigDict(from_attributes=True)

    event_id: str
    effect: Effect = Field(
        description="registered: created the entry; repeated: the same episode again; new_episode: seen again after "
        "the episode gap; reopened: a concluded warning with changed evidence; recorded: dismissed, or concluded "
        "with the same evidence, kept here only; complaint: a complaint naming the subject raised the level"
    )
    count: int = Field(description="the findings the event stands for (0 for a complaint)")
    episode: int = Field(description="the warning's episode it belongs to")
    level: Level = Field(description="the level the source gave; for a complaint, the warning's level after it")
    report_id: str | None = Field(description="the complaint's report (effect complaint)")
    occurred_at: datetime
    evidence: dict[str, Any]


class WarningSort(StrEnum):
    """What the register is sorted by: only values a warning keeps for life, so paging never skips or repeats
    (``level``, ``status`` and ``last_seen_at`` change while a client pages: filter on them instead, and
    follow changes with ``changed_since``)."""

    FIRST_SEEN_AT = "first_seen_at"
    """when the warning was first raised (the default)"""
    RULE_ID = "rule_id"
    """the rule, alphabetically"""
    REGION_CODE = "region_code"
    """the region code (a region's places together)"""


class WarningFilter(BaseModel):
    sort: WarningSort = WarningSort.FIRST_SEEN_AT
    order: SortOrder = SortOrder.DESC
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
    changed_since: datetime | None = None


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


class WarningDetail(WarningOut):
    history: list[OccurrenceOut] = Field(description="the latest occurrences and complaints, newest first (at most 50)")
    dispositions: list[DispositionOut]
    risk_point: RiskPointOut | None
