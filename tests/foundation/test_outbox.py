"""At-least-once: an event written while the bus is down is delivered once it is back."""

import asyncio
import time
from pathlib import Path

from sqlalchemy import select
from sunlight.db import Database, outbox_table
from sunlight.testing import Backend, EventCapture, ServiceHarness, TestKeys
from sunlight.testing.processes import NatsServer

from .conftest import funds_app, funds_settings, programme_with_child


async def _pending(url: str) -> list:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return (
                await session.execute(
                    select(outbox_table.c.type, outbox_table.c.attempts).where(outbox_table.c.sent_at.is_(None))
                )
            ).all()
    finally:
        await db.dispose()


async def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_an_event_written_while_the_bus_is_down_is_delivered_when_it_returns(
    backend: Backend, harness: ServiceHarness, keys: TestKeys, tmp_path: Path
):
    nats = None
    if backend.bus == "nats":
        nats = NatsServer()
        nats.start()
        bus = {**backend.bus_settings(), "nats_url": nats.url}
    else:
        blocked = tmp_path / "log-volume"
        blocked.write_text("not a directory: the log's volume is missing")
        bus = {**backend.bus_settings(), "bus_path": blocked / "bus.sqlite3"}
    try:
        settings = await funds_settings(harness, **bus)
        async with harness.client(funds_app(settings)) as client:
            headers, root, child = await programme_with_child(client, keys)
            if nats is not None:
                nats.stop()
            refused = await client.post(
                "/v1/funds/movements",
                headers=headers,
                json={"from_node_id": root, "to_node_id": child, "amount_fen": 9_999_999, "occurred_on": "2026-03-01"},
            )
            assert refused.status_code == 409, "the write does not depend on the bus"

            async def failed_attempt():
                rows = await _pending(settings.effective_database_url())
                tried = any(r.attempts > 0 for r in rows)  # the relay tried (in order) and failed
                return tried and any(r.type == "warnings.raised.v1" for r in rows)

            await _wait(failed_attempt, 15, "the relay to try and fail")
            not_ready = await client.get("/readyz")
            assert not_ready.status_code == 503 and not_ready.json()["checks"]["bus"] != "ok"

            if nats is not None:
                nats.start()  # same port, same storage
            else:
                blocked.unlink()
                blocked.mkdir()
            async with EventCapture.on(bus, ["warnings.raised.v1"]) as capture:
                event = await capture.wait_for(
                    "warnings.raised.v1", lambda e: e.data.rule_id == "FUNDS-OVERSPEND", timeout=30
                )
            assert event.data.evidence["requested_fen"] == 9_999_999
            assert await _pending(settings.effective_database_url()) == []
            assert (await client.get("/readyz")).status_code == 200
    finally:
        if nats is not None:
            nats.cleanup()
