"""Async database setup for SQLite (aiosqlite) and PostgreSQL (asyncpg).

- one :class:`Database` per process, built in ``create_app`` from the settings' URL;
- SQLite runs in WAL mode; writing sessions begin ``BEGIN IMMEDIATE``, so a transaction that
  reads a balance and then writes can never lose a race (SQLite's stand-in for row locks), and
  reading sessions (:attr:`Database.readers`, what GET and HEAD requests get) begin deferred, so
  they never queue behind the write lock, the relay or each other;
- each service declares its tables on its own registry (:func:`make_registry`) with the
  shared naming convention; the infrastructure tables every service has (outbox, inbox,
  dead letters, idempotency keys) live in :data:`infra_metadata` and are created by the
  service's first migration (:mod:`sunlight.migrations`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    event,
    false,
    or_,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _successor(prefix: str) -> str | None:
    """The smallest digit string above every string that starts with ``prefix`` (``1303`` → ``1304``,
    ``1309`` → ``131``; ``None`` when there is none, as for ``99``)."""
    digits = prefix.rstrip("9")
    return digits[:-1] + str(int(digits[-1]) + 1) if digits else None


def starts_with_digits(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with the digits ``prefix``, written as a range so that a B-tree index serves it
    under any collation (PostgreSQL uses an index for ``LIKE 'p%'`` only under the C collation or with
    ``text_pattern_ops``)."""
    if not prefix:
        return true()
    if not prefix.isdigit():
        raise ValueError("region prefixes are digits")
    upper = _successor(prefix)
    return and_(column >= prefix, column < upper) if upper else column >= prefix


def within_regions(column: Any, prefixes: Iterable[str]) -> ColumnElement[bool]:
    """SQL condition: ``column`` (a region code) lies within one of the regions given by their prefixes
    (``Principal.region_prefixes``); the empty prefix (nationwide) matches everything, none matches nothing."""
    chosen = tuple(prefixes)
    if "" in chosen:
        return true()
    if not chosen:
        return false()
    return or_(*(starts_with_digits(column, prefix) for prefix in chosen))


def session_dialect(session: AsyncSession) -> str:
    """The dialect name of the database ``session`` talks to (``postgresql``, ``sqlite``)."""
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def transaction_lock(session: AsyncSession, name: str, *, shared: bool = False) -> None:
    """Hold the lock ``name`` until ``session``'s transaction ends.

    For two kinds of transaction that must each see what the other wrote: one reads rows the other is
    about to insert, and the other way round. Under READ COMMITTED neither sees the other's uncommitted
    row, so both can miss each other (a write skew). Taking the lock before the first such statement
    makes them run one after the other.

    - PostgreSQL: a transaction-level advisory lock on the name's 64-bit hash. ``shared`` holders run
      alongside each other and wait only for an exclusive holder.
    - SQLite: nothing to do. A writing transaction there begins IMMEDIATE and already excludes every
      other writer.
    """
    if session_dialect(session) != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await session.execute(text(f"SELECT {function}(hashtextextended(:name, 0))"), {"name": name})


def make_registry() -> registry:
    """A fresh registry (and MetaData) for one service's tables, with our naming convention."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- infrastructure tables every service carries -------------------------------------------

infra_metadata = MetaData(naming_convention=NAMING_CONVENTION)

outbox_table = Table(
    "outbox",
    infra_metadata,
    Column("id", String(36), primary_key=True),  # the CloudEvent id (UUIDv7)
    Column("type", String(128), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("body", Text, nullable=False),  # the whole CloudEvent, JSON (structured mode)
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)
Index(
    "ix_outbox_pending",
    outbox_table.c.created_at,
    postgresql_where=outbox_table.c.sent_at.is_(None),
    sqlite_where=outbox_table.c.sent_at.is_(None),
)

inbox_table = Table(
    "inbox",
    infra_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", UTCDateTime, nullable=False),
)

dead_letter_table = Table(
    "dead_letter",
    infra_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("type", String(128), nullable=False),
    Column("body", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

idempotency_table = Table(
    "idempotency_key",
    infra_metadata,
    Column("client_id", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=True),
    Column("response", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)


# --- engine and sessions --------------------------------------------------------------------


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_setup(engine: AsyncEngine, *, immediate: bool = True) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control from the driver so that we can say BEGIN IMMEDIATE
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False, immediate: bool = True) -> AsyncEngine:
    """The engine for ``url``; on SQLite ``immediate=False`` gives one whose transactions begin deferred
    (for reading: a deferred transaction takes no lock until it writes)."""
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 15})
        _sqlite_setup(engine, immediate=immediate)
        return engine
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_recycle=1800
    )


class Database:
    """The engine and session factory of one process."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        # sessions for requests that only read: on SQLite a second engine whose transactions begin
        # deferred; on PostgreSQL (MVCC, row locks only when asked) the same sessions as writers
        self._read_engine = create_engine(url, immediate=False) if is_sqlite(url) else None
        self.readers = (
            async_sessionmaker(self._read_engine, expire_on_commit=False, autoflush=False)
            if self._read_engine is not None
            else self.sessions
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._read_engine is not None:
            await self._read_engine.dispose()

    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session
