"""Queries of payees. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.models import (
    Payee,
)


async def payee(session: AsyncSession, payee_id: uuid.UUID) -> Payee | None:
    return await session.get(Payee, payee_id)


async def payees_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, Payee]:
    if not ids:
        return {}
    query = select(Payee).where(Payee.id.in_(ids)).order_by(Payee.id)  # type: ignore[attr-defined]
    if for_update:
        query = query.with_for_update()
    return {p.id: p for p in (await session.execute(query)).scalars().all()}


async def payees_by_identity(session: AsyncSession, identities: Collection[str]) -> dict[str, Payee]:
    if not identities:
        return {}
    query = select(Payee).where(Payee.identity.in_(identities))  # type: ignore[attr-defined]
    return {p.identity: p for p in (await session.execute(query)).scalars().all()}


async def payees_matching(session: AsyncSession, *, usccs: Collection[str], id_hashes: Collection[str]) -> list[Payee]:
    clauses = []
    if usccs:
        clauses.append(Payee.uscc.in_(usccs))  # type: ignore[union-attr]
    if id_hashes:
        clauses.append(Payee.id_hash.in_(id_hashes))  # type: ignore[union-attr]
    if not clauses:
        return []
    return list((await session.execute(select(Payee).where(or_(*clauses)))).scalars().all())
