"""The receipt of an OCDS import."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class SkippedOut(BaseModel):
    ocid: str | None
    reason: str


class OcdsImportOut(BaseModel):
    id: uuid.UUID
    region_code: str
    status: Literal["completed"] = Field(
        description="completed (an import that cannot complete is refused whole with a problem)"
    )
    bytes: int = Field(description="size of the upload")
    releases: int = Field(description="releases read (before merging per ocid)")
    records: int
    processes: int = Field(description="contracting processes compiled from the file")
    created: int = Field(description="processes stored for the first time")
    updated: int = Field(description="stored processes replaced because the file brought release ids not seen")
    unchanged: int = Field(description="processes whose releases were all imported before")
    skipped: list[SkippedOut] = Field(description="what could not be compiled, and why (first 1,000)")
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> OcdsImportOut:
        return cls(
            id=row.id,
            region_code=row.region_code,
            status=row.status,
            skipped=row.skipped,
            created_at=row.created_at,
            **{
                k: row.counts.get(k, 0)
                for k in ("bytes", "releases", "records", "processes", "created", "updated", "unchanged")
            },
        )
