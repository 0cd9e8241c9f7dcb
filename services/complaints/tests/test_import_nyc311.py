"""Import test on real data: 2,000 NYC 311 service requests of 2011 (shared/data/complaints, NYC Open Data).

Due date against closing date gives the late-handling warnings. Every row is read; the first 500 go through
the batch endpoint in one call (the whole sample takes minutes on a loaded test machine; its figures are in
docs/benchmarks.md). Records are filed under 海港区 (130302), since 311 has no Chinese region code.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from complaints.importers.nyc311 import parse_time, records
from sunlight.testing import EventCapture
from sunlight.testing.data import require_data

from .conftest import Filer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def expected_late(path) -> set[str]:
    """Independently of the service: closed after the due day, or still open today, in the deployment's zone."""
    late = set()
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            created, due, closed = (parse_time(row[c]) for c in ("Created Date", "Due Date", "Closed Date"))
            if created is None or due is None or not row["Complaint Type"].strip():
                continue
            if closed is not None and closed < created:
                closed = None
            done = closed.astimezone(SHANGHAI).date() if closed else today
            if done > due.astimezone(SHANGHAI).date():
                late.add(f"NYC311-{row['Unique Key']}")
    return late


async def test_the_nyc_311_sample_imports_and_late_handling_is_warned(filer: Filer, backend):
    path = require_data("complaints", "nyc-311-service-requests-2011-sample.csv")
    every = list(records(path, region_code="130302"))
    assert len(every) == 2000
    body = every[:500]
    late = expected_late(path) & {r["external_id"] for r in body}
    assert 20 < len(late) < 500  # the slice has both

    async with EventCapture.on(backend.bus_settings(), ["warnings.raised.v1"]) as capture:
        r = await filer.client.post(
            "/v1/complaints/reports/batch", params={"batch_key": "nyc-2011"}, headers=filer.staff, json=body
        )
        assert r.status_code == 201, r.text[:500]
        out = r.json()
        assert (out["imported"], out["skipped"], out["late"]) == (500, 0, len(late))
        assert out["grouped"] > 50  # 311 repeats itself: the same complaint type, often at the same address

        def all_late(_e) -> bool:
            return len(
                [e for e in capture.of_type("warnings.raised.v1") if e.data.rule_id == "COMPLAINTS-CONCLUSION-LATE"]
            ) >= len(late)

        await capture.wait_for("warnings.raised.v1", all_late, timeout=60)
    warned = {
        e.data.evidence["external_id"]
        for e in capture.of_type("warnings.raised.v1")
        if e.data.rule_id == "COMPLAINTS-CONCLUSION-LATE"
    }
    assert warned == late
    one = next(e for e in capture.of_type("warnings.raised.v1") if e.data.rule_id == "COMPLAINTS-CONCLUSION-LATE")
    assert one.data.evidence["days_late"] >= 1 and one.data.level in ("orange", "red")
    assert "—" not in one.to_json()  # no record text in a warning

    again = await filer.client.post(
        "/v1/complaints/reports/batch", params={"batch_key": "nyc-2011"}, headers=filer.staff, json=body
    )
    assert again.json() == out  # the same batch key: the first result, nothing written
    other = await filer.client.post(
        "/v1/complaints/reports/batch", params={"batch_key": "nyc-2011-b"}, headers=filer.staff, json=body[:10]
    )
    assert other.json()["imported"] == 0 and other.json()["skipped"] == 10  # records are imported once


async def test_a_batch_outside_the_callers_regions_is_refused(filer: Filer, outsider):
    record = {"external_id": "X-1", "region_code": "130302", "text": "路灯不亮", "received_at": "2026-03-01T08:00:00Z"}
    r = await filer.client.post(
        "/v1/complaints/reports/batch", params={"batch_key": "x"}, headers=outsider, json=[record]
    )
    assert r.status_code == 403 and r.json()["type"].endswith("/forbidden-region")
