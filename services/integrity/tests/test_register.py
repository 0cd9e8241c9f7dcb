"""The warning register: deduplication, redelivery, escalation on repetition, filters, counts, region checks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sunlight.warnings import Level

from .conftest import IDLE, OVERSPEND, SINGLE_BID, Integrity, eventually, finding, unit


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"repeat_orange_at": 2, "repeat_red_at": 3}


async def test_a_redelivered_event_counts_once_and_a_repeated_one_escalates(
    integrity: Integrity, inspector: dict[str, str]
):
    days_ago = [datetime.now(UTC) - timedelta(days=d) for d in (3, 2, 1)]
    first = finding(IDLE, "node-1", unit_uscc=unit(1), evidence={"idle_days": 91}, at=days_ago[0])
    # the same event twice under different message ids: the bus delivers it twice, the inbox applies it once
    await integrity.publish(first)
    await integrity.publish(first, msg_id=f"{first.id[:-4]}beef")
    marker = finding(IDLE, "marker")
    await integrity.publish(marker)
    await integrity.registered(inspector, "marker")  # published last: everything before it was handled
    [entry] = [w for w in await integrity.warnings(inspector) if w["subject_id"] == "node-1"]
    assert entry["occurrences"] == 1 and entry["level"] == "blue" and entry["source_level"] == "blue"

    # a repetition a day later with new evidence: a new episode → orange at repeat_orange_at = 2
    again = finding(IDLE, "node-1", unit_uscc=unit(1), evidence={"idle_days": 120}, at=days_ago[1])
    await integrity.publish(again)
    entry = await integrity.registered(inspector, "node-1", occurrences=2)
    assert entry["level"] == "orange" and entry["source_level"] == "blue" and entry["episodes"] == 2
    assert entry["evidence"] == {"idle_days": 120}, "the register shows the latest evidence"

    # the third episode: red at repeat_red_at = 3; still one register entry
    await integrity.publish(finding(IDLE, "node-1", unit_uscc=unit(1), evidence={"idle_days": 150}, at=days_ago[2]))
    entry = await integrity.registered(inspector, "node-1", occurrences=3)
    assert entry["level"] == "red" and entry["episodes"] == 3
    assert [w["id"] for w in await integrity.warnings(inspector) if w["subject_id"] == "node-1"] == [entry["id"]]

    detail = (await integrity.client.get(f"/v1/integrity/warnings/{entry['id']}", headers=inspector)).json()
    assert [o["evidence"]["idle_days"] for o in detail["history"]] == [150, 120, 91]
    assert [o["effect"] for o in detail["history"]] == ["new_episode", "new_episode", "registered"]
    assert {o["event_id"] for o in detail["history"]} >= {first.id, again.id}


async def test_the_source_may_raise_the_level_itself_and_the_higher_wins(integrity: Integrity, inspector):
    await integrity.publish(finding(SINGLE_BID, "tender-1", region="130303", kind="tender"))
    assert (await integrity.registered(inspector, "tender-1"))["level"] == "orange"
    await integrity.publish(finding(SINGLE_BID, "tender-1", region="130303", kind="tender", level=Level.RED))
    entry = await integrity.registered(inspector, "tender-1", occurrences=2)
    assert entry["level"] == "red" and entry["source_level"] == "red"
    # a later, lower finding never lowers it
    await integrity.publish(finding(SINGLE_BID, "tender-1", region="130303", kind="tender", level=Level.BLUE))
    entry = await integrity.registered(inspector, "tender-1", occurrences=3)
    assert entry["level"] == "red" and entry["source_level"] == "red"


async def test_filters_pages_and_regions(integrity: Integrity, inspector, reader, beijing, keys):
    now = datetime.now(UTC)
    events = [
        finding(OVERSPEND, "a", region="130302", unit_uscc=unit(1), at=now - timedelta(days=40)),
        finding(IDLE, "b", region="130302", unit_uscc=unit(2), at=now - timedelta(days=10)),
        finding(SINGLE_BID, "c", region="130304", unit_uscc=unit(1), kind="tender", at=now - timedelta(days=1)),
        finding(IDLE, "d", region="110105", at=now),  # Beijing
    ]
    for event in events:
        await integrity.publish(event)
    await integrity.registered(inspector, "c")

    async def subjects(headers: dict[str, str], **params: Any) -> list[str]:
        return sorted(w["subject_id"] for w in await integrity.warnings(headers, **params))

    await eventually(lambda: subjects(beijing), what="the Beijing warning")
    assert await subjects(inspector) == ["a", "b", "c"], "a region sees its own warnings only"
    assert await subjects(beijing) == ["d"]
    assert await subjects(reader, unit_uscc=unit(1)) == ["a", "c"]
    assert await subjects(reader, level="red") == ["a"]
    assert await subjects(reader, rule_id="FUNDS-IDLE-FUNDS") == ["b"]
    assert await subjects(reader, service="tenders") == ["c"]
    assert await subjects(reader, region_code="130304") == ["c"]
    assert await subjects(reader, min_age_days=30) == ["a"], "first seen at least 30 days ago"
    assert await subjects(reader, max_age_days=5) == ["c"], "first seen within 5 days"
    assert await subjects(reader, min_age_days=5, max_age_days=30) == ["b"]
    assert await subjects(beijing, max_age_days=0) == ["d"], "0 days: first seen today"
    assert await subjects(reader, max_age_days=0) == [], "c was first seen yesterday"
    assert await subjects(reader, max_age_days=1) == ["c"]
    assert await subjects(reader, min_age_days=1) == ["a", "b", "c"]
    assert await subjects(reader, status="open") == ["a", "b", "c"]
    assert await subjects(reader, status="closed") == []

    page = await integrity.client.get("/v1/integrity/warnings", params={"limit": 2}, headers=reader)
    body = page.json()
    assert [w["subject_id"] for w in body["items"]] == ["c", "b"], "most recently first seen first"
    rest = await integrity.client.get(
        "/v1/integrity/warnings", params={"limit": 2, "cursor": body["next_cursor"]}, headers=reader
    )
    assert [w["subject_id"] for w in rest.json()["items"]] == ["a"] and rest.json()["next_cursor"] is None

    forged = base64.urlsafe_b64encode(json.dumps(["yesterday", "x"]).encode()).decode().rstrip("=")
    bad = await integrity.client.get("/v1/integrity/warnings", params={"cursor": forged}, headers=reader)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
    bad_unit = await integrity.client.get("/v1/integrity/warnings", params={"unit_uscc": "123"}, headers=reader)
    assert bad_unit.status_code == 422 and bad_unit.json()["type"].endswith("/validation")

    a = next(w for w in await integrity.warnings(reader) if w["subject_id"] == "a")
    hidden = await integrity.client.get(f"/v1/integrity/warnings/{a['id']}", headers=beijing)
    assert hidden.status_code == 404 and hidden.json()["type"].endswith("/not-found")
    no_scope = await integrity.client.get("/v1/integrity/warnings", headers=keys.auth(scopes="funds:read"))
    assert no_scope.status_code == 403 and no_scope.json()["type"].endswith("/insufficient-scope")


async def test_counts_by_period_and_region(integrity: Integrity, reader):
    march, april = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)
    late_march_utc = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)  # already 1 April in China
    for event in [
        finding(OVERSPEND, "m1", region="130302", at=march),
        finding(IDLE, "m2", region="130302", at=march),
        finding(IDLE, "m3", region="130304", at=march),
        finding(SINGLE_BID, "a1", region="130302", kind="tender", at=april),
        finding(IDLE, "a2", region="130302", at=late_march_utc),
    ]:
        await integrity.publish(event)
    await integrity.registered(reader, "a2")

    by_month = await integrity.client.get(
        "/v1/integrity/warnings/counts", params={"depth": "county", "from": "2026-03", "to": "2026-04"}, headers=reader
    )
    assert by_month.status_code == 200, by_month.text
    assert by_month.json()["next_cursor"] is None
    assert by_month.json()["items"] == [
        {"period": "2026-03", "region_code": "130302", "blue": 1, "orange": 0, "red": 1, "total": 2},
        {"period": "2026-03", "region_code": "130304", "blue": 1, "orange": 0, "red": 0, "total": 1},
        {"period": "2026-04", "region_code": "130302", "blue": 1, "orange": 1, "red": 0, "total": 2},
    ]
    by_quarter = await integrity.client.get(
        "/v1/integrity/warnings/counts", params={"granularity": "quarter", "depth": "city"}, headers=reader
    )
    assert by_quarter.json()["items"] == [
        {"period": "2026-Q1", "region_code": "130300", "blue": 2, "orange": 0, "red": 1, "total": 3},
        {"period": "2026-Q2", "region_code": "130300", "blue": 1, "orange": 1, "red": 0, "total": 2},
    ]
    bad = await integrity.client.get("/v1/integrity/warnings/counts", params={"from": "2026-13"}, headers=reader)
    assert bad.status_code == 422
