"""Warnings funds raised, their filters, and scans."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sunlight.warnings import DispositionKind, DispositionOutcome, Level, WarningStatus

from funds.models import FundsSubjectKind


class FundsWarningOut(BaseModel):
    """A warning funds raised, as funds sees it: the finding as funds last sent it, and the state of its register
    entry as integrity last reported it (``warnings.disposed.v1``). Integrity owns warning state; the names and
    meanings are integrity's (``IntegrityWarningOut``)."""

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level = Field(description="the level funds gave the finding (integrity may raise it further)")
    title: str
    service: Literal["funds"] = "funds"
    subject_kind: FundsSubjectKind
    subject_id: str
    subject_label: str | None
    programme_id: uuid.UUID | None
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    status: WarningStatus = Field(
        description="the register entry's status as integrity last reported it: open until a disposition opens"
    )
    disposition: DispositionKind | None = Field(description="the latest disposition's kind; none before one")
    outcome: DispositionOutcome | None = Field(description="how the latest disposition ended; none until then")
    frozen: bool = Field(description="the subject is held pending review because of this warning")
    first_seen_at: datetime = Field(description="when funds first raised the finding")
    last_seen_at: datetime = Field(description="when funds last raised it")
    disposed_at: datetime | None = Field(description="when integrity last reported on it")


class WarningFilter(BaseModel):
    rule_id: str | None = None
    level: str | None = None
    status: WarningStatus | None = None
    subject_kind: str | None = None
    subject_id: str | None = None
    programme_id: uuid.UUID | None = None
    dedupe_key: str | None = None


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: datetime | None = Field(default=None, description="evaluate as of this instant (default now; not later)")


class ScanOut(BaseModel):
    as_of: datetime
    findings: dict[str, int] = Field(description="findings per rule id")
    raised: int = Field(description="warnings emitted (new or escalated)")


WarningOut = FundsWarningOut
