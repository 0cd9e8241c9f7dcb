"""The bus protocol both backends implement, and what a consumer tells the bus back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Protocol


class Outcome(Enum):
    DONE = "done"  # applied (or already applied, or not ours): acknowledge
    RETRY = "retry"  # failed for now: deliver again later
    DEAD = "dead"  # can never be applied; recorded as a dead letter: acknowledge


Process = Callable[[bytes, int], Awaitable[Outcome]]  # (body, delivery number starting at 1)
Outgoing = tuple[str, bytes, str]  # (event type, body, message id)


class BusUnavailable(Exception):
    """The bus could not be reached."""


class BusMisconfigured(BusUnavailable):
    """The bus answers but refuses our configuration. The message names what clashes and the setting that
    resolves it, and holds no secret (no URL), so ``/readyz`` shows it to the operator."""


class Bus(Protocol):
    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise when the bus is not usable (readiness)."""

    async def publish(self, event_type: str, body: bytes, *, msg_id: str) -> None:
        """Durably store one event; a second publish of the same ``msg_id`` is dropped."""

    async def publish_many(self, events: list[Outgoing]) -> int:
        """Store several events, in order; returns how many leading events are stored (all, or up to a failure)."""

    async def consume(self, durable: str, event_type: str, process: Process, stop: asyncio.Event) -> None:
        """Deliver events of ``event_type`` to ``process`` until ``stop``; at least once, in order."""

    async def pending(self, durable: str, event_type: str) -> int | None:
        """Events of ``event_type`` the durable consumer has not yet acknowledged (None: it does not exist yet)."""


def durable_name(consumer: str, event_type: str) -> str:
    """``integrity`` + ``warnings.raised.v1`` → ``integrity__warnings_raised_v1`` (valid for NATS)."""
    return f"{consumer}__{event_type.replace('.', '_')}"
