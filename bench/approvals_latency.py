"""Event latency in approvals: a step that breaks a rule → the warning in the integrity register.

    .venv/bin/python bench/approvals_latency.py            # both buses, appends docs/benchmarks.md
    .venv/bin/python bench/approvals_latency.py --no-write

The funds latency bench's approach (``bench/events.py``) with approvals: real processes (gateway, approvals,
integrity); N cases, each refused without a reason in one pushed step through the gateway (a red
APPROVALS-REFUSAL-WITHOUT-REASON at write time), one every 20 ms; latency = integrity's ``registered_at`` −
the warning's ``first_seen_at`` (the instant approvals raised it; both stamped on this machine's clock). Run on
the embedded log (SQLite) and on NATS JetStream (PostgreSQL).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
from common import Stack, append_report
from events import _seconds, drop_pg, pct, pg_databases
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

N = 100
RULE = "APPROVALS-REFUSAL-WITHOUT-REASON"


def scenario(stack: Stack) -> list[float]:
    token = stack.token("approvals:read approvals:write")
    headers = {"Authorization": f"Bearer {token}"}
    tag = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=30) as client:
        item = client.post(
            "/v1/approvals/items", json={"code": f"BENCH-{tag}", "name": "bench", "region_code": "130300"}
        )
        assert item.status_code == 201, item.text
        for i in range(N):
            step = {
                "case_no": f"BENCH-{tag}-{i}",
                "region_code": "130302",
                "item_code": f"BENCH-{tag}",
                "step": "refuse",
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            refused = client.post("/v1/approvals/steps", json=step)
            assert refused.status_code == 201 and refused.json()["warnings_raised"] >= 1, refused.text
            time.sleep(0.02)

    async def latencies() -> list[float]:
        engine = create_async_engine(stack.db_urls["integrity"])
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                async with engine.connect() as conn:
                    rows = (
                        await conn.execute(
                            text("SELECT first_seen_at, registered_at FROM warning WHERE rule_id = :rule"),
                            {"rule": RULE},
                        )
                    ).all()
                if len(rows) >= N:
                    return sorted(_seconds(r[1]) - _seconds(r[0]) for r in rows)
                await asyncio.sleep(0.2)
            raise SystemExit(f"only {len(rows)} of {N} warnings arrived")
        finally:
            await engine.dispose()

    return [x * 1000 for x in asyncio.run(latencies())]


def run(write: bool = True) -> dict[str, list[float]]:
    results = {}
    with Stack(("approvals", "integrity")) as stack:
        results["embedded log + SQLite"] = scenario(stack)
    urls = pg_databases(("approvals", "integrity", "gateway"))
    stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
    try:
        bus = {"SUNLIGHT_BUS": "nats", "SUNLIGHT_NATS_STREAM": stream, "SUNLIGHT_NATS_SUBJECT_PREFIX": stream.lower()}
        with Stack(("approvals", "integrity"), bus_env=bus, db_urls=urls) as stack:
            results["NATS JetStream + PostgreSQL"] = scenario(stack)
    finally:
        drop_pg(urls)
    lines = [
        f"`.venv/bin/python bench/approvals_latency.py`: {N} cases through the gateway, each refused without a "
        f"reason in one pushed step (a red {RULE} at write time), one every 20 ms; latency from the warning "
        "raised in approvals to its row in the integrity register (outbox → relay → bus → consumer → commit).",
        "",
        "| bus | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for name, values in results.items():
        lines.append(
            f"| {name} | {pct(values, 50):.1f} | {pct(values, 90):.1f} | {pct(values, 99):.1f} | {max(values):.1f} |"
        )
    print("\n".join(lines))
    if write:
        append_report("Approvals event latency: rule-breaking step → warning in the register", lines)
    return results


if __name__ == "__main__":
    run(write="--no-write" not in sys.argv)
