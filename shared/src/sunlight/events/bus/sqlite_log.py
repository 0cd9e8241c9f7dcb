"""The embedded bus: an append-only log in one SQLite file shared by the local processes.

For one machine and no server: every process opens the same file (WAL mode, so readers
never block the writer). ``events`` is the log (``seq`` order is commit order: SQLite has
one writer at a time, so a row with a higher ``seq`` can never commit before a lower one);
``offsets`` holds each durable consumer's position. Publishing the same event id twice
stores it once (``INSERT OR IGNORE``, forever, not just for a window). Consumers poll the
file every few milliseconds; a failed event is retried with back-off and, after
``max_deliver`` attempts, reported dead by the dispatcher and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sunlight.events.bus.base import BusUnavailable, Outcome, Outgoing, Process

log = logging.getLogger("sunlight.bus.sqlite")
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body BLOB NOT NULL,
    published_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_events_type_seq ON events(type, seq);
CREATE TABLE IF NOT EXISTS offsets (
    durable TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
"""


class SqliteLogBus:
    def __init__(self, path: str | Path, *, poll_seconds: float = 0.02, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.poll_seconds = poll_seconds
        self.busy_timeout = busy_timeout
        self._lock = asyncio.Lock()  # one statement at a time on our connection
        self._conn: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        return conn

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        async with self._lock:
            if self._conn is None:
                self._conn = await asyncio.to_thread(self._open)
            return await asyncio.to_thread(fn, self._conn, *args)

    async def connect(self) -> None:
        """Open the log; when it cannot be opened yet, the service starts anyway (not ready) and retries."""
        try:
            await self._run(lambda conn: None)
        except (sqlite3.Error, OSError) as exc:
            log.warning("embedded log %s not usable yet: %s", self.path, exc)

    async def close(self) -> None:
        async with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def ping(self) -> None:
        try:
            await self._run(lambda conn: conn.execute("SELECT 1 FROM events LIMIT 1").fetchall())
        except (sqlite3.Error, OSError) as exc:
            raise BusUnavailable(f"embedded log {self.path}: {exc}") from exc

    async def publish(self, event_type: str, body: bytes, *, msg_id: str) -> None:
        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR IGNORE INTO events(id, type, body, published_at) VALUES (?, ?, ?, ?)",
                (msg_id, event_type, body, time.time()),
            )

        try:
            await self._run(insert)
        except (sqlite3.Error, OSError) as exc:
            raise BusUnavailable(f"embedded log {self.path}: {exc}") from exc

    async def publish_many(self, events: list[Outgoing]) -> int:
        """All in one transaction: one fsync for the batch instead of one per event."""

        def insert(conn: sqlite3.Connection) -> None:
            now = time.time()
            with conn:  # BEGIN … COMMIT
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR IGNORE INTO events(id, type, body, published_at) VALUES (?, ?, ?, ?)",
                    [(msg_id, event_type, body, now) for event_type, body, msg_id in events],
                )

        try:
            await self._run(insert)
        except (sqlite3.Error, OSError) as exc:
            raise BusUnavailable(f"embedded log {self.path}: {exc}") from exc
        return len(events)

    async def pending(self, durable: str, event_type: str) -> int | None:
        def count(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT count(*) FROM events WHERE type = ? AND seq > "
                "coalesce((SELECT seq FROM offsets WHERE durable = ?), 0)",
                (event_type, durable),
            ).fetchone()
            return int(row[0])

        try:
            return await self._run(count)
        except (sqlite3.Error, OSError) as exc:
            raise BusUnavailable(f"embedded log {self.path}: {exc}") from exc

    async def consume(self, durable: str, event_type: str, process: Process, stop: asyncio.Event) -> None:
        def read_offset(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT seq FROM offsets WHERE durable = ?", (durable,)).fetchone()
            return int(row[0]) if row else 0

        def fetch(conn: sqlite3.Connection, after: int) -> list[tuple[int, bytes]]:
            return conn.execute(
                "SELECT seq, body FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT 100", (event_type, after)
            ).fetchall()

        def save_offset(conn: sqlite3.Connection, seq: int) -> None:
            conn.execute(
                "INSERT INTO offsets(durable, seq) VALUES (?, ?) ON CONFLICT(durable) DO UPDATE SET seq = excluded.seq",
                (durable, seq),
            )

        offset: int | None = None
        deliveries: dict[int, int] = {}
        while not stop.is_set():
            try:
                if offset is None:
                    offset = await self._run(read_offset)
                batch = await self._run(fetch, offset)
            except (sqlite3.Error, OSError) as exc:  # the file is locked, moved or its disk is gone
                log.warning("embedded log consumer %s: %s", durable, exc)
                await _sleep_or_stop(stop, 1.0)
                continue
            if not batch:
                await _sleep_or_stop(stop, self.poll_seconds)
                continue
            for seq, body in batch:
                attempt = deliveries.get(seq, 0) + 1
                deliveries[seq] = attempt
                outcome = await process(bytes(body), attempt)
                if outcome is Outcome.RETRY:
                    await _sleep_or_stop(stop, min(0.1 * 2**attempt, 30.0))
                    break  # in order: the same event again before the next one
                deliveries.pop(seq, None)
                try:
                    await self._run(save_offset, seq)
                except (sqlite3.Error, OSError) as exc:
                    log.warning("embedded log consumer %s: offset not saved: %s", durable, exc)
                    break  # redelivered later: the inbox makes that harmless
                offset = seq
                if stop.is_set():
                    break


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
