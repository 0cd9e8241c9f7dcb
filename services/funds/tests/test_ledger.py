"""The ledger: every kind of movement, its invariants, its refusals, regions and idempotency."""

from __future__ import annotations

from funds.models import Payee
from sqlalchemy import select
from sunlight.db import Database, outbox_table

from .conftest import CITY, DISTRICT, Maker, org, person


async def test_allocate_keeps_its_promised_shape(funds, writer):
    """The foundation slice's allocate (no kind, four fields) answers as it always did."""
    r = await funds.post(
        "/v1/funds/programmes",
        headers=writer,
        json={
            "code": "P1",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2026,
            "budget_fen": 1_000_000,
            "region_code": CITY,
        },
    )
    pid = r.json()["id"]
    root = (await funds.post(f"/v1/funds/programmes/{pid}/nodes", headers=writer, json={
        "tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": CITY})).json()  # fmt: skip
    child = (await funds.post(f"/v1/funds/programmes/{pid}/nodes", headers=writer, json={
        "parent_id": root["id"], "tier": "county", "name": "海港区", "region_code": DISTRICT})).json()  # fmt: skip
    body = {"from_node_id": root["id"], "to_node_id": child["id"], "amount_fen": 600_000, "occurred_on": "2026-03-01"}
    ok = await funds.post("/v1/funds/movements", headers=writer, json=body)
    assert ok.status_code == 201, ok.text
    assert ok.json()["kind"] == "allocate" and ok.json()["amount_fen"] == 600_000
    refused = await funds.post("/v1/funds/movements", headers=writer, json=body)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "https://sunlight.example/problems/overspend"
    assert problem["available_fen"] == 400_000 and problem["requested_fen"] == 600_000 and problem["limit"] == "quota"


async def test_money_flows_down_and_back_and_every_balance_follows(make: Maker):
    t = await make.tree(budget_fen=1_000_000)
    await make.down(t, 600_000, to="county")
    nodes = await make.nodes(t.pid)
    root, dept, county = nodes[t.root["id"]], nodes[t.dept["id"]], nodes[t.county["id"]]
    assert (root["received_fen"], root["passed_on_fen"], root["cash_fen"]) == (1_000_000, 600_000, 400_000)
    assert (dept["received_fen"], dept["passed_on_fen"], dept["cash_fen"], dept["available_fen"]) == (
        600_000,
        600_000,
        0,
        0,
    )
    assert (county["received_fen"], county["disbursed_in_fen"], county["cash_fen"]) == (600_000, 600_000, 600_000)

    pay = await make.pay(t.county, 100_000, person(1), category="subsidy", reference="V-1")
    assert pay["kind"] == "expend" and pay["payee"]["name"] == "张**" and pay["payee"]["account"] == "****2233"
    assert "resident_id" not in str(pay) and "6222020200112233" not in str(pay)
    refund = await make.move(kind="refund", refund_of=pay["id"], amount_fen=30_000)
    assert refund["to_node_id"] == t.county["id"] and refund["refund_of"] == pay["id"]
    back = await make.move(kind="refund", from_node_id=t.county["id"], to_node_id=t.dept["id"], amount_fen=50_000)
    assert back["kind"] == "refund"
    await make.move(kind="allocate", from_node_id=t.county["id"], to_node_id=t.town["id"], amount_fen=100_000)
    withdrawn = await make.move(kind="adjust", from_node_id=t.town["id"], to_node_id=t.county["id"], amount_fen=40_000)
    assert withdrawn["kind"] == "adjust"

    nodes = await make.nodes(t.pid)
    county, dept, town = nodes[t.county["id"]], nodes[t.dept["id"]], nodes[t.town["id"]]
    # county: received 600k − 50k back; spent 100k − 30k refunded; passed 100k − 40k withdrawn to the town
    assert county["received_fen"] == 550_000 and county["spent_fen"] == 70_000 and county["passed_on_fen"] == 60_000
    assert county["disbursed_in_fen"] == 550_000 and county["cash_fen"] == 480_000
    assert dept["passed_on_fen"] == 550_000 and dept["disbursed_out_fen"] == 550_000 and dept["cash_fen"] == 50_000
    assert town["received_fen"] == 60_000 and town["disbursed_in_fen"] == 0
    got = await make.client.get(f"/v1/funds/movements/{pay['id']}", headers=make.headers)
    assert got.json()["refunded_fen"] == 30_000


async def test_every_limit_refuses_records_and_warns(make: Maker, funds):
    t = await make.tree(
        budget_fen=1_000_000,
        budget_lines=[
            {"code": "2130122", "name": "农业生产发展", "amount_fen": 900_000},
            {"code": "2130199", "name": "其他", "amount_fen": 100_000},
        ],
    )
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=500_000)
    cases = [
        # (body, limit, available)
        ({"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 500_001},
         "quota", 500_000),
        ({"kind": "disburse", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 500_001},
         "allocation", 500_000),
        ({"kind": "disburse", "from_node_id": t.dept["id"], "to_node_id": t.county["id"], "amount_fen": 1},
         "cash", 0),
        ({"kind": "expend", "from_node_id": t.root["id"], "amount_fen": 100_001, "payee": org(),
          "budget_line_code": "2130199"}, "budget_line", 100_000),
        ({"kind": "refund", "from_node_id": t.dept["id"], "to_node_id": t.root["id"], "amount_fen": 1}, "cash", 0),
        ({"kind": "adjust", "from_node_id": t.dept["id"], "to_node_id": t.root["id"], "amount_fen": 500_001},
         "quota", 500_000),
    ]  # fmt: skip
    for body, limit, available in cases:
        problem = await make.move(409, occurred_on="2025-03-02", **body)
        assert problem["type"].endswith("/overspend"), body
        assert (problem["limit"], problem["available_fen"]) == (limit, available), body

    refusals = (await funds.get("/v1/funds/refusals", headers=make.headers, params={"programme_id": t.pid})).json()
    assert len(refusals["items"]) == len(cases)
    assert {r["reason"] for r in refusals["items"]} == {f"overspend:{c[1]}" for c in cases}
    warned = await make.warnings(rule_id="FUNDS-OVERSPEND")
    by_node = {w["subject_id"]: w for w in warned}
    assert set(by_node) == {t.root["id"], t.dept["id"]}
    root_warning = by_node[t.root["id"]]
    assert root_warning["level"] == "red" and root_warning["status"] == "open" and root_warning["occurrences"] == 3
    assert root_warning["evidence"]["limit"] == "budget_line" and root_warning["evidence"]["available_fen"] == 100_000
    nodes = await make.nodes(t.pid)
    assert nodes[t.root["id"]]["passed_on_fen"] == 500_000 and nodes[t.root["id"]]["spent_fen"] == 0


async def test_structure_errors_are_problems_and_write_nothing(make: Maker):
    t = await make.tree()
    await make.down(t, 1_000, to="dept")
    not_child = await make.move(
        422, kind="allocate", from_node_id=t.root["id"], to_node_id=t.county["id"], amount_fen=1
    )
    assert not_child["type"].endswith("/not-a-child") and not_child["field"] == "/to_node_id"
    not_parent = await make.move(422, kind="refund", from_node_id=t.county["id"], to_node_id=t.root["id"], amount_fen=1)
    assert not_parent["type"].endswith("/not-the-parent")
    missing = await make.move(
        404, kind="allocate", from_node_id="00000000-0000-0000-0000-000000000000", to_node_id=t.dept["id"], amount_fen=1
    )
    assert missing["type"].endswith("/not-found")
    pay = await make.pay(t.dept, 500, org())
    too_much = await make.move(422, kind="refund", refund_of=pay["id"], amount_fen=501)
    assert too_much["type"].endswith("/refund-exceeds-payment") and too_much["left_fen"] == 500
    alloc = (await make.client.get("/v1/funds/movements", headers=make.headers, params={"kind": "allocate"})).json()
    wrong = await make.move(422, kind="refund", refund_of=alloc["items"][0]["id"], amount_fen=1)
    assert wrong["type"].endswith("/not-a-payment")
    bad_line = await make.move(
        422, kind="expend", from_node_id=t.dept["id"], amount_fen=1, payee=org(), budget_line_code="NOPE"
    )
    assert bad_line["type"].endswith("/unknown-budget-line")


async def test_input_is_validated_with_pointers(make: Maker):
    t = await make.tree()
    cases = [
        ({"kind": "expend", "from_node_id": t.root["id"], "amount_fen": 1}, "payee"),
        ({"kind": "allocate", "from_node_id": t.root["id"], "amount_fen": 1}, "to_node_id"),
        ({"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 0}, "amount_fen"),
        ({"kind": "expend", "from_node_id": t.root["id"], "amount_fen": 1, "payee": {"kind": "person", "name": "x"}},
         "resident_id"),
        ({"kind": "expend", "from_node_id": t.root["id"], "amount_fen": 1,
          "payee": {"kind": "person", "name": "x", "resident_id": "110105198001010017"}}, "resident_id"),
        ({"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 1,
          "category": "x"}, "category"),
        ({"kind": "budget", "to_node_id": t.root["id"], "amount_fen": 1}, "kind"),
    ]  # fmt: skip
    for body, field in cases:
        problem = await make.move(422, **body)
        assert problem["type"].endswith("/validation"), body
        assert field in str(problem["errors"]), (field, problem)
    assert (await make.nodes(t.pid))[t.root["id"]]["passed_on_fen"] == 0


async def test_regions_refuse_writes_and_hide_reads(make: Maker, funds, outsider, keys):
    t = await make.tree()
    await make.down(t, 1_000, to="county")
    write = await funds.post(
        "/v1/funds/movements",
        headers=outsider,
        json={"from_node_id": t.county["id"], "to_node_id": t.town["id"], "amount_fen": 1, "occurred_on": "2025-03-01"},
    )
    assert write.status_code == 404 and write.json()["type"].endswith("/not-found"), (
        "another region's node does not exist"
    )
    pay = await make.pay(t.county, 100, org())
    for path in (
        f"/v1/funds/movements/{pay['id']}",
        f"/v1/funds/programmes/{t.pid}",
        f"/v1/funds/payees/{pay['payee']['id']}",
    ):
        hidden = await funds.get(path, headers=outsider)
        assert hidden.status_code == 404, path
    listed = await funds.get("/v1/funds/movements", headers=outsider)
    assert listed.json()["items"] == []
    # a district bureau writes in its district, not in the city above it
    district = keys.auth(scopes="funds:read funds:write", regions=[DISTRICT], sub="haigang")
    up = await funds.post(
        "/v1/funds/movements",
        headers=district,
        json={"from_node_id": t.dept["id"], "to_node_id": t.county["id"], "amount_fen": 1, "occurred_on": "2025-03-01"},
    )
    assert up.status_code == 404, "the city's department is not the district's to move"
    down = await funds.post(
        "/v1/funds/movements",
        headers=district,
        json={"from_node_id": t.county["id"], "to_node_id": t.town["id"], "amount_fen": 1, "occurred_on": "2025-03-01"},
    )
    assert down.status_code == 201, down.text
    back = await funds.post(
        "/v1/funds/movements",
        headers=district,
        json={"kind": "refund", "from_node_id": t.county["id"], "to_node_id": t.dept["id"], "amount_fen": 1,
              "occurred_on": "2025-03-02"},
    )  # fmt: skip
    assert back.status_code == 201, "a child gives money back to a parent it does not see"
    withdraw = await funds.post(
        "/v1/funds/movements",
        headers=district,
        json={"kind": "adjust", "from_node_id": t.county["id"], "to_node_id": t.dept["id"], "amount_fen": 1,
              "occurred_on": "2025-03-02"},
    )  # fmt: skip
    assert withdraw.status_code == 404, "only who acts for the parent withdraws quota"


async def test_a_retried_post_replays_and_writes_once(make: Maker, funds):
    t = await make.tree(budget_fen=1_000)
    body = {"from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 800, "occurred_on": "2025-03-01"}
    headers = {**make.headers, "Idempotency-Key": "alloc-1"}
    first = await funds.post("/v1/funds/movements", headers=headers, json=body)
    again = await funds.post("/v1/funds/movements", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert (await make.nodes(t.pid))[t.root["id"]]["passed_on_fen"] == 800
    refused_key = {**make.headers, "Idempotency-Key": "alloc-2"}
    one = await funds.post("/v1/funds/movements", headers=refused_key, json=body)
    two = await funds.post("/v1/funds/movements", headers=refused_key, json=body)
    assert one.status_code == two.status_code == 409 and two.headers["idempotent-replayed"] == "true"
    refusals = (await funds.get("/v1/funds/refusals", headers=make.headers, params={"programme_id": t.pid})).json()
    assert len(refusals["items"]) == 1, "a replayed refusal is not recorded twice"


async def test_personal_data_never_reaches_events_or_storage_in_clear(make: Maker, funds_settings):
    t = await make.tree()
    await make.down(t, 10_000, to="county")
    secret_id = "110105198001010016"
    await make.pay(t.county, 1_000, person(1, name="李四光", account="6222020200998877"))
    db = Database(funds_settings.effective_database_url())
    try:
        async with db.sessions() as session:
            bodies = (await session.execute(select(outbox_table.c.body))).scalars().all()
            payees = (await session.execute(select(*Payee.__table__.c))).all()  # type: ignore[attr-defined]
    finally:
        await db.dispose()
    dump = "\n".join(bodies)
    for secret in (secret_id, "李四光", "6222020200998877"):
        assert secret not in dump
        assert all(secret not in str(row) for row in payees)
    (row,) = payees
    assert (
        row.name_masked == "李**" and row.account_tail == "8877" and row.id_hash and row.name_cipher.startswith("v1.")
    )
    assert funds_settings.cipher.decrypt(row.name_cipher, context="payee.name") == "李四光"
