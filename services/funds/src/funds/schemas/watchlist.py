"""Watch lists: debarred organisations, officials and their relatives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import USCC, RegionCode, ResidentId


class WatchEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list: Literal["debarred", "official", "relative"]
    uscc: USCC | None = None
    resident_id: ResidentId | None = Field(default=None, description="officials and relatives: hashed, never stored")
    region_code: RegionCode = Field(description="where the entry applies (000000: everywhere)")
    reason: str = Field(min_length=1, max_length=300)
    reference: str | None = Field(default=None, max_length=100, description="e.g. the debarment decision number")
    listed_on: date
    delisted_on: date | None = None

    @model_validator(mode="after")
    def _identified(self) -> WatchEntryIn:
        if self.list == "debarred" and (not self.uscc or self.resident_id):
            raise ValueError("a debarred entry names an organisation by uscc")
        if self.list != "debarred" and (not self.resident_id or self.uscc):
            raise ValueError("official and relative entries name a person by resident_id")
        if self.delisted_on and self.delisted_on < self.listed_on:
            raise ValueError("delisted_on is after listed_on")
        return self


class WatchListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[WatchEntryIn] = Field(min_length=1, max_length=5000)


class WatchEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    list: str = Field(validation_alias="watch_list")
    uscc: str | None
    region_code: str
    reason: str
    reference: str | None
    listed_on: date
    delisted_on: date | None
    created_at: datetime


class DelistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delisted_on: date = Field(description="from this day the entry no longer applies")
    reason: str = Field(min_length=5, max_length=300, description="why (kept with the change; no personal data)")


class WatchChangeOut(BaseModel):
    """Who listed or delisted a watch-list entry, when, from which day and why (the entry's person is never
    shown: officials and relatives are kept as a keyed hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    entry_id: uuid.UUID
    action: Literal["listed", "delisted"]
    list: str = Field(validation_alias="watch_list")
    region_code: str
    effective_on: date
    reason: str
    changed_by: str
    recorded_at: datetime


class WatchListOut(BaseModel):
    created: int
    matched_payees: int = Field(description="existing payees this load matched (their warnings were raised)")
