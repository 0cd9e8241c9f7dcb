"""Queries of the warning register. Never commits: the use case (or the consumer's dispatcher) owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import within_regions
from sunlight.pagination import PageParams, sorted_keyset

from integrity.models import Occurrence, Warning, WarningStatus
from integrity.repository.common import ACTIVE, col, filtered, in_region
from integrity.schemas.register import WarningFilter

# --- the register -----------------------------------------------------------------------------


async def warning_by_key(session: AsyncSession, region_code: str, dedupe_key: str) -> Warning | None:
    """The register entry of ``dedupe_key`` in ``region_code``, whatever its status, locked (one per key for its
    whole life; two regions never share one)."""
    query = (
        select(Warning)
        .where(col(Warning.region_code) == region_code, col(Warning.dedupe_key) == dedupe_key)
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def active_warnings_about(session: AsyncSession, service: str, kind: str, subject_id: str) -> Sequence[Warning]:
    """The active warnings about a subject (every rule, every region), locked, oldest first."""
    query = (
        select(Warning)
        .where(
            col(Warning.subject_id) == subject_id,
            col(Warning.subject_kind) == kind,
            col(Warning.service) == service,
            col(Warning.status).in_(ACTIVE),
        )
        .order_by(col(Warning.first_seen_at), col(Warning.id))
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def report_counted(session: AsyncSession, warning_id: uuid.UUID, report_id: str) -> bool:
    """Whether the complaint ``report_id`` already raised this warning."""
    query = select(Occurrence.id).where(
        col(Occurrence.warning_id) == warning_id, col(Occurrence.report_id) == report_id
    )
    return (await session.execute(query)).first() is not None


async def warning(session: AsyncSession, warning_id: uuid.UUID, *, for_update: bool = False) -> Warning | None:
    query = select(Warning).where(col(Warning.id) == warning_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def warnings(session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams) -> Sequence[Warning]:
    seen = col(Warning.first_seen_at)
    query = filtered(
        select(Warning),
        within_regions(Warning.region_code, who.region_prefixes),
        col(Warning.rule_id) == where.rule_id if where.rule_id else None,
        col(Warning.level) == where.level.value if where.level else None,
        col(Warning.service) == where.service if where.service else None,
        col(Warning.status) == where.status if where.status else None,
        col(Warning.unit_uscc) == where.unit_uscc if where.unit_uscc else None,
        col(Warning.risk_point_id) == where.risk_point_id if where.risk_point_id else None,
        in_region(Warning.region_code, where.region_code),
        seen < where.seen_before if where.seen_before is not None else None,
        seen >= where.seen_since if where.seen_since is not None else None,
        col(Warning.changed_at) >= where.changed_since if where.changed_since is not None else None,
    )
    # paged on an immutable key: a warning that recurs (or changes) while a client pages stays in its place
    column = col(getattr(Warning, where.sort.value))
    query = sorted_keyset(query, page, where.sort.value, where.order, column, col(Warning.id))
    return (await session.execute(query)).scalars().all()


def warning_sort_value(where: WarningFilter) -> Any:
    """The row's value of the filter's sort key, as the cursor carries it."""
    return lambda row: _plain(getattr(row, where.sort.value))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def add_occurrence(session: AsyncSession, occurrence: Occurrence) -> None:
    session.add(occurrence)


async def history(session: AsyncSession, warning_id: uuid.UUID, *, limit: int = 50) -> Sequence[Occurrence]:
    """The latest ``limit`` occurrences (and complaints) of a warning, newest first."""
    query = (
        select(Occurrence)
        .where(col(Occurrence.warning_id) == warning_id)
        .order_by(col(Occurrence.occurred_at).desc(), col(Occurrence.received_at).desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def unit_of_subject(session: AsyncSession, service: str, kind: str, subject_id: str) -> str | None:
    """The unit the register last saw a subject (a node, a tender, …) belong to."""
    query = (
        select(Warning.unit_uscc)
        .where(
            col(Warning.subject_id) == subject_id,
            col(Warning.subject_kind) == kind,
            col(Warning.service) == service,
            col(Warning.unit_uscc).is_not(None),
        )
        .order_by(col(Warning.last_seen_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def warning_counts(
    session: AsyncSession,
    who: Principal,
    *,
    digits: int,
    first_month: str | None,
    last_month: str | None,
    region_code: str | None,
    status: WarningStatus | None,
    rule_id: str | None,
    service: str | None,
) -> Sequence[Any]:
    """(month, region prefix, level, count) of the warnings first seen in each month."""
    region = func.substr(Warning.region_code, 1, digits).label("region")
    month = col(Warning.first_seen_month)
    query = filtered(
        select(month, region, Warning.level, func.count().label("n")),
        within_regions(Warning.region_code, who.region_prefixes),
        in_region(Warning.region_code, region_code),
        month >= first_month if first_month else None,
        month <= last_month if last_month else None,
        col(Warning.status) == status if status else None,
        col(Warning.rule_id) == rule_id if rule_id else None,
        col(Warning.service) == service if service else None,
    ).group_by(month, region, Warning.level)
    return (await session.execute(query)).all()


async def close_active(session: AsyncSession, region_code: str, dedupe_key: str, *, now: datetime) -> None:
    await session.execute(
        update(Warning)
        .where(
            col(Warning.region_code) == region_code,
            col(Warning.dedupe_key) == dedupe_key,
            col(Warning.status).in_(ACTIVE),
        )
        .values(status=WarningStatus.CLOSED, closed_at=now, changed_at=now)
    )
