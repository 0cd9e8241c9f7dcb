"""Findings of the live red flags and the indicator run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sunlight.warnings import Level

from tenders.schemas.common import (
    STRICT,
)

# --- findings -------------------------------------------------------------------------------------------


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level
    subject_kind: str
    subject_id: str
    tender_id: uuid.UUID | None
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    first_raised_at: datetime
    last_raised_at: datetime


# --- indicators -----------------------------------------------------------------------------------------


class IndicatorRunIn(BaseModel):
    model_config = STRICT

    settings_ini: Annotated[str, StringConstraints(max_length=65_536)] | None = Field(
        default=None,
        description="Cardinal's INI settings (as for `ocdscardinal indicators --settings`); none: defaults",
    )


class IndicatorRunOut(BaseModel):
    tenders: int = Field(description="tenders (compiled releases) the indicators ran over")
    results: dict[str, dict[str, dict[str, float | None]]] = Field(
        description="Cardinal's JSON: OCID / Buyer / ProcuringEntity / Tenderer → identifier → indicator code → value"
    )
    counts: dict[str, dict[str, int]] = Field(description="identifiers flagged per group and code")
