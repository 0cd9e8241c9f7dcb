"""Queries of movements, refused movements and batches. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import within_regions
from sunlight.pagination import PageParams, SortOrder, keyset, sorted_keyset

from funds.models import (
    Movement,
    MovementBatch,
    MovementKind,
    RefusedMovement,
)


async def movement(session: AsyncSession, movement_id: uuid.UUID, *, for_update: bool = False) -> Movement | None:
    query = select(Movement).where(Movement.id == movement_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def movements_by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Movement]:
    if not ids:
        return {}
    rows = (await session.execute(select(Movement).where(Movement.id.in_(ids)))).scalars().all()  # type: ignore[attr-defined]
    return {m.id: m for m in rows}


async def movements(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    node_id: uuid.UUID | None = None,
    kind: MovementKind | None = None,
    payee_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    sort: str = "recorded_at",
    order: SortOrder = SortOrder.DESC,
) -> Sequence[Movement]:
    query = select(Movement).where(within_regions(Movement.region_code, prefixes))
    if programme_id:
        query = query.where(Movement.programme_id == programme_id)
    if node_id:
        query = query.where(or_(Movement.from_node_id == node_id, Movement.to_node_id == node_id))
    if kind:
        query = query.where(Movement.kind == kind)
    if payee_id:
        query = query.where(Movement.payee_id == payee_id)
    if batch_id:
        query = query.where(Movement.batch_id == batch_id)
    query = sorted_keyset(query, page, sort, order, getattr(Movement, sort), Movement.id)
    return (await session.execute(query)).scalars().all()


async def programme_movements(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Movement]:
    query = (
        select(Movement)
        .where(Movement.programme_id == programme_id)
        .order_by(Movement.occurred_on, Movement.recorded_at, Movement.id)
    )
    return (await session.execute(query)).scalars().all()


async def node_movements(session: AsyncSession, node_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Every movement into or out of these nodes (for the time-based rules)."""
    if not node_ids:
        return []
    query = (
        select(Movement)
        .where(or_(Movement.from_node_id.in_(node_ids), Movement.to_node_id.in_(node_ids)))  # type: ignore[union-attr]
        .order_by(Movement.occurred_on, Movement.id)
    )
    return (await session.execute(query)).scalars().all()


async def inflows(session: AsyncSession, node_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Budget, supplements, allocations and disbursements into these nodes."""
    if not node_ids:
        return []
    kinds = (MovementKind.BUDGET, MovementKind.SUPPLEMENT, MovementKind.ALLOCATE, MovementKind.DISBURSE)
    query = (
        select(Movement)
        .where(Movement.to_node_id.in_(node_ids), Movement.kind.in_(kinds))  # type: ignore[union-attr, attr-defined]
        .order_by(Movement.occurred_on, Movement.recorded_at)
    )
    return (await session.execute(query)).scalars().all()


async def payments_of_payees(
    session: AsyncSession, payee_ids: Collection[uuid.UUID], *, since: date
) -> Sequence[Movement]:
    """Expend movements to these payees on or after ``since`` (history for the payment rules)."""
    if not payee_ids:
        return []
    query = select(Movement).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.payee_id.in_(payee_ids),  # type: ignore[union-attr]
        Movement.occurred_on >= since,
    )
    return (await session.execute(query)).scalars().all()


async def payments_sharing(
    session: AsyncSession, *, invoices: Collection[str], references: Collection[str], since: date
) -> Sequence[Movement]:
    """Expend movements on or after ``since`` carrying one of these supplier invoice numbers or references."""
    if not invoices and not references:
        return []
    query = select(Movement).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.occurred_on >= since,
        or_(
            Movement.invoice_no.in_(list(invoices)),  # type: ignore[union-attr]
            Movement.reference.in_(list(references)),  # type: ignore[union-attr]
        ),
    )
    return (await session.execute(query)).scalars().all()


async def programme_payee_totals(
    session: AsyncSession, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[uuid.UUID]]]:
    """Net amount paid per (programme, payee), and the payment ids, for the per-head standard."""
    if not pairs:
        return {}
    programmes = {p for p, _ in pairs}
    payees = {q for _, q in pairs}
    query = select(
        Movement.programme_id, Movement.payee_id, Movement.id, Movement.amount_fen - Movement.refunded_fen
    ).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.programme_id.in_(programmes),  # type: ignore[attr-defined]
        Movement.payee_id.in_(payees),  # type: ignore[union-attr]
    )
    out: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[uuid.UUID]]] = {}
    for programme_id, payee_id, movement_id, net in (await session.execute(query)).all():
        total, ids = out.get((programme_id, payee_id), (0, []))
        out[(programme_id, payee_id)] = (total + int(net), [*ids, movement_id])
    return out


async def expend_amounts(
    session: AsyncSession, *, start: date, end: date, node_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, list[int]]:
    """Payment amounts per paying node with ``start <= occurred_on < end`` (Benford)."""
    query = select(Movement.from_node_id, Movement.amount_fen).where(
        Movement.kind == MovementKind.EXPEND, Movement.occurred_on >= start, Movement.occurred_on < end
    )
    if node_ids is not None:
        query = query.where(Movement.from_node_id.in_(node_ids))  # type: ignore[union-attr]
    out: dict[uuid.UUID, list[int]] = {}
    for node_id, amount in (await session.execute(query)).all():
        out.setdefault(node_id, []).append(int(amount))
    return out


async def movement_sums(
    session: AsyncSession, programme_id: uuid.UUID
) -> list[tuple[MovementKind, uuid.UUID | None, uuid.UUID | None, int]]:
    """The programme's ledger summed per (kind, from node, to node): what the trace recomputes counters from."""
    query = (
        select(Movement.kind, Movement.from_node_id, Movement.to_node_id, func.sum(Movement.amount_fen))
        .where(Movement.programme_id == programme_id)
        .group_by(Movement.kind, Movement.from_node_id, Movement.to_node_id)
    )
    return [(MovementKind(k), f, t, int(total)) for k, f, t, total in (await session.execute(query)).all()]


async def payment_days(
    session: AsyncSession, node_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[date, int]]]:
    """Per paying node, what it paid out per day (idle funds: when the cash it holds was last spent down)."""
    if not node_ids:
        return {}
    query = (
        select(Movement.from_node_id, Movement.occurred_on, func.sum(Movement.amount_fen))
        .where(Movement.kind == MovementKind.EXPEND, Movement.from_node_id.in_(node_ids))  # type: ignore[union-attr]
        .group_by(Movement.from_node_id, Movement.occurred_on)
    )
    out: dict[uuid.UUID, list[tuple[date, int]]] = {}
    for node_id, on, total in (await session.execute(query)).all():
        out.setdefault(node_id, []).append((on, int(total)))
    return out


async def refusals(
    session: AsyncSession, prefixes: Sequence[str], page: PageParams, *, programme_id: uuid.UUID | None = None
) -> Sequence[RefusedMovement]:
    query = select(RefusedMovement).where(within_regions(RefusedMovement.region_code, prefixes))
    if programme_id:
        query = query.where(RefusedMovement.programme_id == programme_id)
    return (await session.execute(keyset(query, page, RefusedMovement.recorded_at, RefusedMovement.id))).scalars().all()


async def batch(session: AsyncSession, client_id: str, batch_key: str) -> MovementBatch | None:
    query = select(MovementBatch).where(MovementBatch.client_id == client_id, MovementBatch.batch_key == batch_key)
    return (await session.execute(query)).scalar_one_or_none()
