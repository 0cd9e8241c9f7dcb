"""Sorting the register: enum keys a warning never changes, asc/desc, and paging that never skips or repeats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .conftest import IDLE, OVERSPEND, SINGLE_BID, Integrity, finding


async def every(integrity: Integrity, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    params = {"limit": 2, **params}
    while True:
        r = await integrity.client.get("/v1/integrity/warnings", params=params, headers=headers)
        assert r.status_code == 200, r.text
        seen += r.json()["items"]
        if not r.json()["next_cursor"]:
            return seen
        params["cursor"] = r.json()["next_cursor"]


async def test_the_register_sorts_by_rule_with_ties_and_a_recurrence_while_paging_moves_nothing(
    integrity: Integrity, reader
):
    at = datetime(2026, 3, 10, tzinfo=UTC)
    events = [finding(IDLE, f"i{n}", at=at) for n in range(3)] + [
        finding(OVERSPEND, f"o{n}", region="130304", at=at) for n in range(2)
    ] + [finding(SINGLE_BID, "t1", kind="tender", at=at)]  # fmt: skip
    for event in events:
        await integrity.publish(event)
    await integrity.registered(reader, "t1")
    for subject in ("i0", "i1", "i2", "o0", "o1"):
        await integrity.registered(reader, subject)

    by_rule = await every(integrity, reader, sort="rule_id", order="asc")
    assert [w["rule_id"] for w in by_rule] == sorted(w["rule_id"] for w in by_rule)
    assert len({w["id"] for w in by_rule}) == len(by_rule) == 6, "every warning once across pages of two"
    idle = [w["id"] for w in by_rule if w["rule_id"] == IDLE.id]
    assert idle == sorted(idle), "ties (three of one rule) in id order"
    backwards = await every(integrity, reader, sort="rule_id", order="desc")
    assert [w["id"] for w in backwards] == [w["id"] for w in reversed(by_rule)]
    by_region = await every(integrity, reader, sort="region_code", order="desc")
    assert [w["region_code"] for w in by_region][:2] == ["130304", "130304"]

    # a warning recurs between the first page and the rest: it keeps its place (the sort key never changes)
    first = await integrity.client.get("/v1/integrity/warnings", params={"sort": "rule_id", "order": "asc",
                                                                         "limit": 2}, headers=reader)  # fmt: skip
    recurring = next(w for w in by_rule[2:] if w["rule_id"] == IDLE.id)
    await integrity.publish(finding(IDLE, recurring["subject_id"], at=datetime(2026, 3, 20, tzinfo=UTC)))
    await integrity.registered(reader, recurring["subject_id"], occurrences=2)
    rest = await every(integrity, reader, sort="rule_id", order="asc", cursor=first.json()["next_cursor"])
    assert [w["id"] for w in first.json()["items"] + rest] == [w["id"] for w in by_rule]


async def test_dispositions_sort_by_deadline_and_unknown_sorts_are_422(integrity: Integrity, reader):
    bad = await integrity.client.get("/v1/integrity/warnings", params={"sort": "level"}, headers=reader)
    assert bad.status_code == 422 and "'first_seen_at'" in bad.text, "level changes: not a sort key"
    bad_order = await integrity.client.get("/v1/integrity/dispositions", params={"order": "sideways"}, headers=reader)
    assert bad_order.status_code == 422
    listed = await integrity.client.get("/v1/integrity/dispositions", params={"sort": "deadline", "order": "asc"},
                                        headers=reader)  # fmt: skip
    assert listed.status_code == 200 and listed.json() == {"items": [], "next_cursor": None}
    wrong_cursor = await integrity.client.get("/v1/integrity/warnings", headers=reader, params={
        "sort": "region_code", "cursor": "WyJydWxlX2lkIiwiYXNjIiwiQSIsIngiXQ"})  # fmt: skip
    assert wrong_cursor.status_code == 400, "a cursor given out under sort=rule_id"
