"""Outcomes flow back: integrity concluding a warning on a subject a report named becomes a message the
reporter reads on follow-up — when they asked, once, with the outcome only."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sunlight.events import new_event
from sunlight.events.bus import bus_from_settings
from sunlight.events.contracts.common import SubjectRef
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.settings import CommonSettings

from .conftest import MOVEMENT, Filer, eventually, report

WARNING_ID = "5d0f3c8e-1111-4e6f-9a0b-1c2d3e4f5a6b"


@contextlib.asynccontextmanager
async def publisher(backend: Any) -> AsyncIterator[Any]:
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-publisher")
    await bus.connect()

    async def publish(payload: Any) -> None:
        event = new_event(payload, source="/sunlight/integrity")
        await bus.publish(event.type, event.to_json().encode(), msg_id=event.id)

    try:
        yield publish
    finally:
        await bus.close()


@pytest.fixture
async def publish(backend: Any) -> AsyncIterator[Any]:
    async with publisher(backend) as send:
        yield send


def disposed(status: str, outcome: str | None, *, ref_id: str = MOVEMENT, region: str = "130300") -> WarningDisposed:
    return WarningDisposed(
        warning_id=WARNING_ID,
        rule_id="FUNDS-COMPLAINT",
        dedupe_key=f"{region}:FUNDS-COMPLAINT:movement:{ref_id}:report:x",
        subject=SubjectRef(service="funds", kind="movement", id=ref_id),
        region_code=region,
        disposition="inquiry",
        status=status,
        outcome=outcome,
        disposed_at=datetime.now(UTC),
    )


def outcomes(follow: dict[str, Any]) -> list[str]:
    return [m["text"] for m in follow["messages"] if m["kind"] == "outcome"]


async def test_a_reporter_who_asked_is_told_the_outcome_once_and_nothing_more(filer: Filer, publish: Any):
    # the id as a person might type it: the subject is the payment all the same
    upper = {"kind": "fund", "ref_kind": "movement", "ref_id": MOVEMENT.upper()}
    asked = (await filer.file(report(notify_outcome=True, subject=upper)))["receipt"]
    silent = (await filer.file(report(notify_outcome=False)))["receipt"]
    elsewhere = (await filer.file(report(notify_outcome=True, region_code="110101")))["receipt"]

    await publish(disposed("in_progress", None))  # not an outcome yet
    await publish(disposed("concluded", "escalated"))  # a stronger disposition follows: still open
    await publish(disposed("concluded", "corrected"))
    await publish(disposed("concluded", "corrected"))  # the same outcome again (a re-sent event)

    async def told() -> list[str]:
        return outcomes(await filer.follow(asked))

    (text,) = await eventually(told)
    assert "已整改" in text
    assert WARNING_ID not in text and "FUNDS" not in text and "inquiry" not in text
    assert outcomes(await filer.follow(silent)) == []
    assert outcomes(await filer.follow(elsewhere)) == []  # another region's warning is not theirs

    # a later dismissal of another warning on another subject tells no one here
    await publish(disposed("dismissed", None, ref_id="9a9a9a9a-8b7d-4e6f-9a0b-1c2d3e4f5a6b"))
    await publish(disposed("dismissed", None))

    async def dismissed() -> list[str]:
        found = outcomes(await filer.follow(asked))
        return found if len(found) == 2 else []

    assert "不予立项" in (await eventually(dismissed))[1]
    staff_view = await filer.reports()
    assert all(r["status"] == "received" for r in staff_view)  # the report's own handling is unchanged
