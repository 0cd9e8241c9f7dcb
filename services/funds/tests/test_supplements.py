"""Budget supplements (追加预算) as movements: the ledger, the budget and the trace take them in (issue 9)."""

from __future__ import annotations

from .conftest import Maker, org

DOC = "秦财预〔2025〕88号"


async def trace(make: Maker, pid: str) -> dict:
    r = await make.client.get(f"/v1/funds/programmes/{pid}/trace", headers=make.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_supplement_to_the_root_raises_the_budget_and_can_be_passed_down(make: Maker):
    t = await make.tree(budget_fen=100_000)
    await make.down(t, 100_000, to="county")
    short = await make.move(409, kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=1)
    assert short["limit"] == "quota"
    # the approval document is required; money comes from outside the tree, not from a node
    await make.move(422, kind="supplement", to_node_id=t.root["id"], amount_fen=50_000)
    await make.move(
        422, kind="supplement", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=50_000, reference=DOC
    )
    sup = await make.move(kind="supplement", to_node_id=t.root["id"], amount_fen=50_000, reference=DOC)
    assert (sup["kind"], sup["reference"], sup["from_node_id"]) == ("supplement", DOC, None)
    programme = (await make.client.get(f"/v1/funds/programmes/{t.pid}", headers=make.headers)).json()
    assert programme["budget_fen"] == 150_000
    await make.down(t, 50_000, to="county")
    nodes = await make.nodes(t.pid)
    assert (nodes[t.root["id"]]["received_fen"], nodes[t.county["id"]]["received_fen"]) == (150_000, 150_000)
    got = await trace(make, t.pid)
    assert got["conserved"] and got["discrepancies"] == []


async def test_a_county_supplement_adds_its_own_money_and_the_trace_stays_whole(make: Maker, outsider):
    t = await make.tree(budget_fen=100_000)
    await make.down(t, 60_000, to="county")
    await make.pay(t.county, 70_000, org(), expect=409)
    await make.move(kind="supplement", to_node_id=t.county["id"], amount_fen=20_000, reference="海财预〔2025〕7号")
    await make.pay(t.county, 70_000, org())
    nodes = await make.nodes(t.pid)
    county = nodes[t.county["id"]]
    assert (county["received_fen"], county["spent_fen"], county["available_fen"]) == (80_000, 70_000, 10_000)
    got = await trace(make, t.pid)
    assert got["conserved"], got["discrepancies"]
    assert got["programme"]["budget_fen"] == 120_000
    # another region's bureau does not see the node
    await make.move(404, headers=outsider, kind="supplement", to_node_id=t.county["id"], amount_fen=1, reference="x")


async def test_a_supplement_names_the_budget_line_it_adds_to(make: Maker):
    lines = [{"code": "2130122", "name": "农业生产发展", "amount_fen": 60_000},
             {"code": "2130153", "name": "农田建设", "amount_fen": 40_000}]  # fmt: skip
    t = await make.tree(budget_fen=100_000, budget_lines=lines)
    bad = await make.move(422, kind="supplement", to_node_id=t.root["id"], amount_fen=10_000, reference=DOC)
    assert bad["type"].endswith("/unknown-budget-line")
    await make.move(
        kind="supplement", to_node_id=t.root["id"], amount_fen=10_000, reference=DOC, budget_line_code="2130153"
    )
    programme = (await make.client.get(f"/v1/funds/programmes/{t.pid}", headers=make.headers)).json()
    by_code = {line["code"]: line["amount_fen"] for line in programme["budget_lines"]}
    assert programme["budget_fen"] == 110_000 and by_code == {"2130122": 60_000, "2130153": 50_000}
