"""Fund tracing: the chain per node and per tier, a payment's path to its budget line, the funnel."""

from __future__ import annotations

import uuid

from .conftest import Maker, org, person


async def test_the_trace_adds_up_per_node_and_per_tier(make: Maker, funds, keys):
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 600_000, to="county")
    await make.move(kind="allocate", from_node_id=t.county["id"], to_node_id=t.town["id"], amount_fen=200_000)
    await make.pay(t.county, 150_000, person(1))
    r = await funds.get(f"/v1/funds/programmes/{t.pid}/trace", headers=make.headers)
    assert r.status_code == 200
    trace = r.json()
    assert trace["conserved"] is True and trace["discrepancies"] == []
    nodes = {n["name"]: n for n in trace["nodes"]}
    county = nodes["海港区农业农村局"]
    assert county["depth"] == 2
    assert (county["received_fen"], county["passed_on_fen"], county["spent_fen"], county["idle_fen"]) == (
        600_000,
        200_000,
        150_000,
        450_000,
    )
    assert county["children_received_fen"] == 200_000 == nodes["海港镇"]["received_fen"]
    tiers = {x["tier"]: x for x in trace["tiers"]}
    assert list(tiers) == ["finance_bureau", "department", "county", "township"]
    assert tiers["finance_bureau"]["idle_fen"] == 400_000 and tiers["township"]["idle_fen"] == 0
    assert sum(x["spent_fen"] for x in tiers.values()) == 150_000
    # a district reader sees its own part of a programme it may read … and cannot read a city programme
    district = keys.auth(scopes="funds:read", regions=["130302"])
    assert (await funds.get(f"/v1/funds/programmes/{t.pid}/trace", headers=district)).status_code == 404


async def test_a_payment_leads_back_to_its_budget_line(make: Maker, funds):
    t = await make.tree(
        budget_fen=1_000_000,
        budget_lines=[
            {"code": "2130122", "name": "农业生产发展", "source": "central", "amount_fen": 800_000},
            {"code": "2130153", "name": "农田建设", "source": "provincial", "amount_fen": 200_000},
        ],
    )
    await make.down(t, 500_000, to="town", on="2025-02-01")
    pay = await make.pay(t.town, 20_000, person(2), budget_line_code="2130153", occurred_on="2025-03-01")
    r = await funds.get(f"/v1/funds/movements/{pay['id']}/path", headers=make.headers)
    assert r.status_code == 200
    path = r.json()
    assert path["payment"]["id"] == pay["id"] and path["payment"]["payee"]["name"] == "张**"
    assert path["budget_line"]["code"] == "2130153" and path["budget_line"]["spent_fen"] == 20_000
    assert [h["node"]["name"] for h in path["hops"]] == ["海港镇", "海港区农业农村局", "市农业农村局", "秦皇岛市财政局"]
    town = path["hops"][0]
    assert sorted(m["kind"] for m in town["inflows"]) == ["allocate", "disburse"]
    assert [m["kind"] for m in path["hops"][-1]["inflows"]] == ["budget"]
    assert path["programme"]["budget_lines"][1]["spent_fen"] == 20_000


async def test_the_funnel(make: Maker, funds, acceptor, auditor):
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 800_000, to="county")
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100_000)
    a = await make.pay(t.county, 300_000, org())
    b = await make.pay(t.county, 100_000, org())
    await make.move(kind="refund", refund_of=b["id"], amount_fen=20_000)
    for subject in ({"kind": "movement", "id": a["id"]},):
        r = await funds.post(
            "/v1/funds/acceptances",
            headers=acceptor,
            json={"subject": subject, "result": "passed", "accepted_on": "2025-04-01", "inspector_unit": "验收组"},
        )
        assert r.status_code == 201
    r = await funds.post(
        "/v1/funds/audits",
        headers=auditor,
        json={"subject": {"kind": "node", "id": t.county["id"]}, "auditor": "审计局", "audited_on": "2025-05-01"},
    )
    assert r.status_code == 201
    funnel = (await funds.get(f"/v1/funds/programmes/{t.pid}/funnel", headers=make.headers)).json()
    assert (funnel["budget_fen"], funnel["allocated_fen"], funnel["disbursed_fen"]) == (1_000_000, 900_000, 800_000)
    assert (funnel["spent_fen"], funnel["accepted_fen"], funnel["audited_fen"]) == (380_000, 300_000, 380_000)
    stages = {s["stage"]: s for s in funnel["stages"]}
    assert stages["allocated"]["of_budget_percent"] == 90.0 and stages["spent"]["of_previous_percent"] == 47.5
    assert stages["budget"]["of_previous_percent"] is None


async def test_the_trace_recomputes_every_node_from_its_movements(make: Maker, funds, funds_app):
    """Counters changed behind the ledger's back — the same amount on a parent and its child, or a node's
    spending alone — agree with each other but not with the movements: the trace says where."""
    from funds.models import Node
    from sqlalchemy import update

    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 600_000, to="county")
    await make.pay(t.county, 150_000, person(1))
    await make.move(kind="refund", refund_of=(await make.pay(t.county, 10_000, org()))["id"], amount_fen=4_000)
    trace = (await funds.get(f"/v1/funds/programmes/{t.pid}/trace", headers=make.headers)).json()
    assert trace["conserved"] is True, trace["discrepancies"]

    async with funds_app.state.db.sessions() as session:
        for node_id, values in (
            (t.root["id"], {"passed_on_fen": Node.passed_on_fen + 1_000}),
            (t.dept["id"], {"received_fen": Node.received_fen + 1_000}),
            (t.county["id"], {"spent_fen": Node.spent_fen - 6_000}),
        ):
            await session.execute(update(Node).where(Node.id == uuid.UUID(node_id)).values(**values))
        await session.commit()
    trace = (await funds.get(f"/v1/funds/programmes/{t.pid}/trace", headers=make.headers)).json()
    assert trace["conserved"] is False
    found = sorted(trace["discrepancies"])
    assert found == sorted(
        [
            f"{t.root['id']}: passed_on_fen is 601000, its movements add up to 600000",
            f"{t.dept['id']}: received_fen is 601000, its movements add up to 600000",
            f"{t.county['id']}: spent_fen is 150000, its movements add up to 156000",
        ]
    ), found
