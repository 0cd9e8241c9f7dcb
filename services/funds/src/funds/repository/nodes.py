"""Queries of the nodes of programmes' trees. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.models import (
    Node,
)


async def node(session: AsyncSession, node_id: uuid.UUID, *, for_update: bool = False) -> Node | None:
    """A node; ``for_update`` takes its row lock on PostgreSQL (SQLite transactions are already exclusive)."""
    query = select(Node).where(Node.id == node_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def nodes_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, Node]:
    """Several nodes; with ``for_update`` their locks are taken in id order (no deadlocks between writers)."""
    if not ids:
        return {}
    query = select(Node).where(Node.id.in_(ids)).order_by(Node.id)  # type: ignore[attr-defined]
    if for_update:
        query = query.with_for_update()
    return {n.id: n for n in (await session.execute(query)).scalars().all()}


async def root_of(session: AsyncSession, programme_id: uuid.UUID) -> Node | None:
    query = select(Node).where(Node.programme_id == programme_id, Node.parent_id.is_(None))  # type: ignore[union-attr]
    return (await session.execute(query)).scalar_one_or_none()


async def nodes_of(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Node]:
    query = select(Node).where(Node.programme_id == programme_id).order_by(Node.created_at, Node.id)
    return (await session.execute(query)).scalars().all()


async def all_nodes(session: AsyncSession) -> Sequence[Node]:
    return (await session.execute(select(Node).order_by(Node.programme_id, Node.created_at))).scalars().all()


async def parent_ids(session: AsyncSession) -> set[uuid.UUID]:
    """Ids of every node that has at least one child."""
    query = select(Node.parent_id).where(Node.parent_id.is_not(None)).distinct()  # type: ignore[union-attr]
    return {row for row in (await session.execute(query)).scalars().all() if row is not None}
