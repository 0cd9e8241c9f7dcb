"""Queries of dispositions and their steps. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset, sorted_keyset

from integrity.models import Disposition, DispositionStep
from integrity.repository.common import ACTIVE_DISPOSITIONS, col, filtered, in_region
from integrity.schemas.dispositions import DispositionFilter

# --- dispositions -----------------------------------------------------------------------------


async def disposition(
    session: AsyncSession, disposition_id: uuid.UUID, *, for_update: bool = False
) -> Disposition | None:
    query = select(Disposition).where(col(Disposition.id) == disposition_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def active_disposition_of(session: AsyncSession, warning_id: uuid.UUID) -> Disposition | None:
    query = select(Disposition).where(
        col(Disposition.warning_id) == warning_id, col(Disposition.status).in_(ACTIVE_DISPOSITIONS)
    )
    return (await session.execute(query)).scalars().first()


async def dispositions_of(session: AsyncSession, warning_id: uuid.UUID) -> Sequence[Disposition]:
    query = select(Disposition).where(col(Disposition.warning_id) == warning_id).order_by(col(Disposition.opened_at))
    return (await session.execute(query)).scalars().all()


async def dispositions(
    session: AsyncSession, who: Principal, where: DispositionFilter, page: PageParams, *, today: date
) -> Sequence[Disposition]:
    active = col(Disposition.status).in_(ACTIVE_DISPOSITIONS)
    overdue = and_(active, col(Disposition.deadline) < today)
    query = filtered(
        select(Disposition),
        within_regions(Disposition.region_code, who.region_prefixes),
        in_region(Disposition.region_code, where.region_code),
        col(Disposition.status) == where.status if where.status else None,
        col(Disposition.kind) == where.kind if where.kind else None,
        col(Disposition.assignee) == where.assignee if where.assignee else None,
        col(Disposition.warning_id) == where.warning_id if where.warning_id else None,
        None if where.overdue is None else overdue if where.overdue else ~overdue,
    )
    column = col(getattr(Disposition, where.sort.value))
    query = sorted_keyset(query, page, where.sort.value, where.order, column, col(Disposition.id))
    return (await session.execute(query)).scalars().all()


def disposition_sort_value(row: Disposition, where: DispositionFilter) -> Any:
    value = getattr(row, where.sort.value)
    return value.isoformat() if isinstance(value, date) else value


async def next_step_seq(session: AsyncSession, disposition_id: uuid.UUID) -> int:
    """The number of a disposition's next step (call with the disposition locked)."""
    query = select(func.coalesce(func.max(DispositionStep.seq), 0)).where(
        col(DispositionStep.disposition_id) == disposition_id
    )
    return int((await session.execute(query)).scalar_one()) + 1


async def steps(session: AsyncSession, disposition_id: uuid.UUID, page: PageParams) -> Sequence[DispositionStep]:
    """A disposition's steps in the order they were taken (a page of them)."""
    query = select(DispositionStep).where(col(DispositionStep.disposition_id) == disposition_id)
    query = keyset(query, page, col(DispositionStep.seq), descending=False)
    return (await session.execute(query)).scalars().all()


async def latest_steps(session: AsyncSession, disposition_id: uuid.UUID, *, limit: int) -> list[DispositionStep]:
    """A disposition's latest ``limit`` steps, oldest first."""
    query = (
        select(DispositionStep)
        .where(col(DispositionStep.disposition_id) == disposition_id)
        .order_by(col(DispositionStep.seq).desc())
        .limit(limit)
    )
    return list(reversed((await session.execute(query)).scalars().all()))


def step_cursor(row: DispositionStep) -> list[int]:
    return [row.seq]


async def overdue_to_escalate(session: AsyncSession, *, today: date, max_escalations: int) -> Sequence[Disposition]:
    """Active dispositions past their deadline that may still escalate, locked (replicas skip each other's)."""
    query = (
        select(Disposition)
        .where(
            col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
            col(Disposition.deadline) < today,
            col(Disposition.escalations) < max_escalations,
        )
        .order_by(col(Disposition.deadline), col(Disposition.id))
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()
