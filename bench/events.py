"""Event latency: a rule broken by a write → the warning in the integrity register.

Real processes (gateway, funds, integrity); N overspend attempts on N different nodes, one
every 20 ms; latency = integrity's ``registered_at`` − the refusal's time in funds (both
stamped on this machine's clock). Run on the embedded log (SQLite) and on NATS JetStream
(PostgreSQL).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable

import httpx
from common import Stack, append_report
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

N = 100


def pg_databases(names: tuple[str, ...]) -> dict[str, str]:
    import asyncpg

    token = uuid.uuid4().hex[:8]

    async def create() -> dict[str, str]:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        urls = {}
        try:
            for name in names:
                db = f"sunlight_bench_{name}_{token}"
                await conn.execute(f'CREATE DATABASE "{db}"')
                urls[name] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
        finally:
            await conn.close()
        return urls

    return asyncio.run(create())


def drop_pg(urls: dict[str, str]) -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            for url in urls.values():
                await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def scenario(stack: Stack) -> list[float]:
    token = stack.token("funds:read funds:write")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=30) as client:
        programme = client.post(
            "/v1/funds/programmes",
            json={
                "code": f"BENCH-{uuid.uuid4().hex[:6]}",
                "name": "bench",
                "category": "bench",
                "fiscal_year": 2026,
                "budget_fen": 1_000_000,
                "region_code": "130300",
            },
        ).json()["id"]
        root = client.post(
            f"/v1/funds/programmes/{programme}/nodes",
            json={"tier": "finance_bureau", "name": "root", "region_code": "130300"},
        ).json()["id"]
        pairs = []
        for i in range(N):
            county = client.post(
                f"/v1/funds/programmes/{programme}/nodes",
                json={"parent_id": root, "tier": "county", "name": f"county {i}", "region_code": "130302"},
            ).json()["id"]
            town = client.post(
                f"/v1/funds/programmes/{programme}/nodes",
                json={"parent_id": county, "tier": "township", "name": f"town {i}", "region_code": "130302"},
            ).json()["id"]
            pairs.append((county, town))
        for county, town in pairs:
            refused = client.post(
                "/v1/funds/movements",
                json={"from_node_id": county, "to_node_id": town, "amount_fen": 1, "occurred_on": "2026-03-01"},
            )
            assert refused.status_code == 409, refused.text
            time.sleep(0.02)

    return register_latencies_ms(stack, "FUNDS-OVERSPEND", N)


def _seconds(value: object) -> float:
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def register_latencies_ms(stack: Stack, rule: str, n: int) -> list[float]:
    """Wait (up to 60 s) for ``n`` warnings of ``rule`` in the integrity register; each one's latency in ms,
    sorted: from ``first_seen_at`` (the source's finding) to ``registered_at`` (the register's commit)."""

    async def latencies() -> list[float]:
        engine = create_async_engine(stack.db_urls["integrity"])
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                async with engine.connect() as conn:
                    query = text("SELECT first_seen_at, registered_at FROM warning WHERE rule_id = :rule")
                    rows = (await conn.execute(query, {"rule": rule})).all()
                if len(rows) >= n:
                    return sorted(_seconds(r[1]) - _seconds(r[0]) for r in rows)
                await asyncio.sleep(0.2)
            raise SystemExit(f"only {len(rows)} of {n} warnings arrived")
        finally:
            await engine.dispose()

    return [x * 1000 for x in asyncio.run(latencies())]


def on_both_buses(source: str, scenario: Callable[[Stack], list[float]]) -> dict[str, list[float]]:
    """``scenario`` on ``source`` + integrity behind a gateway: SQLite with the embedded log, then PostgreSQL with
    NATS JetStream (a fresh stream and databases, dropped afterwards)."""
    results = {}
    with Stack((source, "integrity")) as stack:
        results["embedded log + SQLite"] = scenario(stack)
    urls = pg_databases((source, "integrity", "gateway"))
    stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    try:
        bus = {"SUNLIGHT_BUS": "nats", "SUNLIGHT_NATS_STREAM": stream, "SUNLIGHT_NATS_SUBJECT_PREFIX": stream.lower()}
        with Stack((source, "integrity"), bus_env=bus, db_urls=urls) as stack:
            results["NATS JetStream + PostgreSQL"] = scenario(stack)
    finally:
        drop_pg(urls)
    return results


def report_latencies(title: str, intro: str, results: dict[str, list[float]], write: bool) -> None:
    """Print the latency table under ``intro``; with ``write``, append it to docs/benchmarks.md as ``title``."""
    lines = [intro, "", "| bus | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
    for name, values in results.items():
        lines.append(
            f"| {name} | {pct(values, 50):.1f} | {pct(values, 90):.1f} | {pct(values, 99):.1f} | {max(values):.1f} |"
        )
    print("\n".join(lines))
    if write:
        append_report(title, lines)


def run(write: bool = True) -> dict[str, list[float]]:
    results = on_both_buses("funds", scenario)
    report_latencies(
        "Event latency: write → warning in the register",
        f"{N} overspend attempts on {N} nodes through the gateway, one every 20 ms; latency from the refusal "
        "in funds to the warning's row in the integrity register (outbox → relay → bus → consumer → commit).",
        results,
        write,
    )
    return results


if __name__ == "__main__":
    run(write="--no-write" not in sys.argv)
