"""API shapes of the overview (dashboards)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from integrity.schemas.dispositions import DispositionOut

# --- the overview -----------------------------------------------------------------------------


class RegionColours(BaseModel):
    region_code: str
    blue: int = 0
    orange: int = 0
    red: int = 0
    total: int = 0


class RegionCount(BaseModel):
    region_code: str
    count: int


class OverdueOverview(BaseModel):
    today: date
    count: int
    by_region: list[RegionCount]
    oldest: list[DispositionOut]


class RuleFrequency(BaseModel):
    rule_id: str
    occurrences: int
    warnings: int
    last_seen_at: datetime
