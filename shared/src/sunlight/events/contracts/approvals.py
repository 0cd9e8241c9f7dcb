"""Approval contracts (行政审批)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlight.events.contracts import contract


@contract("approvals.case.concluded.v1")
class CaseConcluded(BaseModel):
    """An approval case (办件) concluded; integrity reads on-time rates from these."""

    case_id: str
    item_code: str
    region_code: str
    department_uscc: str | None = None
    accepted_at: datetime
    concluded_at: datetime
    limit_workdays: int
    used_workdays: int
    on_time: bool
    result: str  # approved, refused, withdrawn
