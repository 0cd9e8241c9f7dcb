"""`make migrate` names each process's database the way the processes do, on either backend.

An operator who set ``SUNLIGHT_DATABASE_URL=postgresql+asyncpg://… SUNLIGHT_BUS=nats make run`` used to get
the SQLite files migrated and every service dying with "NotMigrated: run make migrate". Now one variable
with ``{service}`` names every database, ``make migrate`` creates missing PostgreSQL databases and brings
each to head, and ``BACKEND=postgres`` is the documented shorthand for the local server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from pathlib import Path

from sunlight.migrations import current_revision, head_revision
from sunlight.testing.backends import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "gateway": ROOT / "gateway" / "migrations",
    **{s: ROOT / "services" / s / "migrations" for s in ("funds", "tenders", "approvals", "complaints", "integrity")},
}


async def _drop(names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _make(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


async def test_make_migrate_brings_every_process_database_to_head(backend_name: str, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SUNLIGHT_") and k.endswith("DATABASE_URL"))}
    prefix = f"sl_make_{uuid.uuid4().hex[:8]}"
    if backend_name == "postgres":
        host = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
        env["SUNLIGHT_DATABASE_URL"] = f"postgresql+asyncpg://{host}/{prefix}_{{service}}"
        args = ["make", "-s", "migrate", "BACKEND=postgres"]
    else:
        env["SUNLIGHT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/{{service}}.db"
        args = ["make", "-s", "migrate"]
    try:
        done = await asyncio.to_thread(_make, args, env)
        assert done.returncode == 0, done.stderr
        for name, location in PACKAGES.items():
            url = env["SUNLIGHT_DATABASE_URL"].replace("{service}", name)
            assert await current_revision(url, name) == head_revision(location), name
            assert f"{name}: at head" in done.stdout
            if backend_name == "postgres":
                assert f"{name}: created" in done.stdout  # the databases did not exist before
        again = await asyncio.to_thread(_make, args, env)
        assert again.returncode == 0 and "created" not in again.stdout  # idempotent
    finally:
        if backend_name == "postgres":
            await _drop([f"{prefix}_{name}" for name in PACKAGES])


def test_backend_must_be_one_of_the_two():
    done = subprocess.run(["make", "-s", "-n", "run", "BACKEND=mysql"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "BACKEND is sqlite (the default) or postgres" in done.stderr
