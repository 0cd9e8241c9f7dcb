"""Alembic helpers shared by every service: the env.py body, the infra tables, and a Python API.

Each service keeps its own ``migrations/`` folder (script location) and ``env.py`` that
calls :func:`run_env`. Migrations are plain static files; the first one of every service
calls :func:`create_infra_tables` / :func:`drop_infra_tables`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from sunlight.db import UTCDateTime, infra_metadata


class NotMigrated(RuntimeError):
    """The database is not at the migration head the code expects."""


class ForeignDatabase(NotMigrated):
    """The database belongs to another service (its own version table is there): never migrate or serve it."""


LEGACY_VERSION_TABLE = "alembic_version"
VERSION_TABLE_PREFIX = "alembic_version_"


def service_of(script_location: str | Path) -> str:
    """The package a migrations folder belongs to: ``services/funds/migrations`` → ``funds``."""
    return Path(script_location).resolve().parent.name


def version_table(service: str) -> str:
    """Each service records its revision in a table of its own, so two services' revision ids (both have
    0001, 0002, …) can never be mistaken for each other's."""
    return f"{VERSION_TABLE_PREFIX}{service}"


def other_services(tables: set[str], service: str) -> list[str]:
    """The services other than ``service`` whose version tables are among ``tables``."""
    mine = version_table(service)
    return sorted(t.removeprefix(VERSION_TABLE_PREFIX) for t in tables - {mine} if t.startswith(VERSION_TABLE_PREFIX))


def claim_database(connection: sa.Connection, service: str, own_tables: set[str]) -> None:
    """Make sure this database is ``service``'s before anything is written to it.

    Refuses (:class:`ForeignDatabase`) a database where another service keeps its version table, or an
    older shared ``alembic_version`` next to tables none of which are this service's. A database from
    before per-service version tables (``alembic_version`` and this service's tables) is adopted: the
    table is renamed, the revision kept.
    """
    tables = set(sa.inspect(connection).get_table_names())
    others = other_services(tables, service)
    if others:
        raise ForeignDatabase(
            f"this database belongs to the {', '.join(others)} service, not to {service}: give {service} a database "
            f"of its own (SUNLIGHT_{service.upper()}_DATABASE_URL); every service keeps its own tables and revisions"
        )
    if LEGACY_VERSION_TABLE in tables and version_table(service) not in tables:
        mine = own_tables & tables
        theirs = tables - own_tables - INFRA_TABLES - {LEGACY_VERSION_TABLE}
        if theirs and not mine:
            raise ForeignDatabase(
                f"this database holds another service's tables ({', '.join(sorted(theirs)[:5])}), not {service}'s: "
                f"give {service} a database of its own (SUNLIGHT_{service.upper()}_DATABASE_URL)"
            )
        connection.execute(sa.text(f"ALTER TABLE {LEGACY_VERSION_TABLE} RENAME TO {version_table(service)}"))


def alembic_config(script_location: str | Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["sunlight_url"] = url
    return cfg


def upgrade(script_location: str | Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(script_location, url), revision)


def downgrade(script_location: str | Path, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(script_location, url), revision)


def head_revision(script_location: str | Path) -> str | None:
    return ScriptDirectory(str(script_location)).get_current_head()


async def current_revision(url: str, service: str) -> str | None:
    """The revision ``service``'s database is at (None when it was never migrated)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(
                    sync, opts={"version_table": version_table(service)}
                ).get_current_revision()
            )
    finally:
        await engine.dispose()


async def _check_owner(url: str, service: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    others = other_services(tables, service)
    if others:
        raise ForeignDatabase(
            f"the {service} database URL points at the {', '.join(others)} service's database: give {service} a "
            f"database of its own (SUNLIGHT_{service.upper()}_DATABASE_URL), then run `make migrate`"
        )


async def ensure_migrated(script_location: str | Path, url: str, service: str) -> None:
    """Refuse to start on a database that is not at head, with the command that fixes it."""
    await _check_owner(url, service)
    head = head_revision(script_location)
    current = await current_revision(url, service)
    if current != head:
        raise NotMigrated(
            f"the {service} database is at revision {current or 'none'}, the code needs {head}: "
            f"run `make migrate` (or `uv run sunlight-{service} migrate`)"
        )


def run_env(target_metadata: MetaData, context: Any) -> None:
    """The body of every service's ``migrations/env.py`` (online, async, batch mode for SQLite)."""
    url = context.config.attributes.get("sunlight_url") or context.config.get_main_option("sqlalchemy.url")
    targets = target_metadata
    service = service_of(context.config.get_main_option("script_location"))

    def do_run(connection: sa.Connection) -> None:
        claim_database(connection, service, set(targets.tables))
        context.configure(
            connection=connection,
            version_table=version_table(service),
            target_metadata=targets,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=targets,
            literal_binds=True,
            include_object=include_object,
            version_table=version_table(service),
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.run_sync(do_run)
                await conn.commit()
        finally:
            await engine.dispose()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(run_async())
    else:  # called from inside a running loop (tests): run in a fresh thread's loop
        import threading

        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(run_async())
            except BaseException as exc:  # re-raised below in the caller's thread
                errors.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]


INFRA_TABLES = frozenset(infra_metadata.tables)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate and drift checks look at the service's tables; the infra tables have their helpers."""
    if type_ == "table":
        return name not in INFRA_TABLES and not (name or "").startswith(LEGACY_VERSION_TABLE)
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) not in INFRA_TABLES


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render SQLModel's AutoString as ``sa.String`` and our UTC timestamps by name."""
    from sqlmodel.sql.sqltypes import AutoString

    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from sunlight.db import UTCDateTime")
        return "UTCDateTime()"
    return False


def schema_drift(url: str, target_metadata: MetaData) -> list[Any]:
    """Differences between a migrated database and the models (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    async def run() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": True, "include_object": include_object}),
                        target_metadata,
                    )
                )
        finally:
            await engine.dispose()

    return asyncio.run(run())


# --- infra tables, version 1 (referenced by every service's first migration) -----------------


def create_infra_tables(op: Any) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["created_at"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letter"),
    )
    op.create_table(
        "idempotency_key",
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "key", name="pk_idempotency_key"),
    )
    op.create_index("ix_idempotency_key_expires_at", "idempotency_key", ["expires_at"])


def drop_infra_tables(op: Any) -> None:
    op.drop_index("ix_idempotency_key_expires_at", table_name="idempotency_key")
    op.drop_table("idempotency_key")
    op.drop_table("dead_letter")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
