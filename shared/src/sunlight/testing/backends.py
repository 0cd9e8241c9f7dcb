"""The two backends every database/bus test runs on, and their per-test resources."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sunlight.migrations import upgrade

PG_ADMIN_URL = os.environ.get("SUNLIGHT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NATS_URL = os.environ.get("SUNLIGHT_TEST_NATS_URL", "nats://127.0.0.1:4222")
START_PG = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_NATS = (
    "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- "
    "-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log"
)


def reachable(url: str) -> str | None:
    """None when a TCP connection to the URL's host:port opens, else the reason."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port
    try:
        with socket.create_connection((host, port or 0), timeout=2):
            return None
    except OSError as exc:
        return f"{host}:{port}: {exc.strerror or exc}"


def missing_backends(names: list[str]) -> list[str]:
    problems = []
    if "postgres" in names:
        why = reachable(PG_ADMIN_URL)
        if why:
            problems.append(f"PostgreSQL is not reachable ({why}). Start it with: {START_PG}")
        why = reachable(NATS_URL)
        if why:
            problems.append(f"NATS JetStream is not reachable ({why}). Start it with: {START_NATS}")
    return problems


class Templates:
    """Migrated template databases, built once per test session and service, cloned per test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.session = uuid.uuid4().hex[:8]
        self._sqlite: dict[str, Path] = {}
        self._pg: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def sqlite(self, service: str, migrations: Path) -> Path:
        if service not in self._sqlite:
            path = self.root / f"template-{service}.db"
            await asyncio.to_thread(upgrade, migrations, f"sqlite+aiosqlite:///{path}")
            self._sqlite[service] = path
        return self._sqlite[service]

    async def postgres(self, service: str, migrations: Path) -> str:
        if service not in self._pg:
            import asyncpg

            name = f"sunlight_tpl_{service}_{self.session}"
            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()
            await asyncio.to_thread(upgrade, migrations, pg_url(name))
            self._pg[service] = name
        return self._pg[service]

    def drop_all(self) -> None:
        if not self._pg:
            return
        import asyncpg

        async def drop() -> None:
            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                for name in self._pg.values():
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(drop())


def pg_url(database: str, *, driver: str = "postgresql+asyncpg") -> str:
    parsed = urlparse(PG_ADMIN_URL)
    return parsed._replace(scheme=driver, path=f"/{database}").geturl()


@dataclass
class Backend:
    """One backend pair: ``sqlite`` (SQLite + embedded log) or ``postgres`` (PostgreSQL + NATS)."""

    name: str
    tmp: Path
    templates: Templates
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    _databases: list[str] = field(default_factory=list)
    _streams: list[str] = field(default_factory=list)

    @property
    def bus(self) -> str:
        return "nats" if self.name == "postgres" else "sqlite"

    def bus_settings(self) -> dict[str, Any]:
        """Settings for a fresh bus namespace (its own stream, or its own log file)."""
        if self.bus == "nats":
            stream = f"T{self.token.upper()}"
            if stream not in self._streams:
                self._streams.append(stream)
            return {
                "bus": "nats",
                "nats_url": NATS_URL,
                "nats_stream": stream,
                "nats_subject_prefix": f"t{self.token}",
                "relay_poll_seconds": 0.5,
            }
        return {"bus": "sqlite", "bus_path": self.tmp / "bus.sqlite3", "relay_poll_seconds": 0.5}

    async def database(self, service: str, migrations: Path) -> str:
        """A fresh, migrated database for ``service``; dropped at the end of the test."""
        if self.name == "sqlite":
            template_file = await self.templates.sqlite(service, migrations)
            path = self.tmp / f"{service}-{uuid.uuid4().hex[:6]}.db"
            shutil.copyfile(template_file, path)
            return f"sqlite+aiosqlite:///{path}"
        import asyncpg

        template = await self.templates.postgres(service, migrations)
        name = f"sunlight_t_{service}_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        self._databases.append(name)
        return pg_url(name)

    async def empty_database(self, service: str) -> str:
        """An empty (unmigrated) database, for migration tests."""
        if self.name == "sqlite":
            return f"sqlite+aiosqlite:///{self.tmp / f'{service}-empty-{uuid.uuid4().hex[:6]}.db'}"
        import asyncpg

        name = f"sunlight_t_{service}_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self._databases.append(name)
        return pg_url(name)

    async def cleanup(self) -> None:
        if self._databases:
            import asyncpg

            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                for name in self._databases:
                    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
        if self._streams:
            import nats

            nc = await nats.connect(NATS_URL, connect_timeout=2)
            try:
                js = nc.jetstream()
                for stream in self._streams:
                    with contextlib.suppress(Exception):  # never created, or already gone
                        await js.delete_stream(stream)
            finally:
                await nc.close()
