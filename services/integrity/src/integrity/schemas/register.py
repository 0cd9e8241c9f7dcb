"""API shapes of the warning register."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sunlight.warnings import Level

from integrity.models import (
    WarningStatus,
)
from integrity.schemas.dispositions import DispositionOut
from integrity.schemas.riskpoints import RiskPointOut

# --- the register -----------------------------------------------------------------------------


class IntegrityWarningOut(BaseModel):
    """An entry of the warning register (one per region and dedupe key), as integrity keeps it."""

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


WarningOut = IntegrityWarningOut  # the name the register code uses


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


class WarningDetail(WarningOut):
    history: list[OccurrenceOut] = Field(description="the latest occurrences, newest first (at most 50)")
    dispositions: list[DispositionOut]
    risk_point: RiskPointOut | None
