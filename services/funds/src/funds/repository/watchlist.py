"""Queries of the watch lists. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from funds.models import (
    Movement,
    MovementKind,
    WatchEntry,
)


async def watch_matches(
    session: AsyncSession, *, usccs: Collection[str], id_hashes: Collection[str]
) -> Sequence[WatchEntry]:
    clauses = []
    if usccs:
        clauses.append(and_(WatchEntry.watch_list == "debarred", WatchEntry.uscc.in_(usccs)))  # type: ignore[union-attr]
    if id_hashes:
        clauses.append(and_(WatchEntry.watch_list != "debarred", WatchEntry.id_hash.in_(id_hashes)))  # type: ignore[union-attr]
    if not clauses:
        return []
    return (await session.execute(select(WatchEntry).where(or_(*clauses)))).scalars().all()


async def watch_entries(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> Sequence[WatchEntry]:
    query = select(WatchEntry).where(within_regions(WatchEntry.region_code, prefixes))
    return (await session.execute(keyset(query, page, WatchEntry.created_at, WatchEntry.id))).scalars().all()


async def payments_to(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    if not payee_ids:
        return []
    query = select(Movement).where(Movement.kind == MovementKind.EXPEND, Movement.payee_id.in_(payee_ids))  # type: ignore[union-attr]
    return (await session.execute(query.order_by(Movement.occurred_on))).scalars().all()
