"""Event capture for tests: read what reached the bus, as a consumer would."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from sunlight.events.bus import Bus, Outcome, bus_from_settings
from sunlight.events.envelope import Envelope, parse_event
from sunlight.settings import CommonSettings


class EventCapture:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.events: list[Envelope[Any]] = []
        self._arrived = asyncio.Condition()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    @contextlib.asynccontextmanager
    async def on(cls, bus_settings: dict[str, Any], types: list[str]) -> AsyncIterator[EventCapture]:
        bus = bus_from_settings(CommonSettings(environment="test", **bus_settings), client_name="capture")
        await bus.connect()
        capture = cls(bus)
        durable = f"capture{uuid.uuid4().hex[:8]}"
        capture._tasks = [
            asyncio.create_task(bus.consume(f"{durable}__{t.replace('.', '_')}", t, capture._take, capture._stop))
            for t in types
        ]
        try:
            yield capture
        finally:
            capture._stop.set()
            await asyncio.gather(*capture._tasks, return_exceptions=True)
            await bus.close()

    async def _take(self, raw: bytes, deliveries: int) -> Outcome:
        async with self._arrived:
            self.events.append(parse_event(raw))
            self._arrived.notify_all()
        return Outcome.DONE

    def of_type(self, event_type: str) -> list[Envelope[Any]]:
        return [e for e in self.events if e.type == event_type]

    async def wait_for(
        self, event_type: str, where: Callable[[Envelope[Any]], bool] = lambda e: True, timeout: float = 10.0
    ) -> Envelope[Any]:
        deadline = time.monotonic() + timeout
        async with self._arrived:
            while True:
                for event in self.events:
                    if event.type == event_type and where(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({e.type for e in self.events})
                    raise AssertionError(f"no {event_type} event arrived within {timeout}s (saw: {seen})")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout=left)
