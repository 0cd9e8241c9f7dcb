"""Idempotent event consumers: ``@handlers.handles("type.v1")`` and the dispatcher.

For each delivered event the dispatcher opens one transaction, claims the event id in the
inbox, runs the handler (its effects and any outbox rows it adds) and commits; the bus
acknowledges only after that commit. A redelivered event finds its id claimed and is a
no-op. An event that can never be applied (unreadable, ``PermanentError``, or failing
``max_deliver`` times) is written to the service's dead-letter table and acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sunlight.db import Database, dead_letter_table, utcnow
from sunlight.events import inbox
from sunlight.events.bus.base import Bus, Outcome, durable_name
from sunlight.events.envelope import Envelope, parse_event

log = logging.getLogger("sunlight.consumer")

Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]


class PermanentError(Exception):
    """This event can never be applied: dead-letter it instead of retrying."""


class Handlers:
    """The event handlers of one service (``handlers.py`` builds one of these)."""

    def __init__(self) -> None:
        self._by_type: dict[str, Handler] = {}

    def handles(self, event_type: str) -> Callable[[Handler], Handler]:
        from sunlight.events.contracts import CONTRACTS

        if event_type not in CONTRACTS:
            raise ValueError(f"no contract for {event_type}")

        def register(fn: Handler) -> Handler:
            if event_type in self._by_type:
                raise ValueError(f"{event_type} already has a handler")
            self._by_type[event_type] = fn
            return fn

        return register

    @property
    def types(self) -> list[str]:
        return sorted(self._by_type)

    def get(self, event_type: str) -> Handler | None:
        return self._by_type.get(event_type)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        handlers: Handlers,
        *,
        consumer: str,
        max_deliver: int = 8,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.db = db
        self.handlers = handlers
        self.consumer = consumer
        self.max_deliver = max_deliver
        self.context = context or {}  # e.g. the service's settings, handed to handlers via session.info

    async def process(self, raw: bytes, deliveries: int) -> Outcome:
        try:
            event = parse_event(raw)
        except ValueError as exc:
            await self._dead_letter(raw, "?", "?", f"unreadable: {exc}", deliveries)
            return Outcome.DEAD
        handler = self.handlers.get(event.type)
        if handler is None:
            return Outcome.DONE
        try:
            async with self.db.sessions() as session:
                session.info.update(self.context)
                async with session.begin():
                    if await inbox.claim(session, self.consumer, event.id):
                        await handler(session, event)
            return Outcome.DONE
        except PermanentError as exc:
            await self._dead_letter(raw, event.id, event.type, f"permanent: {exc}", deliveries)
            return Outcome.DEAD
        except Exception as exc:
            if deliveries >= self.max_deliver:
                log.exception("consumer %s: giving up on %s after %d deliveries", self.consumer, event.id, deliveries)
                await self._dead_letter(raw, event.id, event.type, f"{type(exc).__name__}: {exc}", deliveries)
                return Outcome.DEAD
            log.warning(
                "consumer %s: %s on %s (delivery %d), will retry",
                self.consumer,
                type(exc).__name__,
                event.id,
                deliveries,
            )
            return Outcome.RETRY

    async def _dead_letter(self, raw: bytes, event_id: str, event_type: str, error: str, deliveries: int) -> None:
        async with self.db.sessions() as session, session.begin():
            await session.execute(
                insert(dead_letter_table).values(
                    consumer=self.consumer,
                    event_id=event_id[:36],
                    type=event_type[:128],
                    body=raw.decode("utf-8", "replace"),
                    error=error[:2000],
                    deliveries=deliveries,
                    created_at=utcnow(),
                )
            )


def start_consumers(bus: Bus, dispatcher: Dispatcher, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """One task per handled event type, each on its own durable consumer."""
    return [
        asyncio.create_task(
            bus.consume(durable_name(dispatcher.consumer, event_type), event_type, dispatcher.process, stop),
            name=f"consume {event_type}",
        )
        for event_type in dispatcher.handlers.types
    ]
