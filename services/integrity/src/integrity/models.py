"""Integrity tables (SQLModel, tables only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata


class WarningStatus(StrEnum):
    OPEN = "open"
    IN_DISPOSITION = "in_disposition"
    CLOSED = "closed"
    DISMISSED = "dismissed"


class Warning(Base, table=True):
    """Warning — 预警: one entry of the register, deduplicated per rule and subject."""

    __tablename__ = "warning"
    __table_args__ = (
        # one active warning per dedupe key, even with several consumers at once
        sa.Index(
            "uq_warning_active_dedupe_key",
            "dedupe_key",
            unique=True,
            postgresql_where=sa.text("status IN ('open', 'in_disposition')"),
            sqlite_where=sa.text("status IN ('open', 'in_disposition')"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10, index=True)
    title: str = Field(max_length=300)
    service: str = Field(max_length=20, index=True)
    subject_kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=100)
    subject_label: str | None = Field(default=None, max_length=300)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    dedupe_key: str = Field(max_length=300)
    status: WarningStatus = Field(default=WarningStatus.OPEN, sa_type=sa.String(20), index=True)
    occurrences: int = 1
    first_event_id: str = Field(max_length=36)
    last_event_id: str = Field(max_length=36)
    first_seen_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
