"""The inspector's overview: open warnings by colour per region, overdue dispositions, the rules firing most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrity.deps import _now
from sunlight.warnings import Level

from .conftest import IDLE, OVERSPEND, SINGLE_BID, Integrity, finding, unit


async def test_the_overview_panels(integrity: Integrity, inspector, beijing):
    long_ago = datetime.now(UTC) - timedelta(days=90)
    for event in [
        finding(OVERSPEND, "n1", region="130302", unit_uscc=unit(1)),
        finding(OVERSPEND, "n1", region="130302", unit_uscc=unit(1)),  # a repetition: two occurrences
        finding(OVERSPEND, "n2", region="130302"),
        finding(IDLE, "n3", region="130302"),
        finding(IDLE, "n4", region="130303"),
        finding(SINGLE_BID, "t1", region="130303", kind="tender", level=Level.RED),
        finding(IDLE, "old", region="130303", at=long_ago),
        finding(IDLE, "bj", region="110105"),
    ]:
        await integrity.publish(event)
    await integrity.registered(inspector, "t1")
    await integrity.registered(inspector, "old")
    n4 = next(w for w in await integrity.warnings(inspector) if w["subject_id"] == "n4")
    dismissed = await integrity.client.post(f"/v1/integrity/warnings/{n4['id']}/dismissal", headers=inspector,
                                            json={"reason": "误报"})  # fmt: skip
    assert dismissed.status_code == 200
    n3 = next(w for w in await integrity.warnings(inspector) if w["subject_id"] == "n3")
    opened = await integrity.client.post(f"/v1/integrity/warnings/{n3['id']}/dispositions", headers=inspector,
                                         json={"kind": "inquiry", "assignee": "qhd-office-1"})  # fmt: skip
    assert opened.status_code == 201

    colours = await integrity.client.get("/v1/integrity/overview/open-warnings", headers=inspector)
    assert colours.status_code == 200
    assert colours.json()["items"] == [
        {"region_code": "130302", "blue": 1, "orange": 0, "red": 2, "total": 3},
        {"region_code": "130303", "blue": 1, "orange": 0, "red": 1, "total": 2},
    ], "active warnings (in disposition included, dismissed ones not), reddest region first"
    city = await integrity.client.get("/v1/integrity/overview/open-warnings", params={"depth": "city"},
                                      headers=inspector)  # fmt: skip
    assert city.json()["items"] == [{"region_code": "130300", "blue": 2, "orange": 0, "red": 3, "total": 5}]
    assert (await integrity.client.get("/v1/integrity/overview/open-warnings", headers=beijing)).json()["items"] == [
        {"region_code": "110105", "blue": 1, "orange": 0, "red": 0, "total": 1}
    ]

    top = await integrity.client.get("/v1/integrity/overview/top-rules", headers=inspector)
    assert [(r["rule_id"], r["occurrences"], r["warnings"]) for r in top.json()["items"]] == [
        ("FUNDS-OVERSPEND", 3, 2),
        ("FUNDS-IDLE-FUNDS", 2, 2),  # n3, n4 (the 90-day-old one is outside the last 30 days)
        ("TENDERS-SINGLE-BID", 1, 1),
    ]
    longer = await integrity.client.get("/v1/integrity/overview/top-rules", params={"days": 365, "limit": 1},
                                        headers=inspector)  # fmt: skip
    assert [(r["rule_id"], r["occurrences"]) for r in longer.json()["items"]] == [("FUNDS-IDLE-FUNDS", 3)]

    none_yet = await integrity.client.get("/v1/integrity/overview/overdue-dispositions", headers=inspector)
    assert none_yet.json()["count"] == 0
    # two months on (the clock every route reads, moved forward): the 15-working-day inquiry is overdue
    integrity.app.dependency_overrides[_now] = lambda: datetime.now(UTC) + timedelta(days=60)
    try:
        overdue = (await integrity.client.get("/v1/integrity/overview/overdue-dispositions", headers=inspector)).json()
        elsewhere = (await integrity.client.get("/v1/integrity/overview/overdue-dispositions", headers=beijing)).json()
        listed = await integrity.client.get("/v1/integrity/dispositions", params={"overdue": True}, headers=inspector)
    finally:
        integrity.app.dependency_overrides.clear()
    assert overdue["count"] == 1 and overdue["by_region"] == [{"region_code": "130302", "count": 1}]
    assert [d["id"] for d in overdue["oldest"]] == [opened.json()["id"]]
    assert elsewhere["count"] == 0 and elsewhere["oldest"] == []
    assert [d["id"] for d in listed.json()["items"]] == [opened.json()["id"]]

    no_framework = await integrity.client.get("/v1/integrity/overview/lowest-index", params={"framework": "nope"},
                                              headers=inspector)  # fmt: skip
    assert no_framework.status_code == 404 and no_framework.json()["type"].endswith("/not-found")
    assert (await integrity.client.get("/v1/integrity/overview/lowest-index", headers=inspector)).json() == {
        "items": [],
        "next_cursor": None,
    }
