"""XES import throughput of the approvals service beside the time merely to parse the log, and the sweep.

    .venv/bin/python bench/approvals_xes.py                          # receipt.xes on SQLite, appends docs/benchmarks.md
    .venv/bin/python bench/approvals_xes.py --backends sqlite,postgres --log bpic2013_incidents.xes.gz --no-report
    .venv/bin/python bench/approvals_xes.py --log receipt.xes,bpic2013_incidents.xes.gz   # both logs, one sweep

For each backend a fresh migrated database (SQLite file + embedded log, or PostgreSQL + NATS) and the app
in-process (relay and consumers running). The catalogue item of the log's mapping is created, then the log is
imported with ``approvals.logimport.import_log`` (stream-parsed, 200 traces a transaction, every case evaluated
and its findings raised) — events/s counts every event read. Parse-only is the same lxml iterparse over the same
file building nothing (``count_events``); full read adds the trace objects (``iter_traces``). With several logs
(``--log a,b``) each is imported in turn into the same database; then the sweep runs once over every case still
open as of now, of all the imported logs. Not a test: run by hand or by ``make bench``.

Named approvals_xes.py, not approvals.py: bench scripts import each other as top-level modules, and a
``bench/approvals.py`` would shadow the ``approvals`` package.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from approvals.app import MIGRATIONS, create_app
from approvals.logimport import import_log
from approvals.mapping import load_mapping
from approvals.settings import ApprovalsSettings
from approvals.sweeps import run_sweep
from asgi_lifespan import LifespanManager
from common import append_report
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.testing.backends import Backend, Templates
from sunlight.testing.data import require_data
from sunlight.testing.tokens import TestKeys
from sunlight.xes import count_events, iter_traces

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "services" / "approvals" / "mappings"
LOGS = {
    "receipt.xes": ("receipt.toml", {"required_steps": ["accept", "review", "decide", "conclude"],
                                     "four_eyes": [["review", "decide"]], "legal_days": 40}),
    "bpic2013_incidents.xes.gz": ("bpic2013.toml", {"required_steps": ["accept", "conclude"], "four_eyes": []}),
}  # fmt: skip
WHO = Principal(
    subject="bench-importer",
    client_id="bench-importer",
    kind="client",
    scopes=frozenset({"approvals:read", "approvals:write"}),
    regions=("130300",),
)


def parse_times(path: Path) -> tuple[float, float, int]:
    started = time.perf_counter()
    _, events = count_events(path)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    for _ in iter_traces(path):
        pass
    return parse, time.perf_counter() - started, events


async def run(backend_name: str, logs: list[str], templates: Templates) -> list[dict[str, Any]]:
    keys = TestKeys()
    backend = Backend(name=backend_name, tmp=Path(tempfile.mkdtemp(prefix="approvals-bench-")), templates=templates)
    settings = ApprovalsSettings(
        environment="test",
        log_level="WARNING",
        database_url=await backend.database("approvals", MIGRATIONS),
        jwks_json=keys.jwks_json,
        jwt_issuer=keys.issuer,
        jwt_audience=keys.audience,
        **backend.bus_settings(),
    )
    headers = keys.auth(scopes="approvals:read approvals:write", regions=["130300"], lifetime=3600)
    app = create_app(settings)
    rows: list[dict[str, Any]] = []
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
        db = app.state.db
        for log in logs:
            mapping_name, item_fields = LOGS[log]
            mapping = load_mapping(MAPPINGS / mapping_name)
            path = require_data("xes", log)
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
                for item in mapping.item:
                    body = {"code": item.name, "name": item.name, "region_code": "130300", **item_fields}
                    r = await client.post("/v1/approvals/items", headers=headers, json=body)
                    assert r.status_code == 201, r.text
            started = time.perf_counter()
            async with db.sessions() as session:
                stats = await import_log(session, settings, WHO, path, mapping, region_code="130302")
            imported = time.perf_counter() - started
            parse, read, events = parse_times(path)
            rows.append({
                "backend": backend_name, "log": log, "events": events, "cases": stats.cases, "steps": stats.steps,
                "warnings": stats.warnings_raised, "import_s": imported, "events_per_s": events / imported,
                "parse_s": parse, "read_s": read, "findings": dict(stats.findings),
            })  # fmt: skip
        started = time.perf_counter()
        async with db.sessions() as session:
            swept = await run_sweep(session, settings, now=utcnow())
        sweep = time.perf_counter() - started
    for row in rows:
        row.update(open_cases=swept.cases, sweep_s=sweep, sweep_findings=swept.findings)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument(
        "--log", default="receipt.xes", help=f"one or more of {', '.join(sorted(LOGS))}, comma-separated"
    )
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    logs = [log.strip() for log in args.log.split(",")]
    unknown = sorted(set(logs) - set(LOGS))
    if unknown:
        parser.error(f"unknown logs: {', '.join(unknown)}")
    templates = Templates(Path(tempfile.mkdtemp(prefix="approvals-bench-templates-")))
    rows = []
    try:
        for name in args.backends.split(","):
            rows.extend(asyncio.run(run(name.strip(), logs, templates)))
    finally:
        templates.drop_all()
    lines = [
        f"`.venv/bin/python bench/approvals_xes.py --backends {args.backends} --log {args.log}`: the log imported into "
        "a fresh database (200 traces a transaction, every case evaluated), beside the same lxml iterparse "
        "building nothing (parse) and building the trace objects (read); then one sweep over the cases still open "
        "of every log imported (open cases and sweep s: of all the logs of the backend).",
        "",
        "| backend | log | events | cases | steps | warnings | import s | events/s | parse s | read s "
        "| open cases | sweep s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['backend']} | {r['log']} | {r['events']} | {r['cases']} | {r['steps']} | {r['warnings']} "
            f"| {r['import_s']:.2f} | {r['events_per_s']:.0f} | {r['parse_s']:.2f} | {r['read_s']:.2f} "
            f"| {r['open_cases']} | {r['sweep_s']:.2f} |"
        )
    print("\n".join(lines))
    for r in rows:
        print(r["backend"], r["log"], "import findings:", r["findings"])
        print(r["backend"], "sweep findings:", r["sweep_findings"])
    if not args.no_report:
        append_report("Approvals: XES import and sweep", lines)


if __name__ == "__main__":
    main()
