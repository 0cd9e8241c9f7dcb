"""Bulk-import throughput of the funds service: records per second through POST /v1/funds/movements/batch.

    .venv/bin/python bench/funds_bulk.py                       # both backends, 4 batches of 5,000 payments
    .venv/bin/python bench/funds_bulk.py --backends sqlite --batches 2 --size 2000
    .venv/bin/python bench/funds_bulk.py --payee org --batches 1   # every payment to one organisation
    .venv/bin/python bench/funds_bulk.py --profile var/funds_bulk.prof --backends postgres --batches 1

Each backend gets a fresh migrated database (SQLite file + embedded log, or PostgreSQL + NATS
JetStream, as in the tests) and the funds app in-process behind httpx's ASGI transport, with
its relay and consumers running. A programme tree is built, then every batch is a JSON array
of ``expend`` records (1,000 distinct person payees, so payees are created, hashed and
encrypted and every payment rule screens every record) plus, first, the allocation and
disbursement that fund them. ``--payee org`` pays one organisation instead (issue 9: the same
rules re-fire on every payment of one subject). The time is the wall time of the batch requests
only (and the CPU time of this process meanwhile: the app, its relay and consumers, not the
database server; steadier than wall time on a shared machine); each batch is one all-or-nothing
transaction with its outbox rows. Each line also says how
many ``warnings.raised.v1`` events the batch put on the outbox. ``--profile FILE`` writes a
cProfile of the batch requests (wall clock). Not a test: run by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sqlalchemy import func, select
from sunlight.db import outbox_table
from sunlight.testing.backends import Backend, Templates
from sunlight.testing.tokens import TestKeys

PAYEES = 1_000


def resident_id(serial: int) -> str:
    body = f"110105198001{serial // 1000 % 28 + 1:02d}{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


async def drain(app: object) -> float:
    """Seconds until the relay has published every outbox row (so batches are timed one at a time)."""
    started = time.perf_counter()
    db = app.state.db  # type: ignore[attr-defined]
    while True:
        async with db.sessions() as session:
            pending = (
                await session.execute(
                    select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
                )
            ).scalar_one()
        if not pending:
            return time.perf_counter() - started
        await asyncio.sleep(0.05)


async def warning_events(app: object) -> int:
    db = app.state.db  # type: ignore[attr-defined]
    async with db.sessions() as session:
        query = select(func.count()).select_from(outbox_table).where(outbox_table.c.type == "warnings.raised.v1")
        return int((await session.execute(query)).scalar_one())


def payee_of(mode: str, i: int) -> dict[str, object]:
    if mode == "org":
        return {"kind": "organisation", "name": "秦皇岛市农机服务有限公司", "uscc": "91110000600037341L"}
    return {
        "kind": "person",
        "name": "张三",
        "resident_id": resident_id(i % PAYEES),
        "bank_account": f"62220202{i % PAYEES:08d}",
    }


async def run(
    backend_name: str,
    batches: int,
    size: int,
    templates: Templates,
    payee: str = "people",
    profile: cProfile.Profile | None = None,
) -> dict[str, float]:
    keys = TestKeys()
    tmp = Path(tempfile.mkdtemp(prefix="funds-bulk-"))
    backend = Backend(name=backend_name, tmp=tmp, templates=templates)
    try:
        settings = FundsSettings(
            environment="test",
            log_level="WARNING",
            database_url=await backend.database("funds", MIGRATIONS),
            jwks_json=keys.jwks_json,
            jwt_issuer=keys.issuer,
            jwt_audience=keys.audience,
            batch_max_records=max(size + 2, 5000),
            **backend.bus_settings(),
        )
        headers = keys.auth(scopes="funds:read funds:write", regions=["130000"], lifetime=3600)
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
                total = batches * size * 1_000

                async def post(path: str, body: dict[str, object]) -> dict[str, str]:
                    r = await client.post(path, headers=headers, json=body)
                    assert r.status_code == 201, r.text
                    return dict(r.json())

                p = await post(
                    "/v1/funds/programmes",
                    {
                        "code": "BENCH",
                        "name": "bench",
                        "category": "bench",
                        "fiscal_year": 2025,
                        "budget_fen": total,
                        "region_code": "130300",
                    },
                )
                nodes = f"/v1/funds/programmes/{p['id']}/nodes"
                root = await post(nodes, {"tier": "finance_bureau", "name": "财政局", "region_code": "130300"})
                town = await post(
                    nodes, {"parent_id": root["id"], "tier": "township", "name": "镇", "region_code": "130302001"}
                )
                timings = []
                for b in range(batches):
                    funding = {"from_node_id": root["id"], "to_node_id": town["id"], "amount_fen": size * 1_000}
                    records: list[dict[str, object]] = [
                        {"kind": kind, "occurred_on": "2025-03-01", **funding} for kind in ("allocate", "disburse")
                    ]
                    records += [
                        {
                            "kind": "expend",
                            "from_node_id": town["id"],
                            "amount_fen": 100 + (i * 7919) % 900,
                            "occurred_on": "2025-03-02",
                            "reference": f"B{b}-{i}",
                            "category": "subsidy",
                            "payee": payee_of(payee, i),
                        }
                        for i in range(size - 2)
                    ]
                    body = json.dumps(records).encode()
                    before = await warning_events(app)
                    if profile is not None:
                        profile.enable()
                    started, cpu = time.perf_counter(), time.process_time()
                    r = await client.post(
                        "/v1/funds/movements/batch",
                        params={"batch_key": f"bench-{b}"},
                        content=body,
                        headers={**headers, "content-type": "application/json"},
                    )
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                    if profile is not None:
                        profile.disable()
                    assert r.status_code == 201, r.text[:500]
                    timings.append(len(records) / elapsed)
                    drained = await drain(app)
                    warned = await warning_events(app) - before
                    print(
                        f"  {backend_name}: batch {b + 1}/{batches}: {len(records)} records in {elapsed:.2f} s "
                        f"({len(records) / elapsed:.0f}/s, {cpu:.2f} s CPU here), {warned} warnings.raised.v1 "
                        f"events; its events "
                        f"reached the bus {drained:.2f} s later"
                    )
        return {"median": statistics.median(timings), "min": min(timings), "max": max(timings)}
    finally:
        await backend.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--size", type=int, default=5_000, help="records per batch (the default cap is 5,000)")
    parser.add_argument("--payee", choices=["people", "org"], default="people", help="1,000 people or one organisation")
    parser.add_argument("--profile", help="write a cProfile of the batch requests to this file")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    templates = Templates(Path(tempfile.mkdtemp(prefix="funds-bulk-templates-")))
    for name in args.backends.split(","):
        try:
            result = asyncio.run(run(name.strip(), args.batches, args.size, templates, args.payee, profile))
        finally:
            templates.drop_all()
        print(
            f"{name}: {result['median']:.0f} records/s median over {args.batches} batches of {args.size} "
            f"(min {result['min']:.0f}, max {result['max']:.0f}), payees: {args.payee}"
        )
    if profile is not None:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
