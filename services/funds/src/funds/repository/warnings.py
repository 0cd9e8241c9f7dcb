"""Queries of funds' warnings and the holds they put on subjects. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from funds.models import (
    FundsWarning,
    Hold,
    Movement,
    MovementKind,
    RefusedMovement,
)
from funds.schemas.warnings import WarningFilter


async def warnings_by_keys(session: AsyncSession, keys: Collection[str]) -> dict[str, FundsWarning]:
    if not keys:
        return {}
    query = select(FundsWarning).where(FundsWarning.dedupe_key.in_(keys)).with_for_update()  # type: ignore[attr-defined]
    return {w.dedupe_key: w for w in (await session.execute(query)).scalars().all()}


async def warnings(
    session: AsyncSession, prefixes: Sequence[str], where: WarningFilter, page: PageParams
) -> Sequence[FundsWarning]:
    query = select(FundsWarning).where(within_regions(FundsWarning.region_code, prefixes))
    for name in ("rule_id", "level", "status", "subject_kind", "subject_id", "programme_id", "dedupe_key"):
        value = getattr(where, name)
        if value is not None:
            query = query.where(getattr(FundsWarning, name) == value)
    return (await session.execute(keyset(query, page, FundsWarning.last_raised_at, FundsWarning.id))).scalars().all()


async def open_warnings_on(
    session: AsyncSession, subjects: Iterable[tuple[str, str]], *, programme_id: uuid.UUID | None = None
) -> Sequence[FundsWarning]:
    """Open warnings about any of these (kind, id) subjects, or anywhere in ``programme_id``."""
    clauses = [and_(FundsWarning.subject_kind == k, FundsWarning.subject_id == i) for k, i in subjects]
    if programme_id is not None:
        clauses.append(FundsWarning.programme_id == programme_id)
    if not clauses:
        return []
    query = (
        select(FundsWarning)
        .where(or_(*clauses), FundsWarning.status.in_(("open", "in_progress", "in_disposition")))  # type: ignore[attr-defined]
        .order_by(FundsWarning.first_raised_at)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def held(
    session: AsyncSession, subjects: Iterable[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], list[str]]:
    """Which of these (kind, id) subjects are held pending review, with the dedupe keys of their holds (the
    keys say in which region each hold was ordered)."""
    by_kind: dict[str, set[uuid.UUID]] = {}
    for kind, ident in subjects:
        by_kind.setdefault(kind, set()).add(ident)
    if not by_kind:
        return {}
    clauses = [and_(Hold.subject_kind == k, Hold.subject_id.in_(ids)) for k, ids in by_kind.items()]  # type: ignore[attr-defined]
    query = select(Hold.subject_kind, Hold.subject_id, Hold.dedupe_key).where(or_(*clauses))
    out: dict[tuple[str, uuid.UUID], list[str]] = {}
    for kind, ident, key in (await session.execute(query)).all():
        out.setdefault((kind, ident), []).append(key)
    return out


async def held_ids(session: AsyncSession, kind: str, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    query = select(Hold.subject_id).where(Hold.subject_kind == kind, Hold.subject_id.in_(ids))  # type: ignore[attr-defined]
    return set((await session.execute(query)).scalars().all())


async def holds_of(session: AsyncSession, dedupe_key: str) -> Sequence[Hold]:
    return (await session.execute(select(Hold).where(Hold.dedupe_key == dedupe_key))).scalars().all()


async def frozen_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    query = select(Hold.dedupe_key).where(Hold.dedupe_key.in_(keys)).distinct()  # type: ignore[attr-defined]
    return set((await session.execute(query)).scalars().all())


async def delete_holds(session: AsyncSession, dedupe_key: str) -> None:
    await session.execute(delete(Hold).where(Hold.dedupe_key == dedupe_key))


async def count(session: AsyncSession, model: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def scan_movements(session: AsyncSession, parents: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Every movement but the payments of nodes without children (the bulk of a ledger): what the
    pass-down and idle-funds rules read."""
    query = select(Movement).where(
        or_(Movement.kind != MovementKind.EXPEND, Movement.from_node_id.in_(parents))  # type: ignore[union-attr]
    )
    return (await session.execute(query.order_by(Movement.occurred_on, Movement.id))).scalars().all()


async def refusals_of_batch(session: AsyncSession, recorded_by: str, batch_key: str) -> set[tuple[object, ...]]:
    """What the earlier refusals of this principal's batch key recorded (node, amount, held, reason)."""
    query = select(
        RefusedMovement.from_node_id, RefusedMovement.amount_fen, RefusedMovement.available_fen, RefusedMovement.reason
    ).where(RefusedMovement.recorded_by == recorded_by, RefusedMovement.batch_key == batch_key)
    return {tuple(row) for row in (await session.execute(query)).all()}
