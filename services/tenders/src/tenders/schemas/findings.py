"""Findings of the live red flags and the indicator run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints
from sunlight.enums import DescribedEnum
from sunlight.warnings import Level

from tenders.schemas.common import (
    STRICT,
)

# --- findings -------------------------------------------------------------------------------------------


class TendersSubjectKind(DescribedEnum):
    """What a tenders finding is about."""

    PROJECT = "project", "a construction project (its tenders seen together, e.g. a split contract)"
    TENDER = "tender", "a tender (招标项目)"
    CONTRACT = "contract", "a contract signed after an award"


class FindingOut(BaseModel):
    """A finding tenders raised (sent to integrity as a warning), in the register's vocabulary
    (``IntegrityWarningOut``): ``service`` and a flat ``subject_kind``/``subject_id``, ``first_seen_at`` and
    ``last_seen_at``. Its state (disposition, dismissal) is integrity's: ``GET /v1/integrity/warnings``."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level = Field(description="the level tenders gave the finding (integrity may raise it further)")
    service: Literal["tenders"] = "tenders"
    subject_kind: TendersSubjectKind
    subject_id: str
    tender_id: uuid.UUID | None
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    first_seen_at: datetime = Field(
        validation_alias=AliasChoices("first_raised_at", "first_seen_at"), description="when tenders first raised it"
    )
    last_seen_at: datetime = Field(
        validation_alias=AliasChoices("last_raised_at", "last_seen_at"), description="when tenders last raised it"
    )


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
