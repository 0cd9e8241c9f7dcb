"""Linkage over the real bus: a complaint naming a tender raises its red flags; every finding reaches the bus."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sunlight.events import new_event
from sunlight.events.bus import bus_from_settings
from sunlight.events.contracts.common import SubjectRef
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.settings import CommonSettings
from sunlight.testing import EventCapture

from .conftest import Maker


async def eventually(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, "not within the timeout"
        await asyncio.sleep(0.05)


async def publish(backend: Any, payload: Any) -> None:
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-publisher")
    await bus.connect()
    try:
        event = new_event(payload, source="/sunlight/complaints")
        await bus.publish(event.type, event.to_json().encode(), msg_id=event.id)
    finally:
        await bus.close()


def report(tender_id: str) -> ReportFiled:
    return ReportFiled(
        report_id=str(uuid.uuid4()),
        region_code="130302",
        category="bid_rigging",
        subject=SubjectRef(service="tenders", kind="tender", id=tender_id),
        anonymous=True,
        filed_at=datetime.now(UTC),
    )


async def test_a_red_flag_reaches_the_bus_as_a_region_scoped_warning(make: Maker, backend: Any):
    async with EventCapture.on(backend.bus_settings(), ["warnings.raised.v1"]) as capture:
        tender = await make.tender(procedure="single_source", ceiling_fen=None)
        event = await capture.wait_for("warnings.raised.v1", lambda e: e.data.subject.id == tender["id"])
    assert event.data.rule_id == "TENDERS-NON-COMPETITIVE" and event.data.level == "red"
    assert event.data.dedupe_key == f"130302:TENDERS-NON-COMPETITIVE:tender:{tender['id']}"
    assert event.data.subject.service == "tenders" and event.data.evidence["threshold_fen"] == 400_000_000


async def test_a_complaint_raises_the_tenders_findings_one_level(make: Maker, backend: Any):
    flagged = await make.tender()
    await make.bid(flagged, await make.enterprise(), 1_449_000_000)  # at the ceiling
    await make.open(flagged)
    await make.evaluate_lowest(flagged)
    await make.award(flagged)
    quiet = await make.tender()
    ceiling = "TENDERS-WINNER-AT-CEILING"  # the single bid also fires TENDERS-CARDINAL-R018, raised alike
    [before] = await make.findings(tender_id=flagged["id"], rule_id=ceiling)
    assert before["level"] == "orange"

    await publish(backend, report(flagged["id"]))
    await publish(backend, report(quiet["id"]))

    async def raised() -> Any:
        found = await make.findings(tender_id=flagged["id"], rule_id=ceiling)
        return found if found and found[0]["level"] == "red" else None

    [after] = await eventually(raised)
    assert after["dedupe_key"] == before["dedupe_key"] and after["occurrences"] == 2
    assert after["evidence"]["complaint_category"] == "bid_rigging"
    [lead] = await eventually(lambda: make.findings(tender_id=quiet["id"]))
    assert lead["rule_id"] == "TENDERS-COMPLAINT" and lead["level"] == "blue"
