"""Cardinal's per-tender indicators, live: evaluated as a tender is opened, awarded and contracted, each flag a
finding and a ``warnings.raised.v1`` event on the outbox in the same transaction (fire and no-fire)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sunlight.db import outbox_table

from .conftest import Maker


async def raised(app: FastAPI, rule: str) -> list[dict[str, Any]]:
    """The warning events tenders put on its outbox for this rule, oldest first."""
    async with app.state.db.sessions() as session:
        query = select(outbox_table.c.body).where(outbox_table.c.type == "warnings.raised.v1")
        rows = (await session.execute(query.order_by(outbox_table.c.id))).scalars().all()
    return [e for e in (json.loads(body)["data"] for body in rows) if e["rule_id"] == rule]


async def test_a_single_bid_is_flagged_when_the_bids_are_opened(make: Maker, tenders_app: FastAPI):
    alone, contested = await make.tender(), await make.tender()
    lone = await make.enterprise("独家建设")
    await make.bid(alone, lone, 1_400_000_000)
    for i in range(2):
        await make.bid(contested, await make.enterprise(f"竞争{i}"), 1_400_000_000 + i * 1_000_000)
    assert await make.findings(rule_id="TENDERS-CARDINAL-R018") == [], "not before the opening"
    await make.open(alone)
    await make.open(contested)
    found = await make.findings(rule_id="TENDERS-CARDINAL-R018")
    assert [f["tender_id"] for f in found] == [alone["id"]]
    assert found[0]["level"] == "orange"
    assert found[0]["dedupe_key"] == f"130302:TENDERS-CARDINAL-R018:tender:{alone['id']}"
    events = await raised(tenders_app, "TENDERS-CARDINAL-R018")
    assert [(e["subject"]["id"], e["dedupe_key"]) for e in events] == [(alone["id"], found[0]["dedupe_key"])]

    # The award sees the same single bid: nothing new is sent, the register is not told the same fact twice.
    await make.evaluate_lowest(alone)
    await make.award(alone)
    assert len(await raised(tenders_app, "TENDERS-CARDINAL-R018")) == 1
    assert (await make.findings(rule_id="TENDERS-CARDINAL-R018"))[0]["occurrences"] == 1


async def test_identical_prices_of_different_bidders(make: Maker):
    same, different = await make.tender(), await make.tender()
    a, b, c = [await make.enterprise(n) for n in ("甲", "乙", "丙")]
    for tender, prices in ((same, (1_400_000_000, 1_400_000_000, 1_410_000_000)), (different, (1, 2, 3))):
        for company, price in zip((a, b, c), prices, strict=True):
            await make.bid(tender, company, price if price > 10 else 1_400_000_000 + price)
        await make.open(tender)
    found = await make.findings(rule_id="TENDERS-CARDINAL-R028")
    assert [f["tender_id"] for f in found] == [same["id"]]
    assert found[0]["evidence"]["tenderers"] == sorted(f"CN-USCC-{x['uscc']}" for x in (a, b))


async def test_the_lowest_bid_disqualified_and_the_award_made(make: Maker):
    flagged, clean = await make.tender(), await make.tender()
    for tender in (flagged, clean):
        low = await make.bid(tender, await make.enterprise(), 1_300_000_000)
        await make.bid(tender, await make.enterprise(), 1_350_000_000)
        await make.open(tender)
        disqualified = [{"bid_id": low["id"], "reason": "保证金未缴"}] if tender is flagged else []
        await make.evaluate_lowest(tender, disqualified=disqualified)
        assert await make.findings(rule_id="TENDERS-CARDINAL-R036", tender_id=tender["id"]) == [], "no award yet"
        await make.award(tender)
    found = await make.findings(rule_id="TENDERS-CARDINAL-R036")
    assert [f["tender_id"] for f in found] == [flagged["id"]]
    # Two bids, the other one disqualified and the winner alone valid: R035 fires too.
    assert [f["tender_id"] for f in await make.findings(rule_id="TENDERS-CARDINAL-R035")] == [flagged["id"]]
