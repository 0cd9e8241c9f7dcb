"""Queries for supervision: threshold changes, account history, watch-list changes, supplements. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from funds.models import (
    Movement,
    MovementKind,
    Payee,
    PayeeAccount,
    ThresholdChange,
    WatchChange,
    WatchEntry,
)


async def threshold_changes(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[ThresholdChange]:
    query = select(ThresholdChange).where(ThresholdChange.programme_id == programme_id)
    return (await session.execute(query.order_by(ThresholdChange.recorded_at, ThresholdChange.id))).scalars().all()


async def account_history(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> Sequence[PayeeAccount]:
    if not payee_ids:
        return []
    query = select(PayeeAccount).where(PayeeAccount.payee_id.in_(payee_ids))  # type: ignore[attr-defined]
    return (await session.execute(query.order_by(PayeeAccount.recorded_at, PayeeAccount.id))).scalars().all()


async def accounts_sharing(session: AsyncSession, hashes: Collection[str]) -> Sequence[PayeeAccount]:
    """Every account-history row with one of these keyed hashes (who was ever paid into the account)."""
    if not hashes:
        return []
    query = select(PayeeAccount).where(PayeeAccount.account_hash.in_(hashes))  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def regions_paying(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The regions whose nodes paid each payee."""
    if not payee_ids:
        return {}
    query = (
        select(Movement.payee_id, Movement.region_code)
        .where(Movement.kind == MovementKind.EXPEND, Movement.payee_id.in_(payee_ids))  # type: ignore[union-attr]
        .distinct()
    )
    out: dict[uuid.UUID, set[str]] = {}
    for payee_id, region in (await session.execute(query)).all():
        out.setdefault(payee_id, set()).add(region)
    return out


async def watch_entry(session: AsyncSession, entry_id: uuid.UUID, *, for_update: bool = False) -> WatchEntry | None:
    query = select(WatchEntry).where(WatchEntry.id == entry_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def watch_changes(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> Sequence[WatchChange]:
    query = select(WatchChange).where(within_regions(WatchChange.region_code, prefixes))
    return (await session.execute(keyset(query, page, WatchChange.recorded_at, WatchChange.id))).scalars().all()


async def persons_on_accounts(session: AsyncSession, hashes: Collection[str]) -> Sequence[Payee]:
    """Persons whose current bank account has one of these keyed hashes."""
    if not hashes:
        return []
    query = select(Payee).where(Payee.account_hash.in_(hashes), Payee.kind == "person")  # type: ignore[union-attr]
    return (await session.execute(query)).scalars().all()


async def supplements_by_node(session: AsyncSession, programme_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """What was added to each node of a programme by supplements (追加预算)."""
    query = (
        select(Movement.to_node_id, func.sum(Movement.amount_fen))
        .where(Movement.programme_id == programme_id, Movement.kind == MovementKind.SUPPLEMENT)
        .group_by(Movement.to_node_id)
    )
    return {node_id: int(total) for node_id, total in (await session.execute(query)).all()}
