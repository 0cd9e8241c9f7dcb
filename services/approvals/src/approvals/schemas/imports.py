"""API shapes of log imports (过程日志导入)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sunlight.uploads import ImportStatus


class LogImportOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "0191c3a2-7b1e-7c3d-9a8f-0d6b2e1c3a44", "region_code": "130302", "status": "failed",
                 "bytes_received": 4064719, "gzip": False, "traces": 1200, "events_read": 7000, "cases": 1200,
                 "steps": 5000, "steps_known": 0, "warnings_raised": 600, "findings": {"APPROVALS-SELF-APPROVAL": 400},
                 "error": "log: Premature end of data in tag trace line 9311, line 9312, column 1",
                 "created_at": "2026-11-30T10:00:00Z", "started_at": "2026-11-30T10:00:00Z",
                 "finished_at": "2026-11-30T10:00:40Z"}
            ]
        }
    )  # fmt: skip

    id: uuid.UUID
    region_code: str
    status: ImportStatus
    bytes_received: int
    gzip: bool = Field(description="the log came gzip-compressed")
    traces: int = Field(description="traces read so far")
    events_read: int
    cases: int = Field(description="cases written (traces the mapping selects, with mapped events)")
    steps: int = Field(description="steps added")
    steps_known: int = Field(
        description="steps of the log already stored — same case, step and time, e.g. from an earlier import of "
        "the same log cut short — and not added again"
    )
    warnings_raised: int = Field(description="warnings sent to the integrity register")
    findings: dict[str, int] = Field(description="findings per rule id so far")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
