"""Queries of programmes and their budget lines. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_prefix
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from funds.models import (
    BudgetLine,
    Node,
    Programme,
)


async def programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme | None:
    return await session.get(Programme, programme_id)


async def unit_regions(session: AsyncSession, uscc: str) -> set[str]:
    """The regions where funds knows the unit ``uscc``: of the nodes it holds and the programmes it answers for."""
    nodes = select(Node.region_code).where(Node.unit_uscc == uscc).distinct()  # type: ignore[arg-type]
    programmes = select(Programme.region_code).where(Programme.responsible_uscc == uscc).distinct()  # type: ignore[arg-type]
    found = (await session.execute(nodes)).scalars().all() + (await session.execute(programmes)).scalars().all()
    return set(found)


async def programme_by_code(session: AsyncSession, code: str) -> Programme | None:
    return (await session.execute(select(Programme).where(Programme.code == code))).scalar_one_or_none()


async def programmes_by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Programme]:
    if not ids:
        return {}
    rows = (await session.execute(select(Programme).where(Programme.id.in_(ids)))).scalars().all()  # type: ignore[attr-defined]
    return {p.id: p for p in rows}


async def programmes(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    fiscal_year: int | None = None,
    category: str | None = None,
    region_code: str | None = None,
) -> Sequence[Programme]:
    query = select(Programme).where(within_regions(Programme.region_code, prefixes))
    if fiscal_year is not None:
        query = query.where(Programme.fiscal_year == fiscal_year)
    if category:
        query = query.where(Programme.category == category)
    if region_code:
        query = query.where(within_regions(Programme.region_code, [region_prefix(region_code)]))
    return (await session.execute(keyset(query, page, Programme.created_at, Programme.id))).scalars().all()


async def budget_lines(session: AsyncSession, programme_ids: Collection[uuid.UUID]) -> Sequence[BudgetLine]:
    if not programme_ids:
        return []
    query = select(BudgetLine).where(BudgetLine.programme_id.in_(programme_ids)).order_by(BudgetLine.code)  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def lock_budget_lines(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, BudgetLine]:
    if not ids:
        return {}
    query = select(BudgetLine).where(BudgetLine.id.in_(ids)).order_by(BudgetLine.id).with_for_update()  # type: ignore[attr-defined]
    return {line.id: line for line in (await session.execute(query)).scalars().all()}


async def budget_line(session: AsyncSession, line_id: uuid.UUID) -> BudgetLine | None:
    return await session.get(BudgetLine, line_id)
