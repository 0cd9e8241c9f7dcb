"""Transactional outbox: an event is a row written in the same transaction as its cause.

``add_event(session, event)`` adds the row; the commit that stores the domain rows stores
the event too, or neither. After such a commit the process's relay is nudged at once; a
slow poll catches rows left behind by a crash. The relay selects rows *not yet sent*
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas share the work) — never "id greater
than the last seen", because ids can commit out of order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, registry

from sunlight.db import Database, outbox_table, utcnow
from sunlight.events.bus.base import Bus
from sunlight.events.envelope import Envelope

log = logging.getLogger("sunlight.outbox")


class OutboxRow:
    """ORM view of the outbox table, so an event is added with a plain ``session.add``."""

    def __init__(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self, key, value)


registry().map_imperatively(OutboxRow, outbox_table)

WAKE_KEY = "sunlight.outbox.wake"
DIRTY_KEY = "sunlight.outbox.dirty"


def add_event(session: AsyncSession, event: Envelope[Any]) -> None:
    """Add ``event`` to the outbox in the session's transaction (it is sent after commit)."""
    session.add(
        OutboxRow(
            id=event.id,
            type=event.type,
            subject=event.subject or "",
            body=event.to_json(),
            created_at=event.time,
            attempts=0,
        )
    )
    session.info[DIRTY_KEY] = True


async def add_events(session: AsyncSession, events: Sequence[Envelope[Any]]) -> None:
    """Add many events to the outbox in the session's transaction with one multi-row INSERT (a batch's
    thousands of events cost one statement, not an ORM object each); sent after commit like ``add_event``."""
    if not events:
        return
    rows = [
        {
            "id": e.id,
            "type": e.type,
            "subject": e.subject or "",
            "body": e.to_json(),
            "created_at": e.time,
            "attempts": 0,
        }
        for e in events
    ]
    await session.execute(insert(outbox_table), rows)
    session.info[DIRTY_KEY] = True


@sa_event.listens_for(Session, "after_commit")
def _nudge_relay(session: Session) -> None:
    if session.info.pop(DIRTY_KEY, False):
        wake = session.info.get(WAKE_KEY)
        if wake is not None:
            wake.set()


@sa_event.listens_for(Session, "after_rollback")
def _forget_dirty(session: Session) -> None:
    session.info.pop(DIRTY_KEY, None)


class OutboxRelay:
    """Publishes pending outbox rows to the bus and marks them sent."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        batch: int = 100,
        poll_seconds: float = 1.0,
        on_published: Callable[[list[tuple[str, bytes, str]]], None] | None = None,
    ) -> None:
        self.db = db
        self.on_published = on_published
        self.bus = bus
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.wake = asyncio.Event()
        db.sessions.kw.setdefault("info", {})[WAKE_KEY] = self.wake
        self._failures = 0

    async def relay_once(self) -> int:
        """Send one batch; returns how many rows were sent (0 when none pending or the bus failed)."""
        async with self.db.sessions() as session, session.begin():
            query = (
                select(outbox_table.c.id, outbox_table.c.type, outbox_table.c.body)
                .where(outbox_table.c.sent_at.is_(None))
                .order_by(outbox_table.c.created_at, outbox_table.c.id)
                .limit(self.batch)
            )
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            error: str | None = None
            outgoing = [(r.type, r.body.encode(), r.id) for r in rows]
            try:
                sent = await self.bus.publish_many(outgoing)
            except Exception as exc:  # the bus is down or refused: keep the rows, try later
                sent, error = 0, f"{type(exc).__name__}: {exc}"[:500]
                log.warning("outbox: publish failed (%s)", type(exc).__name__)
            if sent:
                await session.execute(
                    update(outbox_table)
                    .where(outbox_table.c.id.in_([r.id for r in rows[:sent]]))
                    .values(sent_at=utcnow())
                )
            if sent < len(rows):
                self._failures += 1
                await session.execute(
                    update(outbox_table)
                    .where(outbox_table.c.id == rows[sent].id)
                    .values(attempts=outbox_table.c.attempts + 1, last_error=error or "not acknowledged")
                )
        if sent:
            self._failures = 0
            if self.on_published is not None:
                self.on_published(outgoing[:sent])
        return sent

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.wake.clear()  # before the batch: a commit during it must wake the next wait
            try:
                sent = await self.relay_once()
            except Exception:
                log.exception("outbox relay batch failed")
                sent = 0
                self._failures += 1
            if sent >= self.batch:
                continue  # more may be waiting
            if self._failures:  # the bus is failing: back off, commits do not shorten the wait
                await _wait_any(stop, timeout=min(0.25 * 2**self._failures, 10.0))
            else:
                await _wait_any(stop, self.wake, timeout=self.poll_seconds)


async def _wait_any(*events: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
