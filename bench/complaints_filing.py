"""Complaints: the filing rate through the gateway (argon2id on), and grouping with 10,000 stored reports.

    uv run python bench/complaints_filing.py [--reports 10000] [--filings 60]

A. Filings (`POST /v1/complaints/public/reports`, no token) through the gateway, gateway and complaints one
   uvicorn worker each on SQLite, 4 concurrent clients; each filing hashes its receipt with argon2id
   (argon2-cffi defaults: 64 MiB, t=3).
B. In-process on SQLite: 10,000 stored reports (synthetic Chinese texts over 40 subjects and 200 templates),
   then the grouping step of 50 more (LSH band lookup + MinHash comparison + the group count), timed alone.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from common import Stack, append_report
from complaints import grouping, intake
from complaints.app import MIGRATIONS
from complaints.models import Channel
from complaints.schemas.reports import SubjectIn
from complaints.settings import ComplaintsSettings
from sunlight.db import Database
from sunlight.migrations import upgrade

PLACES = ["海港镇", "北港镇", "石门寨镇", "驻操营镇", "杜庄镇", "城子峪村", "西港路街道", "白塔岭街道"]
WHAT = ["耕地地力保护补贴", "低保金", "危房改造补助", "农机购置补贴", "扶贫资金", "退耕还林补助", "养老补贴"]
HOW = ["虚报冒领", "优亲厚友", "截留挪用", "吃拿卡要", "拖欠不发", "重复领取", "收取好处费"]
WHO = ["村委会主任", "村支书", "会计", "镇干部", "站长", "网格员"]


def text(rng: random.Random) -> str:
    return (
        f"反映{rng.choice(PLACES)}{rng.choice(WHO)}在发放{rng.choice(WHAT)}时{rng.choice(HOW)}，"
        f"涉及{rng.randint(2, 40)}户，金额约{rng.randint(1, 90)}万元，请上级核查。"
    )


async def filings(count: int, concurrency: int = 4) -> float:
    env = {"SUNLIGHT_RATE_LIMIT_ANONYMOUS": "10000000/minute", "SUNLIGHT_RATE_LIMIT_PUBLIC_WRITE": "10000000/minute"}
    rng = random.Random(1)
    with Stack(("complaints",), extra_gateway_env=env) as stack:
        async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=60) as client:
            bodies = [
                {
                    "category": "misuse_of_funds",
                    "region_code": "130302",
                    "subject": {"kind": "none"},
                    "text": text(rng),
                    "anonymous": True,
                }
                for _ in range(count)
            ]
            queue = list(bodies)
            started = time.perf_counter()

            async def worker() -> None:
                while queue:
                    r = await client.post("/v1/complaints/public/reports", json=queue.pop())
                    assert r.status_code == 201, r.text

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return count / (time.perf_counter() - started)


async def grouping_at_scale(stored: int, probes: int = 50) -> tuple[float, float, float]:
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-complaints-"))
    url = f"sqlite+aiosqlite:///{tmp}/complaints.db"
    upgrade(MIGRATIONS, url)
    settings = ComplaintsSettings(environment="test", database_url=url)
    db = Database(url)
    rng = random.Random(2)
    subjects = [SubjectIn(kind="fund", ref_kind="movement", ref_id=f"m-{n}") for n in range(40)]
    base = datetime.now(UTC) - timedelta(days=60)
    started = time.perf_counter()
    async with db.sessions() as session:
        for n in range(stored):
            at = base + timedelta(minutes=n * 8)
            report, key, _ = intake.new_report(
                settings,
                category="misuse_of_funds",
                region_code="130302",
                subject=rng.choice(subjects),
                text=text(rng),
                channel=Channel.HOTLINE,
                anonymous=True,
                identity=None,
                received_at=at,
                now=at,
            )
            session.add(report)
            session.add(key)
            await grouping.add_bands(session, report)
            await session.flush()
            await grouping.place(session, settings, report, now=at)
            if n % 500 == 499:
                await session.commit()
        await session.commit()
    load = time.perf_counter() - started
    times = []
    async with db.sessions() as session:
        for _ in range(probes):
            now = datetime.now(UTC)
            report, key, _ = intake.new_report(
                settings,
                category="misuse_of_funds",
                region_code="130302",
                subject=rng.choice(subjects),
                text=text(rng),
                channel=Channel.HOTLINE,
                anonymous=True,
                identity=None,
                received_at=now,
                now=now,
            )
            session.add(report)
            session.add(key)
            await grouping.add_bands(session, report)
            await session.flush()
            t0 = time.perf_counter()
            await grouping.place(session, settings, report, now=now)
            times.append((time.perf_counter() - t0) * 1000)
        await session.rollback()
    await db.dispose()
    times.sort()
    return load, statistics.median(times), times[int(len(times) * 0.9)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--filings", type=int, default=60)
    args = parser.parse_args()
    rate = asyncio.run(filings(args.filings))
    load, p50, p90 = asyncio.run(grouping_at_scale(args.reports))
    lines = [
        f"`uv run python bench/complaints_filing.py --reports {args.reports} --filings {args.filings}`",
        "",
        "| figure | value |",
        "|---|---|",
        f"| filings through the gateway, argon2id on, 4 clients, SQLite | {rate:.1f} reports/s |",
        f"| storing {args.reports:,} reports with grouping (in-process, SQLite) | {load:.0f} s "
        f"({args.reports / load:.0f} reports/s) |",
        f"| grouping one more report with {args.reports:,} stored: p50 / p90 | {p50:.1f} ms / {p90:.1f} ms |",
    ]
    print("\n".join(lines))
    append_report("Complaints filing and grouping", lines)


if __name__ == "__main__":
    main()
