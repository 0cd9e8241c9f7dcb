"""Complaint contracts (投诉举报). Never a reporter's identity or the report's text."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlight.events.contracts import contract
from sunlight.events.contracts.common import SubjectRef


@contract("complaints.report.filed.v1")
class ReportFiled(BaseModel):
    report_id: str
    region_code: str
    category: str
    subject: SubjectRef | None = None
    anonymous: bool
    filed_at: datetime
