"""Register throughput: ``warnings.raised.v1`` events per second into the integrity register.

    .venv/bin/python bench/integrity_register.py                        # both backends, 3,000 events each
    .venv/bin/python bench/integrity_register.py --backends sqlite --events 1000 --report

Each backend gets a fresh migrated database (SQLite file, or PostgreSQL as in the tests). The
events go through the consumer's own dispatcher (``sunlight.events.consumer.Dispatcher``: the
inbox claim, the handler, the commit — one transaction per event, as the bus delivers them),
without the bus itself, so the figure is the register's. Two scenarios:

- **one key**: every event is the same finding again (one supplier paid again and again), a
  minute apart, so occurrences pile onto one register entry;
- **distinct keys**: every event is another subject's finding.

Per scenario the rate of each slice of events is printed, so a register that slows as a row
grows shows it (first slice against last). ``--report`` appends the table to docs/benchmarks.md.
Not a test: run by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from integrity.app import MIGRATIONS
from integrity.handlers import handlers
from integrity.settings import IntegritySettings
from sunlight.db import Database
from sunlight.events.consumer import Dispatcher
from sunlight.testing.backends import Backend, Templates
from sunlight.warnings import Level, Rule, SubjectRef, warning_event

RULE = Rule(id="FUNDS-DUPLICATE-PAYMENT", level=Level.ORANGE, title="Duplicate payment", title_zh="重复支付", description="")
UNIT = "91130300000000001N"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def raised(n: int, *, one_key: bool) -> bytes:
    subject = "payee-1" if one_key else f"payee-{n}"
    event = warning_event(
        RULE,
        service="funds",
        subject=SubjectRef(service="funds", kind="payee", id=subject, label="payee"),
        region_code="130302",
        unit_uscc=UNIT,
        evidence={"movement_id": f"m-{n}", "amount_fen": 12_345, "occurred_on": "2026-03-02"},
        occurred_at=START + timedelta(minutes=n),
    )
    return event.to_json().encode()


async def scenario(url: str, *, events: int, one_key: bool, slices: int) -> list[float]:
    """Events per second of each slice of ``events``."""
    db = Database(url)
    settings = IntegritySettings(environment="test", database_url=url)
    dispatcher = Dispatcher(db, handlers, consumer=f"bench-{one_key}", context={"settings": settings})
    size = max(1, events // slices)
    rates: list[float] = []
    try:
        n = 0
        for _ in range(slices):
            bodies = [raised(n + i, one_key=one_key) for i in range(size)]
            started = time.perf_counter()
            for body in bodies:
                outcome = await dispatcher.process(body, 1)
                assert outcome.name == "DONE", outcome
            rates.append(size / (time.perf_counter() - started))
            n += size
    finally:
        await db.dispose()
    return rates


async def run(backend_name: str, events: int, slices: int, templates: Templates) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for label, one_key in (("one key", True), ("distinct keys", False)):
        backend = Backend(name=backend_name, tmp=Path(tempfile.mkdtemp(prefix="register-")), templates=templates)
        try:
            url = await backend.database("integrity", MIGRATIONS)
            rates = await scenario(url, events=events, one_key=one_key, slices=slices)
        finally:
            await backend.cleanup()
        out[label] = rates
        shown = ", ".join(f"{r:.0f}" for r in rates)
        print(f"  {backend_name}, {label}: events/s per slice of {events // slices}: {shown}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--events", type=int, default=3_000)
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--report", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()
    rows = []
    for name in args.backends.split(","):
        templates = Templates(Path(tempfile.mkdtemp(prefix="register-templates-")))
        try:
            result = asyncio.run(run(name.strip(), args.events, args.slices, templates))
        finally:
            templates.drop_all()
        for label, rates in result.items():
            total = args.events / sum((args.events // args.slices) / r for r in rates)
            rows.append(f"| {name} | {label} | {total:.0f} | {rates[0]:.0f} | {rates[-1]:.0f} |")
    if args.report:
        from common import append_report

        append_report(
            "Register throughput: warnings.raised.v1 into the integrity register",
            [
                f"`.venv/bin/python bench/integrity_register.py --events {args.events} --slices {args.slices}`: "
                "each event through the consumer's dispatcher (inbox claim, handler, commit; one transaction per "
                "event, no bus). *One key*: the same finding again a minute apart (occurrences pile onto one "
                "entry); *distinct keys*: a new subject each time.",
                "",
                "| backend | events | events/s overall | first slice | last slice |",
                "|---|---|---|---|---|",
                *rows,
            ],
        )


if __name__ == "__main__":
    main()
