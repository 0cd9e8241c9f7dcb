"""API shapes of dispositions and their steps."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sunlight.pagination import SortOrder

from integrity.models import DispositionKind, DispositionStatus, Outcome, StepKind

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
    episode: int = Field(
        description="the warning's episode it handles: a warning reopened by changed evidence gets a new disposition "
        "for its new episode, the concluded one stays as the record of the earlier episode"
    )


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


class DispositionSort(StrEnum):
    """What dispositions are sorted by: only values a disposition keeps for life, so paging never skips or
    repeats (``status`` changes: filter on it)."""

    OPENED_AT = "opened_at"
    """when it was opened (the default)"""
    DEADLINE = "deadline"
    """its statutory deadline (set when opened, never moved)"""
    REGION_CODE = "region_code"
    """the region code"""


class DispositionFilter(BaseModel):
    sort: DispositionSort = DispositionSort.OPENED_AT
    order: SortOrder = SortOrder.DESC
    status: DispositionStatus | None = None
    kind: DispositionKind | None = None
    assignee: str | None = None
    region_code: str | None = None
    warning_id: uuid.UUID | None = None
    overdue: bool | None = None
