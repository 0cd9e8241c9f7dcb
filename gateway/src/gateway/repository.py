"""Gateway queries. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import utcnow

from gateway.models import Client, RefreshToken, Revocation, User


async def client(session: AsyncSession, client_id: str) -> Client | None:
    return (await session.execute(select(Client).where(Client.client_id == client_id))).scalar_one_or_none()


async def clients(session: AsyncSession, after: str | None = None) -> Sequence[Client]:
    """Every client by ``client_id`` (immutable and unique: pages on it never skip or repeat), after ``after``."""
    query = select(Client).order_by(Client.client_id)
    if after is not None:
        query = query.where(Client.client_id > after)
    return (await session.execute(query)).scalars().all()


async def user(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def users(session: AsyncSession, after: str | None = None) -> Sequence[User]:
    """Every account by ``username`` (immutable and unique), after ``after``."""
    query = select(User).order_by(User.username)
    if after is not None:
        query = query.where(User.username > after)
    return (await session.execute(query)).scalars().all()


async def refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )


async def revoke_user_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )


async def revoke_client_tokens(session: AsyncSession, client_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.client_id == client_id, RefreshToken.revoked_at.is_(None))  # type: ignore[union-attr]
        .values(revoked_at=utcnow())
    )


async def delete_user_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id))  # type: ignore[arg-type]


async def revoke_access(session: AsyncSession, subject: str) -> None:
    """Refuse the access tokens ``subject`` holds now (client id, or ``user:<name>``)."""
    row = await session.get(Revocation, subject)
    if row is None:
        session.add(Revocation(subject=subject, revoked_at=utcnow()))
    else:
        row.revoked_at = utcnow()


async def revocations(session: AsyncSession, *, since: datetime) -> Sequence[Revocation]:
    """Revocations whose tokens may still be alive (revoked at or after ``since``)."""
    query = select(Revocation).where(Revocation.revoked_at >= since)  # type: ignore[arg-type]
    return (await session.execute(query)).scalars().all()


async def prune_revocations(session: AsyncSession, *, before: datetime) -> None:
    """Forget revocations no live token can need (one row per account at most, so this only tidies)."""
    await session.execute(delete(Revocation).where(Revocation.revoked_at < before))  # type: ignore[arg-type]
