"""Inbox: the ids of events a consumer has applied, written in the effect's transaction.

``claim`` inserts (consumer, event id) and says whether this is the first time; a
redelivered event finds its id already there and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from sunlight.db import inbox_table, session_dialect, utcnow


async def claim(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """True when ``event_id`` was not yet processed by ``consumer`` (and is now marked)."""
    values = {"consumer": consumer, "event_id": event_id, "processed_at": utcnow()}
    insert = postgresql.insert if session_dialect(session) == "postgresql" else sqlite.insert
    result = await session.execute(insert(inbox_table).values(**values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0))


async def seen(session: AsyncSession, consumer: str, event_id: str) -> bool:
    row = await session.execute(
        select(inbox_table.c.event_id).where(inbox_table.c.consumer == consumer, inbox_table.c.event_id == event_id)
    )
    return row.first() is not None
