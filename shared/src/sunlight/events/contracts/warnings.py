"""Warning contracts: raised by the service that owns the data, disposed in integrity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from sunlight.events.contracts import contract
from sunlight.events.contracts.common import Level, SubjectRef


@contract("warnings.raised.v1")
class WarningRaised(BaseModel):
    """A rule found something (三色预警). Integrity registers it, deduplicated per rule and subject."""

    rule_id: str = Field(pattern=r"^[A-Z]+(-[A-Z0-9]+)+$", examples=["FUNDS-OVERSPEND"])
    level: Level
    title: str
    subject: SubjectRef
    region_code: str = Field(pattern=r"^\d{6}(\d{3}){0,2}$")
    unit_uscc: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, description="the data that lets a person verify the finding")
    occurred_at: datetime
    dedupe_key: str = Field(
        description="same region + rule + subject (+ period) → one warning in the register; starts with the "
        "region code (sunlight.warnings.region_key), and integrity keys its register on (region_code, dedupe_key)"
    )
    occurrences: int = Field(
        default=1,
        ge=1,
        description="how many occurrences of the finding this one event stands for: a source aggregates the findings "
        "of one write (a batch) with the same dedupe key into one event; an additive member with a default, so a v1 "
        "event without it still means one occurrence",
    )


@contract("warnings.disposed.v1")
class WarningDisposed(BaseModel):
    """An inspector acted on a warning; the source service updates its view of the subject."""

    warning_id: str
    rule_id: str
    dedupe_key: str = Field(description="the dedupe_key of the raised warning(s) this disposition covers")
    subject: SubjectRef
    region_code: str
    disposition: str = Field(
        description="reminder_talk, inquiry, supervision_recommendation, direct_review, case, dismissed"
    )
    status: str = Field(description="open, in_progress, concluded, dismissed")
    outcome: str | None = None
    freeze: bool = Field(default=False, description="the source should hold the subject pending review")
    disposed_at: datetime
