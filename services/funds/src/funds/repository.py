"""Funds queries. Never commits: the service function owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.models import Movement, Node, Programme, RefusedMovement


async def programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme | None:
    return await session.get(Programme, programme_id)


async def programme_by_code(session: AsyncSession, code: str) -> Programme | None:
    return (await session.execute(select(Programme).where(Programme.code == code))).scalar_one_or_none()


async def node(session: AsyncSession, node_id: uuid.UUID, *, for_update: bool = False) -> Node | None:
    """A node; ``for_update`` takes its row lock on PostgreSQL (SQLite transactions are already exclusive)."""
    query = select(Node).where(Node.id == node_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def root_of(session: AsyncSession, programme_id: uuid.UUID) -> Node | None:
    query = select(Node).where(Node.programme_id == programme_id, Node.parent_id.is_(None))  # type: ignore[union-attr]
    return (await session.execute(query)).scalar_one_or_none()


async def nodes_of(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Node]:
    query = select(Node).where(Node.programme_id == programme_id).order_by(Node.created_at, Node.id)
    return (await session.execute(query)).scalars().all()


def add_movement(session: AsyncSession, movement: Movement) -> None:
    session.add(movement)


def add_refusal(session: AsyncSession, refusal: RefusedMovement) -> None:
    session.add(refusal)
