"""API shapes of a unit's figures."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnitActivityOut(BaseModel):
    """What the other services reported about a unit in a period (the computed indicators' figures)."""

    unit_uscc: str
    period: str
    region_code: str = Field(description="the region counted: what was reported about the unit there and below")
    warnings_blue: int
    warnings_orange: int
    warnings_red: int
    funds_warnings: int
    complaints: int
    cases_concluded: int
    cases_on_time: int
    on_time_rate: float | None
