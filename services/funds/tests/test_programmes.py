"""Programmes, budget lines, thresholds and the node tree."""

from __future__ import annotations

from .conftest import CITY, DISTRICT, TOWN, Maker


async def test_a_programme_keeps_its_lines_categories_and_thresholds(make: Maker, funds):
    p = await make.programme(
        budget_fen=1_000_000,
        budget_approved_on="2025-01-02",
        responsible_uscc="91110000600037341L",
        allowed_categories=["subsidy", "equipment"],
        thresholds={"approval_threshold_fen": 200_000, "pass_down_days": {"county": 60}},
        budget_lines=[
            {"code": "2130122", "name": "农业生产发展", "source": "central", "amount_fen": 700_000},
            {"code": "2130153", "name": "农田建设", "source": "provincial", "amount_fen": 300_000},
        ],
    )
    assert p["allowed_categories"] == ["subsidy", "equipment"]
    own = {k: v for k, v in p["thresholds"].items() if v is not None}
    assert own == {"approval_threshold_fen": 200_000, "pass_down_days": {"county": 60}}
    assert [(line["code"], line["amount_fen"], line["spent_fen"]) for line in p["budget_lines"]] == [
        ("2130122", 700_000, 0),
        ("2130153", 300_000, 0),
    ]
    got = await funds.get(f"/v1/funds/programmes/{p['id']}", headers=make.headers)
    assert got.json() == p
    root = await make.node(p["id"], "finance_bureau", "秦皇岛市财政局", CITY)
    assert root["received_fen"] == root["cash_fen"] == root["available_fen"] == 1_000_000
    budget = (await funds.get("/v1/funds/movements", headers=make.headers, params={"kind": "budget"})).json()
    assert budget["items"][0]["occurred_on"] == "2025-01-02", "the root receives the budget the day it was approved"


async def test_invalid_programmes_are_refused(make: Maker, funds):
    base = {"code": "X-1", "name": "n", "category": "c", "fiscal_year": 2025, "budget_fen": 100, "region_code": CITY}
    cases = [
        ({"budget_lines": [{"code": "A", "name": "a", "amount_fen": 99}]}, "add up"),
        ({"budget_lines": [{"code": "A", "name": "a", "amount_fen": 50}] * 2}, "unique"),
        ({"allowed_categories": ["a", "a"]}, "once"),
        ({"thresholds": {"idle_days": 0}}, "idle_days"),
        ({"thresholds": {"unknown": 1}}, "unknown"),
        ({"thresholds": {"pass_down_days": {"county": 0}}}, "pass-down"),
        ({"thresholds": {"pass_down_days": {"galaxy": 3}}}, "galaxy"),
        ({"region_code": "999999"}, "region_code"),
        ({"responsible_uscc": "91110000600037341A"}, "responsible_uscc"),
    ]
    for extra, needle in cases:
        r = await funds.post("/v1/funds/programmes", headers=make.headers, json={**base, **extra})
        assert r.status_code == 422, (extra, r.text)
        assert r.json()["type"].endswith("/validation") and needle in r.text, (needle, r.text)
    beijing = await funds.post("/v1/funds/programmes", headers=make.headers, json={**base, "region_code": "110000"})
    assert beijing.status_code == 403 and beijing.json()["type"].endswith("/forbidden-region")
    await make.programme(code="DUP-1")
    dup = await funds.post("/v1/funds/programmes", headers=make.headers, json={**base, "code": "DUP-1"})
    assert dup.status_code == 409 and dup.json()["type"].endswith("/duplicate-code")


async def test_programmes_are_listed_by_region_with_cursors(make: Maker, funds, outsider, keys):
    for i in range(3):
        await make.programme(code=f"L-{i}", fiscal_year=2024 + (i % 2))
    await make.programme(code="L-town", region_code=DISTRICT)
    first = (await funds.get("/v1/funds/programmes", headers=make.headers, params={"limit": 2})).json()
    assert [p["code"] for p in first["items"]] == ["L-town", "L-2"]
    rest = (
        await funds.get(
            "/v1/funds/programmes", headers=make.headers, params={"limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [p["code"] for p in rest["items"]] == ["L-1", "L-0"] and rest["next_cursor"] is None
    y2025 = (await funds.get("/v1/funds/programmes", headers=make.headers, params={"fiscal_year": 2025})).json()
    assert {p["code"] for p in y2025["items"]} == {"L-1", "L-town"}
    district = keys.auth(scopes="funds:read", regions=[DISTRICT])
    mine = (await funds.get("/v1/funds/programmes", headers=district)).json()
    assert [p["code"] for p in mine["items"]] == ["L-town"]
    assert (await funds.get("/v1/funds/programmes", headers=outsider)).json()["items"] == []
    bad = await funds.get("/v1/funds/programmes", headers=make.headers, params={"cursor": "!!"})
    assert bad.status_code == 400


async def test_the_tree_has_rules(make: Maker, funds, outsider):
    p = await make.programme()
    root = await make.node(p["id"], "finance_bureau", "秦皇岛市财政局", CITY)
    second = await funds.post(
        f"/v1/funds/programmes/{p['id']}/nodes",
        headers=make.headers,
        json={"tier": "finance_bureau", "name": "again", "region_code": CITY},
    )
    assert second.status_code == 409 and second.json()["type"].endswith("/root-exists")
    county = await make.node(p["id"], "county", "海港区", DISTRICT, root["id"])
    above = await funds.post(
        f"/v1/funds/programmes/{p['id']}/nodes",
        headers=make.headers,
        json={"parent_id": county["id"], "tier": "department", "name": "x", "region_code": DISTRICT},
    )
    assert above.status_code == 422 and above.json()["type"].endswith("/tier-order")
    person = await make.node(p["id"], "beneficiary", "合作社", TOWN, county["id"])
    below = await funds.post(
        f"/v1/funds/programmes/{p['id']}/nodes",
        headers=make.headers,
        json={"parent_id": person["id"], "tier": "beneficiary", "name": "x", "region_code": TOWN},
    )
    assert below.status_code == 422
    outside = await funds.post(
        f"/v1/funds/programmes/{p['id']}/nodes",
        headers=make.headers,
        json={"parent_id": county["id"], "tier": "township", "name": "x", "region_code": "130303"},
    )
    assert outside.status_code == 422 and outside.json()["type"].endswith("/region-outside-parent")
    foreign = await funds.post(
        f"/v1/funds/programmes/{p['id']}/nodes",
        headers=outsider,
        json={"parent_id": county["id"], "tier": "township", "name": "x", "region_code": "110105"},
    )
    assert foreign.status_code == 404, "another region's programme does not exist for this caller"
    listed = await funds.get(f"/v1/funds/programmes/{p['id']}/nodes", headers=make.headers)
    assert [n["tier"] for n in listed.json()["items"]] == ["finance_bureau", "county", "beneficiary"]


async def test_two_roots_added_at_once_make_one_root_and_one_budget(make: Maker, funds):
    """Both requests pass the 'no root yet' check before either commits: the database keeps one."""
    import asyncio

    p = await make.programme()
    body = {"tier": "finance_bureau", "name": "财政局", "region_code": CITY}
    answers = await asyncio.gather(
        *(funds.post(f"/v1/funds/programmes/{p['id']}/nodes", headers=make.headers, json=body) for _ in range(4))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409], [a.text for a in answers]
    assert all(a.json()["type"].endswith("/root-exists") for a in answers if a.status_code == 409)
    nodes = (await funds.get(f"/v1/funds/programmes/{p['id']}/nodes", headers=make.headers)).json()["items"]
    assert len(nodes) == 1 and nodes[0]["received_fen"] == p["budget_fen"]
