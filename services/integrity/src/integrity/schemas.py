"""API shapes of the integrity service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sunlight.warnings import Level

from integrity.models import WarningStatus


class WarningOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: str
    level: Level
    title: str
    service: str
    subject_kind: str
    subject_id: str
    subject_label: str | None
    region_code: str
    unit_uscc: str | None
    evidence: dict[str, Any]
    status: WarningStatus
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


class WarningFilter(BaseModel):
    rule_id: str | None = None
    level: Level | None = None
    region_code: str | None = None
    service: str | None = None
    status: WarningStatus | None = None
