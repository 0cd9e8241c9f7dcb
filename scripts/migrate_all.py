"""Upgrade every database of this machine in one process (``make migrate``).

Each package keeps its own migrations and database, named as the processes name it
(``CommonSettings.database_url_for``): ``SUNLIGHT_<NAME>_DATABASE_URL``, else ``SUNLIGHT_DATABASE_URL``
with ``{service}`` replaced by the name, else ``var/<name>.db``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sunlight.cli import redact
from sunlight.migrations import NotMigrated, upgrade
from sunlight.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "funds", "tenders", "approvals", "complaints", "integrity")


async def create_database(url: str) -> bool:
    """Create a PostgreSQL database named by ``url`` when it does not exist yet (True when created)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    conn = await asyncpg.connect(server)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", target.database):
            return False
        await conn.execute(f'CREATE DATABASE "{target.database}"')
        return True
    finally:
        await conn.close()


def main() -> None:
    Path("var").mkdir(exist_ok=True)
    settings = CommonSettings()
    for name in PACKAGES:
        location = ROOT / ("gateway" if name == "gateway" else f"services/{name}") / "migrations"
        url = settings.database_url_for(name)
        if url.startswith("postgresql") and asyncio.run(create_database(url)):
            print(f"{name}: created {redact(url)}")
        try:
            upgrade(location, url)
        except NotMigrated as exc:
            sys.exit(f"{name}: {exc}")
        print(f"{name}: at head ({redact(url)})")


if __name__ == "__main__":
    main()
