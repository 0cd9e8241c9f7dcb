"""API shapes of bulk imports: a bureau's hotline records (``POST …/reports/batch``) and uploaded lifecycle
logs (``POST /v1/complaints/imports``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import USCC, RegionCode
from sunlight.uploads import ImportStatus

from complaints.models import Category, SubjectKind
from complaints.schemas.reports import EARLIEST, REF, TEXT, SubjectIn


class HotlineRecordIn(BaseModel):
    """One record of a bureau's hotline (12345 / 311): no identity, a non-personal subject."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=64, pattern=REF)
    category: Category = Category.SERVICE_REQUEST
    region_code: RegionCode
    text: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    subject: SubjectIn = Field(default_factory=lambda: SubjectIn(kind=SubjectKind.NONE))
    handling_unit_uscc: USCC | None = None
    received_at: datetime
    due_at: datetime | None = Field(default=None, description="the bureau's own deadline for concluding")
    closed_at: datetime | None = None

    @model_validator(mode="after")
    def _order(self) -> HotlineRecordIn:
        for name in ("received_at", "due_at", "closed_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone")
        if self.closed_at is not None and self.closed_at < self.received_at:
            raise ValueError("closed_at lies before received_at")
        # the working-day calendar starts in 2004 (the official schedules); a record is not filed in the future
        latest = datetime.now(UTC) + timedelta(days=1)
        if not EARLIEST <= self.received_at <= latest:
            raise ValueError("received_at lies before 2004 or in the future")
        if self.closed_at is not None and self.closed_at > latest:
            raise ValueError("closed_at lies in the future")
        return self


class BatchOut(BaseModel):
    batch_key: str
    imported: int
    skipped: int = Field(description="records whose external_id was imported before")
    late: int = Field(description="records concluded after, or still open past, their deadline")
    grouped: int = Field(description="records that joined an existing group")


class LogImportOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "0191c3a2-7b1e-7c3d-9a8f-0d6b2e1c3a45", "region_code": "130302", "due_days": None,
                 "status": "done", "bytes_received": 1322247, "gzip": True, "cases": 7554, "imported": 7554,
                 "skipped": 0, "handoffs": 9000, "late": {"orange": 700, "red": 1200},
                 "handed_around": {"blue": 300, "orange": 90}, "warnings_raised": 2290, "error": None,
                 "created_at": "2026-11-30T10:00:00Z", "started_at": "2026-11-30T10:00:00Z",
                 "finished_at": "2026-11-30T10:01:10Z"}
            ]
        }
    )  # fmt: skip

    id: uuid.UUID
    region_code: str
    due_days: int | None = Field(description="the log's own deadline in days from receipt; null: the statutory one")
    status: ImportStatus
    bytes_received: int
    gzip: bool = Field(description="the log came gzip-compressed")
    cases: int = Field(description="cases read so far")
    imported: int = Field(description="cases imported as reports")
    skipped: int = Field(description="cases imported before (same case id), not imported again")
    handoffs: int = Field(description="hand-offs between teams of the cases imported")
    late: dict[str, int] = Field(description="cases concluded late, or open past their deadline, per warning level")
    handed_around: dict[str, int] = Field(description="cases handed on too often, per warning level")
    warnings_raised: int = Field(description="warning events sent to the integrity register")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
