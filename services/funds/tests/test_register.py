"""Funds emits findings, integrity owns their state (issue 9): what funds sends, once per key and write.

- A scan does not send again a warning an inspector dismissed or concluded, unless its evidence changed;
  a problem that comes back after it was resolved is a new episode (a new key), not the old one reopened.
- A complaint about a subject with an open warning adds nothing in funds (integrity raises the warning).
- The findings of one batch with one key are one ``warnings.raised.v1`` with ``occurrences``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sunlight.db import outbox_table

from .conftest import Maker, eventually, org, person
from .test_linkage import disposed, publisher
from .test_rules_api import of, scan


@pytest.fixture
async def publish(backend: Any) -> AsyncIterator[Any]:
    async with publisher(backend) as send:
        yield send


async def raised_events(app: Any, rule: str | None = None, subject: str | None = None) -> list[dict[str, Any]]:
    """The ``warnings.raised.v1`` events funds put on its outbox (what it sent to integrity), oldest first."""
    async with app.state.db.sessions() as session:
        query = select(outbox_table.c.body).where(outbox_table.c.type == "warnings.raised.v1")
        rows = (await session.execute(query.order_by(outbox_table.c.id))).scalars().all()
    events = [json.loads(body)["data"] for body in rows]
    return [
        e
        for e in events
        if (rule is None or e["rule_id"] == rule) and (subject is None or e["subject"]["id"] == subject)
    ]


async def dispose(make: Maker, publish_: Any, w: dict, status: str) -> dict:
    """Integrity reports a disposition's ``status``; funds shows the register's (concluded → closed)."""
    await publish_(disposed(w, status=status, disposition="inquiry"), "/sunlight/integrity")
    shown = {"concluded": "closed", "open": "in_disposition", "in_progress": "in_disposition"}.get(status, status)

    async def applied() -> dict | None:
        (seen,) = await make.warnings(dedupe_key=w["dedupe_key"])
        return seen if seen["status"] == shown else None

    return await eventually(applied)


async def test_a_dismissed_idle_funds_warning_stays_dismissed_and_a_new_episode_is_a_new_warning(
    make: Maker, funds_app, publish
):
    t = await make.tree(budget_fen=200_000, budget_approved_on="2025-01-01")
    await make.down(t, 50_000, to="county", on="2025-01-10")
    await scan(funds_app, "2025-05-01")
    (w,) = of(await make.warnings(), "FUNDS-IDLE-FUNDS", t.county["id"])
    assert w["evidence"]["idle_since"] == "2025-04-11", "90 days after it arrived, the money is idle"
    assert w["dedupe_key"].endswith(f"node:{t.county['id']}:since:2025-04-11")
    await dispose(make, publish, w, "dismissed")

    # part of the idle money is spent: the same episode, and a scan sends nothing
    await make.pay(t.county, 10_000, org(), occurred_on="2025-05-05")
    sent = len(await raised_events(funds_app, "FUNDS-IDLE-FUNDS", t.county["id"]))
    again = await scan(funds_app, "2025-05-10")
    assert again["findings"].get("FUNDS-IDLE-FUNDS")
    assert len(await raised_events(funds_app, "FUNDS-IDLE-FUNDS", t.county["id"])) == sent == 1
    (w,) = of(await make.warnings(), "FUNDS-IDLE-FUNDS", t.county["id"])
    assert (w["status"], w["occurrences"]) == ("dismissed", 1), "funds never reopens what integrity closed"

    # spent down to nothing, then new money that idles in turn: a new episode, a new warning
    await make.pay(t.county, 40_000, org(), occurred_on="2025-05-20")
    await scan(funds_app, "2025-05-25")
    assert len(await raised_events(funds_app, "FUNDS-IDLE-FUNDS", t.county["id"])) == 1
    for parent, child in ((t.root, t.dept), (t.dept, t.county)):
        for kind in ("allocate", "disburse"):
            await make.move(kind=kind, from_node_id=parent["id"], to_node_id=child["id"], amount_fen=30_000,
                            occurred_on="2025-06-01")  # fmt: skip
    await scan(funds_app, "2025-09-15")
    idle = {x["evidence"]["idle_since"]: x for x in of(await make.warnings(), "FUNDS-IDLE-FUNDS", t.county["id"])}
    assert set(idle) == {"2025-04-11", "2025-08-31"}
    assert idle["2025-04-11"]["status"] == "dismissed" and idle["2025-08-31"]["status"] == "open"
    assert idle["2025-08-31"]["evidence"]["idle_fen"] == 30_000


async def test_a_concluded_late_pass_down_is_sent_again_only_with_new_evidence(make: Maker, funds_app, publish):
    t = await make.tree(budget_fen=150_000, budget_approved_on="2025-01-01")
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100_000,
                    occurred_on="2025-01-10")  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=60_000,
                    occurred_on="2025-01-20")  # 40k held past the deadline of 2025-03-11  # fmt: skip
    await scan(funds_app, "2025-03-20")
    (w,) = of(await make.warnings(), "FUNDS-LATE-PASS-DOWN", t.dept["id"])
    assert w["level"] == "orange" and w["evidence"]["late_since"] == "2025-03-11"
    await dispose(make, publish, w, "concluded")
    sent = len(await raised_events(funds_app, "FUNDS-LATE-PASS-DOWN", t.dept["id"]))
    await scan(funds_app, "2025-03-25")
    assert len(await raised_events(funds_app, "FUNDS-LATE-PASS-DOWN", t.dept["id"])) == sent == 1, (
        "only the days late grew: nothing new to send"
    )
    await scan(funds_app, "2025-04-15")  # 35 days late: red is new evidence; reopening is integrity's call
    (w,) = of(await make.warnings(), "FUNDS-LATE-PASS-DOWN", t.dept["id"])
    assert (w["level"], w["occurrences"], w["status"]) == ("red", 2, "closed")
    (event,) = (await raised_events(funds_app, "FUNDS-LATE-PASS-DOWN", t.dept["id"]))[sent:]
    assert event["level"] == "red" and event["dedupe_key"] == w["dedupe_key"]

    # passed on late, then a new receipt held late months later: another episode, another warning
    await make.move(kind="allocate", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=40_000,
                    occurred_on="2025-04-20")  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=50_000,
                    occurred_on="2025-06-01")  # fmt: skip
    await scan(funds_app, "2025-08-10")
    late = {x["evidence"]["late_since"]: x for x in of(await make.warnings(), "FUNDS-LATE-PASS-DOWN", t.dept["id"])}
    assert set(late) == {"2025-03-11", "2025-07-31"}
    assert late["2025-07-31"]["status"] == "open" and late["2025-07-31"]["occurrences"] == 1


async def test_a_complaint_about_a_subject_with_an_open_warning_adds_nothing_in_funds(make: Maker, publish):
    """Integrity raises the subject's open warnings one level; funds neither escalates them nor adds its own."""
    from datetime import UTC, datetime

    from sunlight.events.contracts.common import SubjectRef
    from sunlight.events.contracts.complaints import ReportFiled

    t = await make.tree(budget_fen=10_000)
    await make.move(409, kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=20_000)
    (overspend,) = await make.warnings(rule_id="FUNDS-OVERSPEND")

    def report(report_id: str, kind: str, ident: str) -> ReportFiled:
        return ReportFiled(report_id=report_id, region_code="130300", category="fund_misuse",
                           subject=SubjectRef(service="funds", kind=kind, id=ident), anonymous=True,
                           filed_at=datetime.now(UTC))  # fmt: skip

    async def complaints(node: str) -> list[dict]:
        return [w for w in await make.warnings(rule_id="FUNDS-COMPLAINT") if w["subject_id"] == node]

    await publish(report("R-1", "programme", t.pid), "/sunlight/complaints")  # the programme has an open warning
    await publish(report("R-2", "node", t.town["id"]), "/sunlight/complaints")  # the township has none
    (town,) = await eventually(lambda: complaints(t.town["id"]))
    assert town["level"] == "blue" and town["evidence"]["report_id"] == "R-2"
    (seen,) = await make.warnings(rule_id="FUNDS-OVERSPEND")
    assert (seen["level"], seen["occurrences"], seen["evidence"]) == ("red", 1, overspend["evidence"])
    assert await complaints(t.pid) == []

    # a second report on the township while its complaint warning is open: integrity's; a report on another
    # node shows that the second one has been handled
    await publish(report("R-3", "node", t.town["id"]), "/sunlight/complaints")
    await publish(report("R-4", "node", t.county["id"]), "/sunlight/complaints")
    await eventually(lambda: complaints(t.county["id"]))
    (town,) = await complaints(t.town["id"])
    assert (town["level"], town["occurrences"], town["evidence"]["report_id"]) == ("blue", 1, "R-2")

    # dismissed, then a new report: a warning of its own (one per report), the dismissed one stays dismissed
    await dispose(make, publish, town, "dismissed")
    await publish(report("R-5", "node", t.town["id"]), "/sunlight/complaints")

    async def two() -> list:
        found = await complaints(t.town["id"])
        return found if len(found) == 2 else []

    statuses = {w["evidence"]["report_id"]: w["status"] for w in await eventually(two)}
    assert statuses == {"R-2": "dismissed", "R-5": "open"}


async def test_a_batch_sends_one_event_per_key_with_its_occurrences(make: Maker, funds_app):
    """30 equal payments to one supplier on one day: 29 possible duplicates of one key are one event."""
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 500_000, to="county")
    before = await raised_events(funds_app)
    body = [{"kind": "expend", "from_node_id": t.county["id"], "amount_fen": 1_000, "occurred_on": "2025-03-02",
             "payee": org(), "reference": f"T-{i}"} for i in range(30)]  # fmt: skip
    r = await make.client.post("/v1/funds/movements/batch", params={"batch_key": "agg"}, json=body,
                               headers=make.headers)  # fmt: skip
    assert r.status_code == 201, r.text
    ids = r.json()["movement_ids"]
    events = [e for e in (await raised_events(funds_app))[len(before) :] if e["rule_id"] == "FUNDS-DUPLICATE-PAYMENT"]
    assert len(events) == 1, [e["dedupe_key"] for e in events]
    (event,) = events
    assert event["occurrences"] == 29
    summary = event["evidence"]["aggregate"]
    assert (summary["occurrences"], summary["amount_fen"]) == (29, 29_000)
    assert (summary["first_record_id"], summary["last_record_id"]) == (ids[1], ids[29])
    assert summary["record_ids"] == ids[1:21] and summary["record_ids_truncated"] is True
    assert r.json()["warnings_raised"] == len([e for e in (await raised_events(funds_app))[len(before) :]])
    (w,) = of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT")
    assert w["occurrences"] == 29 and w["evidence"]["aggregate"]["occurrences"] == 29
    assert "name" not in json.dumps(summary) and "uscc" not in json.dumps(summary)

    # the next batch adds its own occurrences to the same key, still one event
    more = [{**p, "reference": f"U-{i}"} for i, p in enumerate(body[:3])]
    r = await make.client.post("/v1/funds/movements/batch", params={"batch_key": "agg-2"}, json=more,
                               headers=make.headers)  # fmt: skip
    assert r.status_code == 201
    (w,) = of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT")
    assert w["occurrences"] == 32


async def test_people_paid_once_each_raise_nothing(make: Maker, funds_app):
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 500_000, to="town")
    before = len(await raised_events(funds_app))
    body = [{"kind": "expend", "from_node_id": t.town["id"], "amount_fen": 1_000 + i, "occurred_on": "2025-03-02",
             "payee": person(200 + i, account=None), "category": "subsidy"} for i in range(20)]  # fmt: skip
    r = await make.client.post("/v1/funds/movements/batch", params={"batch_key": "p"}, json=body, headers=make.headers)
    assert r.status_code == 201 and r.json()["warnings_raised"] == 0
    assert len(await raised_events(funds_app)) == before
