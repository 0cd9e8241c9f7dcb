"""One register entry per key for its whole life: dismissals stick, a concluded finding reopens only on new
evidence, a batch's occurrences are one row and one episode, escalation and unit figures count episodes,
complaints raise the warnings about their subject once, and paging never loses a warning that recurs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sunlight.events import new_event
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.warnings import SubjectRef

from .conftest import IDLE, OVERSPEND, Integrity, eventually, finding, unit

MARCH = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
DAY = timedelta(days=1)


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {"repeat_orange_at": 2, "repeat_red_at": 3}


async def activity(integrity: Integrity, headers: dict[str, str], uscc: str) -> dict[str, Any]:
    response = await integrity.client.get(
        f"/v1/integrity/units/{uscc}/activity", params={"period": "2026-03"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def detail(integrity: Integrity, headers: dict[str, str], warning_id: str) -> dict[str, Any]:
    response = await integrity.client.get(f"/v1/integrity/warnings/{warning_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_dismissed_warning_stays_dismissed_when_raised_again(integrity: Integrity, inspector):
    await integrity.publish(finding(IDLE, "node-1", unit_uscc=unit(1), evidence={"idle_days": 91}, at=MARCH))
    warning = await integrity.registered(inspector, "node-1")
    dismissed = await integrity.client.post(
        f"/v1/integrity/warnings/{warning['id']}/dismissal", headers=inspector, json={"reason": "已核实, 误报"}
    )
    assert dismissed.status_code == 200, dismissed.text

    # the next scan finds it again, two days later and with other evidence
    later = MARCH + timedelta(days=2)
    await integrity.publish(finding(IDLE, "node-1", unit_uscc=unit(1), evidence={"idle_days": 93}, at=later))
    entry = await integrity.registered(inspector, "node-1", occurrences=2)
    assert entry["id"] == warning["id"], "one register entry per key for its whole life"
    assert entry["status"] == "dismissed" and entry["closed_at"] is not None
    assert entry["episodes"] == 1 and entry["level"] == "blue"
    assert entry["evidence"] == {"idle_days": 91}, "the evidence it was dismissed on"
    assert [w["id"] for w in await integrity.warnings(inspector) if w["subject_id"] == "node-1"] == [warning["id"]]
    history = (await detail(integrity, inspector, warning["id"]))["history"]
    assert [(o["effect"], o["evidence"]["idle_days"]) for o in history] == [("recorded", 93), ("registered", 91)]
    figures = await activity(integrity, inspector, unit(1))
    assert figures["warnings_blue"] == 1 and figures["funds_warnings"] == 1, "not counted again"


async def conclude(integrity: Integrity, headers: dict[str, str], warning_id: str) -> None:
    opened = await integrity.client.post(
        f"/v1/integrity/warnings/{warning_id}/dispositions",
        headers=headers,
        json={"kind": "reminder_talk", "assignee": "qhd-office-1"},
    )
    assert opened.status_code == 201, opened.text
    concluded = await integrity.client.post(
        f"/v1/integrity/dispositions/{opened.json()['id']}/conclusion",
        headers=headers,
        json={"outcome": "corrected", "conclusion": "已整改"},
    )
    assert concluded.status_code == 200, concluded.text


async def test_a_concluded_warning_reopens_only_when_its_evidence_changes(integrity: Integrity, inspector):
    evidence = {"requested_fen": 90_000, "available_fen": 10_000, "node_id": "node-2"}
    await integrity.publish(finding(OVERSPEND, "node-2", unit_uscc=unit(2), evidence=evidence, at=MARCH))
    warning = await integrity.registered(inspector, "node-2")
    await conclude(integrity, inspector, warning["id"])

    # the same finding again (a rescan; its keys in another order): recorded, still closed
    same = dict(reversed(list(evidence.items())))
    await integrity.publish(
        finding(OVERSPEND, "node-2", unit_uscc=unit(2), evidence=same, at=MARCH + timedelta(days=3))
    )
    entry = await integrity.registered(inspector, "node-2", occurrences=2)
    assert entry["status"] == "closed" and entry["episodes"] == 1
    assert (await activity(integrity, inspector, unit(2)))["warnings_red"] == 1

    # changed evidence: the finding is back, as a new episode of the same entry
    changed = {**evidence, "requested_fen": 120_000}
    await integrity.publish(
        finding(OVERSPEND, "node-2", unit_uscc=unit(2), evidence=changed, at=MARCH + timedelta(days=4))
    )
    entry = await integrity.registered(inspector, "node-2", occurrences=3)
    assert entry["id"] == warning["id"]
    assert entry["status"] == "open" and entry["closed_at"] is None and entry["episodes"] == 2
    assert entry["evidence"] == changed
    found = await detail(integrity, inspector, warning["id"])
    assert [o["effect"] for o in found["history"]] == ["reopened", "recorded", "registered"]
    assert [d["status"] for d in found["dispositions"]] == ["concluded"], "the old disposition stays concluded"
    assert (await activity(integrity, inspector, unit(2)))["warnings_red"] == 2, "the new episode counts"

    # a new disposition for the new episode
    await conclude(integrity, inspector, warning["id"])
    found = await detail(integrity, inspector, warning["id"])
    assert found["status"] == "closed" and [d["episode"] for d in found["dispositions"]] == [1, 2]


async def test_a_batch_of_500_findings_is_one_row_one_episode_and_no_escalation(integrity: Integrity, inspector):
    # a supplier paid 500 times in one batch: funds sends one event standing for 500 findings
    await integrity.publish(finding(IDLE, "payee-3", unit_uscc=unit(3), at=MARCH, occurrences=500, kind="payee"))
    entry = await integrity.registered(inspector, "payee-3", occurrences=500)
    assert entry["occurrences"] == 500 and entry["episodes"] == 1
    assert entry["level"] == "blue", "one episode: no escalation by repetition (repeat_orange_at = 2)"
    history = (await detail(integrity, inspector, entry["id"]))["history"]
    assert [(o["effect"], o["count"]) for o in history] == [("registered", 500)], "one row, not 500"

    # the next batch an hour later: the same episode
    await integrity.publish(
        finding(IDLE, "payee-3", unit_uscc=unit(3), at=MARCH + timedelta(hours=1), occurrences=300, kind="payee")
    )
    entry = await integrity.registered(inspector, "payee-3", occurrences=800)
    assert entry["occurrences"] == 800 and entry["episodes"] == 1 and entry["level"] == "blue"
    assert (await activity(integrity, inspector, unit(3)))["warnings_blue"] == 1, "one warning in the unit's figures"

    top = await integrity.client.get("/v1/integrity/overview/top-rules", params={"days": 3660}, headers=inspector)
    assert top.status_code == 200, top.text
    assert [(r["rule_id"], r["occurrences"], r["warnings"]) for r in top.json()["items"]] == [
        ("FUNDS-IDLE-FUNDS", 800, 1)
    ]


async def test_episodes_a_day_apart_escalate_and_count_once_each(integrity: Integrity, inspector):
    uscc = unit(4)

    def idle(since: str, at: datetime) -> Any:
        return finding(IDLE, "node-4", unit_uscc=uscc, evidence={"since": since}, at=at)

    await integrity.publish(idle("2026-01-01", MARCH))
    await integrity.registered(inspector, "node-4")
    # the same evidence a day later (a daily scan): the same episode
    day = timedelta(hours=25)
    await integrity.publish(idle("2026-01-01", MARCH + day))
    entry = await integrity.registered(inspector, "node-4", occurrences=2)
    assert entry["episodes"] == 1 and entry["level"] == "blue"
    # new evidence another day later: the second episode, orange at repeat_orange_at = 2
    await integrity.publish(idle("2026-03-02", MARCH + 2 * day))
    entry = await integrity.registered(inspector, "node-4", occurrences=3)
    assert entry["episodes"] == 2 and entry["level"] == "orange" and entry["source_level"] == "blue"
    # an hour later with other evidence again: within the gap, the same episode
    await integrity.publish(idle("2026-03-03", MARCH + 2 * day + timedelta(hours=1)))
    entry = await integrity.registered(inspector, "node-4", occurrences=4)
    assert entry["episodes"] == 2 and entry["level"] == "orange"
    assert (await activity(integrity, inspector, uscc))["warnings_blue"] == 2, "once per episode"
    # the third episode: red at repeat_red_at = 3
    await integrity.publish(idle("2026-03-09", MARCH + 8 * day))
    entry = await integrity.registered(inspector, "node-4", occurrences=5)
    assert entry["episodes"] == 3 and entry["level"] == "red"


def complaint(report_id: str, subject: SubjectRef, *, region: str = "130302") -> Any:
    return new_event(
        ReportFiled(
            report_id=report_id, region_code=region, category="funds", subject=subject, anonymous=True, filed_at=MARCH
        ),
        source="/sunlight/complaints",
    )


async def test_a_complaint_raises_the_warnings_about_its_subject_once(integrity: Integrity, inspector, beijing):
    node = SubjectRef(service="funds", kind="node", id="node-5")
    await integrity.publish(finding(IDLE, "node-5", unit_uscc=unit(5), at=MARCH))
    await integrity.publish(finding(IDLE, "node-5", region="110105", at=MARCH))  # the same id in Beijing
    await integrity.publish(finding(IDLE, "node-6", unit_uscc=unit(6), at=MARCH))  # another subject
    warning = await integrity.registered(inspector, "node-5")
    await integrity.registered(inspector, "node-6")
    await integrity.registered(beijing, "node-5")

    first = complaint("r-1", node)
    await integrity.publish(first)
    await integrity.publish(first, msg_id=f"{first.id[:-4]}beef")  # redelivered under another message id
    await integrity.publish(complaint("r-1", node))  # the same report in another event
    await integrity.publish(complaint("r-2", node))  # another report

    async def raised_twice() -> dict[str, Any] | None:
        found = await detail(integrity, inspector, warning["id"])
        return found if found["level"] == "red" else None

    found = await eventually(raised_twice, what="two complaints raising the warning")
    complaints = [o for o in found["history"] if o["effect"] == "complaint"]
    assert sorted(o["report_id"] for o in complaints) == ["r-1", "r-2"], "once per report, never per delivery"
    assert {(o["evidence"]["level_before"], o["evidence"]["level_after"]) for o in complaints} == {
        ("blue", "orange"),
        ("orange", "red"),
    }
    assert found["occurrences"] == 1, "a complaint is not a finding"
    assert found["source_level"] == "blue"

    # the complaint's events were all handled: a later one (about nobody) went through after them
    await integrity.publish(complaint("r-3", SubjectRef(service="funds", kind="node", id="nobody")))
    await integrity.publish(finding(IDLE, "marker", at=MARCH))
    await integrity.registered(inspector, "marker")
    found = await detail(integrity, inspector, warning["id"])
    assert len([o for o in found["history"] if o["effect"] == "complaint"]) == 2
    [other] = [w for w in await integrity.warnings(inspector) if w["subject_id"] == "node-6"]
    assert other["level"] == "blue", "another subject's warning is not raised"
    [elsewhere] = [w for w in await integrity.warnings(beijing) if w["subject_id"] == "node-5"]
    assert elsewhere["level"] == "blue", "another region's warning is not raised"


async def test_paging_while_a_warning_recurs_returns_it_exactly_once(integrity: Integrity, inspector):
    now = datetime.now(UTC)
    for n, days in enumerate((3, 2, 1)):
        await integrity.publish(finding(IDLE, f"page-{n}", at=now - timedelta(days=days), evidence={"n": n}))
    await integrity.registered(inspector, "page-0")
    await integrity.registered(inspector, "page-2")

    seen: list[str] = []
    page = await integrity.client.get("/v1/integrity/warnings", params={"limit": 1}, headers=inspector)
    body = page.json()
    seen += [w["subject_id"] for w in body["items"]]
    before = datetime.now(UTC)

    # while the client pages, the oldest warning recurs
    await integrity.publish(finding(IDLE, "page-0", at=now, evidence={"n": 0, "again": True}))
    await integrity.registered(inspector, "page-0", occurrences=2)
    while body["next_cursor"]:
        page = await integrity.client.get(
            "/v1/integrity/warnings", params={"limit": 1, "cursor": body["next_cursor"]}, headers=inspector
        )
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [w["subject_id"] for w in body["items"]]
    assert seen == ["page-2", "page-1", "page-0"], "each exactly once, in the order first seen"

    changed = await integrity.warnings(inspector, changed_since=before.isoformat())
    assert [w["subject_id"] for w in changed] == ["page-0"], "changed_since: what changed since the last sync"
    naive = await integrity.client.get(
        "/v1/integrity/warnings", params={"changed_since": "2026-03-02T10:00:00"}, headers=inspector
    )
    assert naive.status_code == 422 and naive.json()["type"].endswith("/validation")
