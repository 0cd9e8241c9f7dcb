"""Imports of ledgers from files."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class SkippedLine(BaseModel):
    line: int
    reason: str


class ImportOut(BaseModel):
    programme_id: uuid.UUID
    nodes: int
    payments: int
    payees: int
    total_fen: int
    refunds: int = Field(default=0, description="credit notes recorded as refunds of the payments they pay back")
    refunded_fen: int = 0
    skipped: list[SkippedLine]
    warnings_raised: int
