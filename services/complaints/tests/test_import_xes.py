"""A complaint lifecycle log in XES, on real data: BPI Challenge 2013 incidents (Volvo IT; shared/data/xes).

The first 300 cases are imported under 海港区 on the statutory 60 days: those done after it (or still
open) raise COMPLAINTS-CONCLUSION-LATE, escalating to red a month late; those handed between teams more than
``handoff_max`` times raise COMPLAINTS-HANDED-AROUND. Expectations are computed here from the raw log with
lxml, independently of the service's reader. Figures on the whole log: docs/benchmarks.md.
"""

from __future__ import annotations

import gzip
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from complaints import logimport
from complaints.models import ComplaintsWarning
from complaints.settings import ComplaintsSettings
from fastapi import FastAPI
from lxml import etree
from sunlight.auth import Principal
from sunlight.testing.data import require_data

from .conftest import Filer

SHANGHAI = ZoneInfo("Asia/Shanghai")
CASES, DUE_DAYS = 300, 60  # the statutory conclusion period (no due date in the log)
X = "{http://www.xes-standard.org/}"


def raw_cases(path, limit: int) -> list[dict]:
    """(case id, first time, last done time, hand-offs, resources) of the first ``limit`` traces, from the XML."""
    out = []
    with gzip.open(path) as handle:
        for _, trace in etree.iterparse(handle, tag=f"{X}trace"):
            events = []
            for event in trace.iter(f"{X}event"):
                attrs = {a.get("key"): a.get("value") for a in event}
                events.append(attrs)
            events.sort(key=lambda a: datetime.fromisoformat(a["time:timestamp"]))
            case = next(a.get("value") for a in trace if a.get("key") == "concept:name")
            done = [
                datetime.fromisoformat(a["time:timestamp"])
                for a in events
                if a["concept:name"] == "Completed"
                and a["lifecycle:transition"] in ("Resolved", "Closed", "Cancelled", "In Call")
            ]
            groups = [a["org:group"] for a in events]
            handoffs = sum(1 for a, b in itertools.pairwise(groups) if a != b)
            out.append(
                {
                    "id": case,
                    "received": datetime.fromisoformat(events[0]["time:timestamp"]),
                    "done": done[-1] if done else None,
                    "handoffs": handoffs,
                    "resources": {a["org:resource"] for a in events},
                }
            )
            trace.clear()
            if len(out) == limit:
                break
    return out


def principal() -> Principal:
    return Principal(
        subject="importer", client_id="t", kind="client", scopes=frozenset({"complaints:write"}), regions=("130300",)
    )


async def test_the_bpic_2013_log_imports_with_late_and_handed_around_warnings(
    filer: Filer, complaints: httpx.AsyncClient, complaints_app: FastAPI, complaints_settings: ComplaintsSettings
):
    path = require_data("xes", "bpic2013_incidents.xes.gz")
    raw = raw_cases(path, CASES)
    today = datetime.now(UTC).astimezone(SHANGHAI).date()

    def day(t: datetime) -> object:
        return t.astimezone(SHANGHAI).date()

    naive_late = {
        c["id"] for c in raw if day(c["done"] or datetime.now(UTC)) > day(c["received"] + timedelta(days=DUE_DAYS))
    }
    # more than 10 days past the due day is late whatever rest days moved the due day
    surely_late = {
        c["id"]
        for c in raw
        if (day(c["done"]) if c["done"] else today) > day(c["received"]) + timedelta(days=DUE_DAYS + 10)
    }
    handed = {c["id"] for c in raw if c["handoffs"] > complaints_settings.handoff_max}
    assert 10 < len(surely_late) < len(naive_late) < CASES and 10 < len(handed) < CASES

    async with complaints_app.state.db.sessions() as session:
        stats = await logimport.import_log(
            session,
            complaints_settings,
            principal(),
            path,
            region_code="130302",
            max_traces=CASES,
            per_commit=120,
        )
    assert (stats.cases, stats.imported, stats.skipped) == (CASES, CASES, 0)
    assert stats.handoffs == sum(c["handoffs"] for c in raw)

    async with complaints_app.state.db.sessions() as session:
        rows = (await session.execute(sa.select(ComplaintsWarning))).scalars().all()
    by_rule: dict[str, dict[str, ComplaintsWarning]] = {}
    for row in rows:
        by_rule.setdefault(row.rule_id, {})[row.evidence["external_id"].split(":", 1)[1]] = row
    late = by_rule["COMPLAINTS-CONCLUSION-LATE"]
    assert surely_late <= set(late) <= naive_late
    assert {late[c].level for c in surely_late} == {"orange", "red"}  # a month late is red
    around = by_rule["COMPLAINTS-HANDED-AROUND"]
    assert set(around) == handed
    assert all(around[c].level == ("orange" if c in late else "blue") for c in handed)
    assert sum(stats.late.values()) == len(late) and sum(stats.handed_around.values()) == len(handed)

    # a case's history shows its hand-offs by team, never a person's name
    busiest = max(raw, key=lambda c: c["handoffs"])
    rid = around[busiest["id"]].report_id
    steps = (
        await complaints.get(f"/v1/complaints/reports/{rid}/steps", headers=filer.staff, params={"limit": 500})
    ).json()["items"]
    assert sum(1 for s in steps if s["kind"] == "assigned") == busiest["handoffs"]
    shown = str(steps) + str([r.evidence for r in rows])
    assert not any(name in shown for name in busiest["resources"] if len(name) > 3)

    # importing again writes nothing
    async with complaints_app.state.db.sessions() as session:
        again = await logimport.import_log(
            session, complaints_settings, principal(), path, region_code="130302", max_traces=50
        )
    assert (again.imported, again.skipped) == (0, 50)
