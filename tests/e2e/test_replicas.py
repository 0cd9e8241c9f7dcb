"""Two replicas of a service, as real processes on one database and one bus (what a Deployment with two pods
is): every event is published once and applied once, and a replica stopped with SIGTERM under load loses
no request it accepted and no event."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from funds.rules import OVERSPEND
from sunlight.db import Database
from sunlight.events.bus import bus_from_settings
from sunlight.settings import CommonSettings
from sunlight.testing.backends import Backend, Templates
from sunlight.testing.harness import TEST_CALENDAR
from sunlight.testing.processes import Process, free_port
from sunlight.testing.tokens import TestKeys
from sunlight.warnings import SubjectRef, warning_event

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Replicas:
    funds: tuple[Process, Process]
    integrity: tuple[Process, Process]
    urls: dict[str, str]
    bus: dict[str, object]
    keys: TestKeys
    backend: Backend


@pytest.fixture(scope="module")
def replicas(
    backend_name: str, tmp_path_factory: pytest.TempPathFactory, sunlight_templates: Templates
) -> Iterator[Replicas]:
    tmp = tmp_path_factory.mktemp(f"replicas-{backend_name}")
    backend = Backend(name=backend_name, tmp=tmp, templates=sunlight_templates)
    keys = TestKeys()

    async def databases() -> dict[str, str]:
        return {n: await backend.database(n, ROOT / "services" / n / "migrations") for n in ("funds", "integrity")}

    urls = asyncio.run(databases())
    bus = backend.bus_settings()
    common = {
        "SUNLIGHT_ENVIRONMENT": "test",
        "SUNLIGHT_LOG_LEVEL": "WARNING",
        "SUNLIGHT_CALENDAR_FILE": str(TEST_CALENDAR),
        "SUNLIGHT_JWKS_JSON": keys.jwks_json,
        "SUNLIGHT_JWT_ISSUER": keys.issuer,
        "SUNLIGHT_JWT_AUDIENCE": keys.audience,
        **{f"SUNLIGHT_{k.upper()}": str(v) for k, v in bus.items()},
    }

    def pair(name: str) -> tuple[Process, Process]:
        env = {**common, "SUNLIGHT_DATABASE_URL": urls[name]}
        return (
            Process(f"{name}-a", f"{name}.app:create_app", free_port(), env, tmp / f"{name}-a.log"),
            Process(f"{name}-b", f"{name}.app:create_app", free_port(), env, tmp / f"{name}-b.log"),
        )

    funds, integrity = pair("funds"), pair("integrity")
    everything = [*funds, *integrity]
    try:
        for process in everything:
            process.start()
        for process in everything:
            process.wait_ready(timeout=240)  # four processes booting at once on a busy CI machine
        yield Replicas(funds, integrity, urls, bus, keys, backend)
    finally:
        for process in everything:
            process.stop()
        asyncio.run(backend.cleanup())


async def rows(url: str, query: str, **params: object) -> list[tuple[object, ...]]:
    db = Database(url)
    try:
        async with db.sessions() as session:
            return [tuple(r) for r in await session.execute(sa.text(query), params)]
    finally:
        await db.dispose()


async def scalar(url: str, query: str, **params: object) -> int:
    return int((await rows(url, query, **params))[0][0] or 0)


async def eventually(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


def on_bus(replicas: Replicas, event_type: str) -> int:
    """How many messages of ``event_type`` the bus holds (the stream, or the embedded log)."""
    if replicas.bus["bus"] == "sqlite":
        with sqlite3.connect(str(replicas.bus["bus_path"])) as conn:
            return int(conn.execute("SELECT count(*) FROM events WHERE type = ?", (event_type,)).fetchone()[0])

    async def count() -> int:
        import nats

        nc = await nats.connect(str(replicas.bus["nats_url"]))
        try:
            info = await nc.jetstream().stream_info(str(replicas.bus["nats_stream"]), subjects_filter=">")
            subject = f"{replicas.bus['nats_subject_prefix']}.{event_type}"
            return int((info.state.subjects or {}).get(subject, 0))
        finally:
            await nc.close()

    return asyncio.run(count())


async def test_each_event_is_applied_once_by_two_consuming_replicas(replicas: Replicas):
    """200 findings about 20 subjects, consumed by two integrity replicas at once: 20 warnings, 200 occurrences."""
    settings = CommonSettings(environment="test", **replicas.bus)  # type: ignore[arg-type]
    bus = bus_from_settings(settings, client_name="replicas-test")
    await bus.connect()
    run = uuid.uuid4().hex[:8]
    try:
        events = [
            warning_event(
                OVERSPEND,
                service="funds",
                subject=SubjectRef(service="funds", kind="node", id=f"{run}-{i % 20}"),
                region_code="130302",
                evidence={"attempt": i},
                dedupe_key=f"{OVERSPEND.id}:node:{run}-{i % 20}",
                occurred_at=datetime.now(UTC),
            )
            for i in range(200)
        ]
        for start in range(0, 200, 50):
            batch = events[start : start + 50]
            assert await bus.publish_many([(e.type, e.to_json().encode(), e.id) for e in batch]) == len(batch)
    finally:
        await bus.close()
    url = replicas.urls["integrity"]
    count = "SELECT count(*) FROM warning WHERE subject_id LIKE :mine"
    total = "SELECT sum(occurrences) FROM warning WHERE subject_id LIKE :mine"

    async def all_applied() -> bool:
        return await scalar(url, total, mine=f"{run}-%") >= 200

    await eventually(all_applied)
    await asyncio.sleep(2)  # a second application would land now
    assert await scalar(url, count, mine=f"{run}-%") == 20
    assert await scalar(url, total, mine=f"{run}-%") == 200


async def test_sigterm_under_load_loses_no_accepted_request_and_no_event(replicas: Replicas):
    """Writes go to both funds replicas; one is stopped with SIGTERM in the middle. Every programme it
    answered 201 for is stored, and every stored programme's event is on the bus exactly once."""
    a, b = replicas.funds
    writer = replicas.keys.auth(scopes="funds:read funds:write", regions=["130000"])
    run = uuid.uuid4().hex[:6].upper()
    accepted: list[str] = []
    refused_or_lost = 0

    async def create(client: httpx.AsyncClient, url: str, i: int) -> None:
        nonlocal refused_or_lost
        body = {
            "code": f"R{run}{i:04d}",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 1_000,
            "region_code": "130300",
        }
        try:
            r = await client.post(
                f"{url}/v1/funds/programmes", json=body, headers={**writer, "Idempotency-Key": f"{run}-{i}"}
            )
        except httpx.HTTPError:
            refused_or_lost += 1  # never answered: the client retries with the same key
            return
        if r.status_code == 201:
            accepted.append(r.json()["id"])
        else:
            assert r.status_code == 503, r.text  # shutting down: refused, not half-done
            refused_or_lost += 1

    async with httpx.AsyncClient(timeout=30) as client:
        tasks = []
        for i in range(160):
            tasks.append(asyncio.create_task(create(client, a.url if i % 2 else b.url, i)))
            if i == 60:
                assert a.proc is not None
                a.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
    assert a.proc is not None
    # inside the grace period; after its graceful shutdown uvicorn re-raises the signal it caught
    assert await asyncio.to_thread(a.proc.wait, 30) in (0, -signal.SIGTERM)
    a.proc = None

    url = replicas.urls["funds"]
    assert len(accepted) >= 80  # the other replica served its half throughout
    stored = {
        uuid.UUID(str(r[0])) for r in await rows(url, "SELECT id FROM programme WHERE code LIKE :run", run=f"R{run}%")
    }
    assert {uuid.UUID(x) for x in accepted} <= stored

    # the stopped replica's unsent events go out through the other one (the relays share the outbox)
    async def outbox_empty() -> bool:
        return await scalar(url, "SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await eventually(outbox_empty)
    event_type = "funds.programme.created.v1"
    published = await scalar(url, "SELECT count(*) FROM outbox WHERE type = :t", t=event_type)
    assert published == len(stored)
    assert await asyncio.to_thread(on_bus, replicas, event_type) == published  # once each, none lost
