"""Many writers at once never overspend: row locks on PostgreSQL, BEGIN IMMEDIATE on SQLite.

The requests run concurrently through the ASGI app against the real database (50 at a time,
more than the connection pool holds), and afterwards the ledger is recomputed from its
movements and compared with the balances on the nodes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

from funds.models import Movement, MovementKind, Node
from sqlalchemy import select
from sunlight.db import Database

from .conftest import Maker, org


async def recomputed(url: str, programme_id: str) -> tuple[dict, dict]:
    """Node balances as stored, and as the movements add them up."""
    programme = uuid.UUID(programme_id)
    db = Database(url)
    try:
        async with db.sessions() as session:
            nodes = (await session.execute(select(Node).where(Node.programme_id == programme))).scalars().all()
            moves = (await session.execute(select(Movement).where(Movement.programme_id == programme))).scalars().all()
    finally:
        await db.dispose()
    stored = {
        n.id: (n.received_fen, n.passed_on_fen, n.disbursed_in_fen, n.disbursed_out_fen, n.spent_fen) for n in nodes
    }
    acc: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    K = MovementKind
    for m in moves:
        x = m.amount_fen
        if m.kind == K.BUDGET:
            acc[m.to_node_id][0] += x
            acc[m.to_node_id][2] += x
        elif m.kind == K.ALLOCATE:
            acc[m.from_node_id][1] += x
            acc[m.to_node_id][0] += x
        elif m.kind == K.DISBURSE:
            acc[m.from_node_id][3] += x
            acc[m.to_node_id][2] += x
        elif m.kind == K.EXPEND:
            acc[m.from_node_id][4] += x
        elif m.kind == K.REFUND and m.refund_of_id:
            acc[m.to_node_id][4] -= x
        elif m.kind == K.REFUND:
            acc[m.from_node_id][0] -= x
            acc[m.from_node_id][2] -= x
            acc[m.to_node_id][1] -= x
            acc[m.to_node_id][3] -= x
        elif m.kind == K.ADJUST:
            acc[m.from_node_id][0] -= x
            acc[m.to_node_id][1] -= x
    return stored, {n.id: tuple(acc[n.id]) for n in nodes}


async def test_fifty_parallel_allocations_from_one_node_never_overspend(make: Maker, funds_settings):
    budget, each, attempts = 1_000_000, 30_000, 50
    p = await make.programme(budget_fen=budget)
    root = await make.node(p["id"], "finance_bureau", "秦皇岛市财政局", "130300")
    children = [await make.node(p["id"], "county", f"县{i}", "130302", root["id"]) for i in range(5)]

    async def allocate(i: int) -> int:
        r = await make.client.post(
            "/v1/funds/movements",
            headers=make.headers,
            json={
                "from_node_id": root["id"],
                "to_node_id": children[i % 5]["id"],
                "amount_fen": each,
                "occurred_on": "2025-03-01",
            },
        )
        assert r.status_code in (201, 409), r.text
        if r.status_code == 409:
            assert r.json()["type"].endswith("/overspend")
        return r.status_code

    statuses = await asyncio.gather(*(allocate(i) for i in range(attempts)))
    granted = statuses.count(201)
    assert granted == budget // each == 33, "exactly as many as the budget holds, whatever the interleaving"
    assert statuses.count(409) == attempts - granted

    nodes = await make.nodes(p["id"])
    assert nodes[root["id"]]["passed_on_fen"] == granted * each <= nodes[root["id"]]["received_fen"]
    assert sum(nodes[c["id"]]["received_fen"] for c in children) == granted * each
    stored, ledger = await recomputed(funds_settings.effective_database_url(), p["id"])
    assert stored == ledger, "every balance equals the sum of its movements"
    refusals = await make.client.get("/v1/funds/refusals", headers=make.headers, params={"limit": 100})
    assert len(refusals.json()["items"]) == attempts - granted


async def test_parallel_payments_and_refunds_up_and_down_keep_the_ledger_whole(make: Maker, funds_settings):
    """Writers going up and down the same pair of nodes lock in one order: no deadlock, no overspend."""
    t = await make.tree(budget_fen=200_000)
    await make.down(t, 150_000, to="county")

    async def one(i: int) -> int:
        if i % 3 == 0:
            body = {"kind": "expend", "from_node_id": t.county["id"], "amount_fen": 7_000, "payee": org()}
        elif i % 3 == 1:
            body = {"kind": "refund", "from_node_id": t.county["id"], "to_node_id": t.dept["id"], "amount_fen": 5_000}
        else:
            body = {"kind": "disburse", "from_node_id": t.dept["id"], "to_node_id": t.county["id"], "amount_fen": 5_000}
        r = await make.client.post(
            "/v1/funds/movements", headers=make.headers, json={**body, "occurred_on": "2025-04-01"}
        )
        assert r.status_code in (201, 409), r.text
        return r.status_code

    await asyncio.gather(*(one(i) for i in range(45)))
    stored, ledger = await recomputed(funds_settings.effective_database_url(), t.pid)
    assert stored == ledger
    for received, passed_on, cash_in, cash_out, spent in stored.values():
        assert 0 <= passed_on + spent <= received and 0 <= cash_out + spent <= cash_in <= received
    trace = (await make.client.get(f"/v1/funds/programmes/{t.pid}/trace", headers=make.headers)).json()
    assert trace["conserved"], trace["discrepancies"]
