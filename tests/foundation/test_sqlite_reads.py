"""On SQLite, requests that only read never wait for the write lock (DESIGN §7)."""

import sqlite3
from pathlib import Path

from sunlight.testing import Backend, ServiceHarness, TestKeys
from sunlight.testing.backends import Templates

from .conftest import funds_app, funds_settings, programme_with_child


async def test_a_list_answers_while_another_process_holds_the_write_lock(
    tmp_path: Path, sunlight_templates: Templates, keys: TestKeys
):
    """SQLite only: PostgreSQL readers never wait for writers (MVCC), so there is nothing to show there."""
    harness = ServiceHarness(Backend(name="sqlite", tmp=tmp_path, templates=sunlight_templates), keys)
    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        headers, _root, _child = await programme_with_child(client, keys)
        path = settings.database_url.split("///", 1)[1]
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write (the relay, an import)
            listed = await client.get("/v1/funds/programmes", headers=headers)
            assert listed.status_code == 200, listed.text
            assert [p["code"] for p in listed.json()["items"]] == ["P-1"]
        finally:
            writer.execute("ROLLBACK")
            writer.close()
