"""Complaints: importing a complaint lifecycle log (XES) — BPI Challenge 2013 incidents, the whole log.

    uv run python bench/complaints_xes.py [--log bpic2013_incidents.xes.gz]

In-process on SQLite, the statutory 60-day conclusion period on the working-day calendar, 500 cases per
transaction: how many cases are late (orange, red a month late), how many are handed between teams more than
``handoff_max`` times, and the import rate (parse + write + findings).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from common import append_report
from complaints import logimport
from complaints.app import MIGRATIONS
from complaints.settings import ComplaintsSettings
from sunlight.auth import Principal
from sunlight.db import Database
from sunlight.migrations import upgrade
from sunlight.testing.data import data_dir
from sunlight.xes import count_events


async def run(log: Path) -> tuple[logimport.LogStats, float, int]:
    tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-complaints-xes-"))
    url = f"sqlite+aiosqlite:///{tmp}/complaints.db"
    upgrade(MIGRATIONS, url)
    settings = ComplaintsSettings(environment="test", database_url=url)
    who = Principal(subject="bench", client_id="bench", kind="client", scopes=frozenset(), regions=("130300",))
    db = Database(url)
    started = time.perf_counter()
    async with db.sessions() as session:
        stats = await logimport.import_log(session, settings, who, log, region_code="130302", prefix="bpic2013")
    elapsed = time.perf_counter() - started
    await db.dispose()
    return stats, elapsed, count_events(log)[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", default="bpic2013_incidents.xes.gz")
    args = parser.parse_args()
    base = data_dir()
    assert base is not None, "set SUNLIGHT_DATA_DIR"
    log = base / "xes" / args.log
    stats, elapsed, events = asyncio.run(run(log))
    late = sum(stats.late.values())
    around = sum(stats.handed_around.values())
    lines = [
        f"`uv run python bench/complaints_xes.py --log {args.log}`",
        "",
        "| figure | value |",
        "|---|---|",
        f"| cases (traces) / events read | {stats.cases:,} / {events:,} |",
        f"| imported / skipped | {stats.imported:,} / {stats.skipped:,} |",
        f"| hand-offs between teams (assigned steps) | {stats.handoffs:,} |",
        f"| concluded late on the 60-day period: orange / red | {stats.late['orange']:,} / {stats.late['red']:,} "
        f"({late / max(stats.imported, 1):.0%}) |",
        f"| COMPLAINTS-HANDED-AROUND (> 3 hand-offs): blue / orange | {stats.handed_around['blue']:,} / "
        f"{stats.handed_around['orange']:,} ({around / max(stats.imported, 1):.0%}) |",
        f"| warning events sent | {stats.events:,} |",
        f"| import time (in-process, SQLite) | {elapsed:.1f} s ({stats.cases / elapsed:.0f} cases/s) |",
    ]
    print("\n".join(lines))
    append_report("Complaints lifecycle log import (XES)", lines)


if __name__ == "__main__":
    main()
