"""Integrity contracts (廉情评估): what the integrity service tells the others besides dispositions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sunlight.events.contracts import contract


@contract("integrity.index.computed.v1")
class IndexComputed(BaseModel):
    """A subject's integrity index (廉情指数) was computed for a period. No names: subjects by id."""

    result_id: str
    framework: str = Field(examples=["323-team"])
    framework_version: int
    period: str = Field(examples=["2026", "2026-H1"])
    subject_id: str
    subject_kind: str = Field(description="team (领导班子) or individual (领导干部)")
    unit_uscc: str | None = None
    region_code: str
    value: float | None = Field(description="0–100, higher is cleaner; null when too few raters or too little data")
    ci_low: float | None = None
    ci_high: float | None = None
    grade: str | None = Field(default=None, description="A (red), B (yellow), C (orange), or null")
    computed_at: datetime
