"""Regions: a finding, a unit and a setting belong to one region, or to the whole deployment on purpose.

- the same rule and subject seen in two regions are two warnings, each visible in its own region;
- a writer names only units funds knows in its regions (or new ones);
- the scan over every region needs a nationwide administrator;
- public disclosure names no beneficiary-tier node.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import CITY, DISTRICT, Maker, org, person, resident_id, uscc

BEIJING = "110105"
SUPPLIER = uscc("91130300MA0R1G2N3")  # a supplier both regions pay
COUNTY_BUREAU = uscc("11130302MB0R1G2N4")  # 海港区财政局, a unit funds knows in Qinhuangdao


@pytest.fixture
def qhd(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read funds:write", regions=["130300"], sub="qhd-bureau")


@pytest.fixture
def bj(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read funds:write funds:admin", regions=["110000"], sub="bj-bureau")


async def root(funds: httpx.AsyncClient, headers: dict[str, str], region: str, **node: Any) -> dict[str, Any]:
    """A programme in ``region`` with its root node (which holds the budget and pays)."""
    made = Maker(funds, headers)
    programme = await made.programme(region_code=region, budget_fen=1_000_000)
    body = {"tier": "finance_bureau", "name": "财政局", "region_code": region, **node}
    r = await funds.post(f"/v1/funds/programmes/{programme['id']}/nodes", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def warnings(funds: httpx.AsyncClient, headers: dict[str, str], rule: str) -> list[dict[str, Any]]:
    r = await funds.get("/v1/funds/warnings", headers=headers, params={"rule_id": rule})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def pay(funds: httpx.AsyncClient, headers: dict[str, str], node: dict[str, Any], payee: dict[str, Any]) -> None:
    r = await funds.post("/v1/funds/movements", headers=headers, json={
        "kind": "expend", "from_node_id": node["id"], "amount_fen": 5_000, "occurred_on": "2025-03-01",
        "reference": "INV-7", "payee": payee})  # fmt: skip
    assert r.status_code == 201, r.text


async def test_one_payee_paid_twice_in_two_regions_is_a_warning_in_each(funds, qhd, bj):
    supplier = org(uscc=SUPPLIER, name="两地供应商")
    here, there = await root(funds, qhd, CITY), await root(funds, bj, BEIJING)
    for _ in range(2):
        await pay(funds, qhd, here, supplier)
        await pay(funds, bj, there, supplier)
    (mine,) = await warnings(funds, qhd, "FUNDS-DUPLICATE-PAYMENT")
    (theirs,) = await warnings(funds, bj, "FUNDS-DUPLICATE-PAYMENT")
    assert mine["region_code"] == CITY and theirs["region_code"] == BEIJING
    assert mine["id"] != theirs["id"] and mine["dedupe_key"] != theirs["dedupe_key"]
    assert mine["dedupe_key"].startswith(f"{CITY}:") and theirs["dedupe_key"].startswith(f"{BEIJING}:")
    # each region's evidence holds its own two payments, never the other region's
    assert len(mine["evidence"]["payment_ids"]) == 2 and len(theirs["evidence"]["payment_ids"]) == 2
    assert not set(mine["evidence"]["payment_ids"]) & set(theirs["evidence"]["payment_ids"])


async def test_two_regions_paying_one_supplier_the_same_sum_is_no_duplicate(funds, qhd, bj):
    supplier = org(uscc=SUPPLIER, name="两地供应商")
    here, there = await root(funds, qhd, CITY), await root(funds, bj, BEIJING)
    await pay(funds, qhd, here, supplier)
    await pay(funds, bj, there, supplier)
    assert await warnings(funds, qhd, "FUNDS-DUPLICATE-PAYMENT") == []
    assert await warnings(funds, bj, "FUNDS-DUPLICATE-PAYMENT") == []


async def test_a_debarred_payee_paid_in_two_regions_is_a_warning_in_each(funds, qhd, bj, national):
    listed = await funds.post("/v1/funds/watchlist", headers=national, json={"entries": [
        {"list": "debarred", "uscc": SUPPLIER, "region_code": "000000", "reason": "串通投标",
         "listed_on": "2024-01-01"},
        {"list": "official", "resident_id": resident_id(31), "region_code": "000000", "reason": "公职人员",
         "listed_on": "2024-01-01"}]})  # fmt: skip
    assert listed.status_code == 201, listed.text
    here, there = await root(funds, qhd, CITY), await root(funds, bj, BEIJING)
    for payee in (org(uscc=SUPPLIER, name="禁入公司"), person(31, name="王官员")):
        await pay(funds, qhd, here, payee)
        await pay(funds, bj, there, payee)
    mine = await warnings(funds, qhd, "FUNDS-PAYEE-INELIGIBLE")
    theirs = await warnings(funds, bj, "FUNDS-PAYEE-INELIGIBLE")
    assert sorted(w["evidence"]["reason"] for w in mine) == ["debarred", "official"]
    assert sorted(w["evidence"]["reason"] for w in theirs) == ["debarred", "official"]
    assert {w["region_code"] for w in mine} == {CITY} and {w["region_code"] for w in theirs} == {BEIJING}


async def test_a_writer_names_only_units_of_its_regions(funds, qhd, bj, keys):
    known = await root(funds, qhd, CITY, unit_uscc=COUNTY_BUREAU)
    assert known["unit_uscc"] == COUNTY_BUREAU
    taken = await funds.post("/v1/funds/programmes", headers=bj, json={
        "code": "BJ-UNIT", "name": "n", "category": "c", "fiscal_year": 2025, "budget_fen": 100,
        "region_code": BEIJING, "responsible_uscc": COUNTY_BUREAU})  # fmt: skip
    assert taken.status_code == 403 and taken.json()["type"].endswith("/forbidden-region")
    assert taken.json()["field"] == "/responsible_uscc"
    programme = await Maker(funds, bj).programme(region_code=BEIJING)
    node = {"tier": "finance_bureau", "name": "财政局", "region_code": BEIJING, "unit_uscc": COUNTY_BUREAU}
    refused = await funds.post(f"/v1/funds/programmes/{programme['id']}/nodes", headers=bj, json=node)
    assert refused.status_code == 403 and refused.json()["field"] == "/unit_uscc", refused.text
    assert (await funds.get(f"/v1/funds/programmes/{programme['id']}/nodes", headers=bj)).json()["items"] == []

    # a unit funds knows in the writer's region, a new one, and the token's own unit are the writer's
    again = await root(funds, qhd, DISTRICT, unit_uscc=COUNTY_BUREAU)
    assert again["unit_uscc"] == COUNTY_BUREAU
    fresh = uscc("11110105MB0R1G2N5")
    assert (await root(funds, bj, BEIJING, unit_uscc=fresh))["unit_uscc"] == fresh
    own = keys.auth(scopes="funds:read funds:write", regions=["110000"], sub="bj-county", unit=COUNTY_BUREAU)
    assert (await root(funds, own, BEIJING, unit_uscc=COUNTY_BUREAU))["unit_uscc"] == COUNTY_BUREAU


async def test_the_scan_over_every_region_needs_a_nationwide_administrator(funds, bj, national, admin):
    for regional in (bj, admin):
        refused = await funds.post("/v1/funds/scans", headers=regional, json={"as_of": "2025-06-01T00:00:00Z"})
        assert refused.status_code == 403 and refused.json()["type"].endswith("/nationwide-only"), refused.text
    ok = await funds.post("/v1/funds/scans", headers=national, json={"as_of": "2025-06-01T00:00:00Z"})
    assert ok.status_code == 200 and ok.json()["as_of"].startswith("2025-06-01")


async def test_public_payments_name_no_beneficiary_node(funds, make: Maker):
    t = await make.tree()
    await make.down(t, 100_000, to="town")
    beneficiary = await make.node(t.pid, "beneficiary", "李秀英家庭农场", "130302001", t.town["id"])
    for kind in ("allocate", "disburse"):
        await make.move(kind=kind, from_node_id=t.town["id"], to_node_id=beneficiary["id"], amount_fen=10_000)
    await make.pay(beneficiary, 2_000, org(name="种子公司"))
    await make.pay(t.town, 3_000, org(uscc=uscc("91130300MA0R1G2N6"), name="农机公司"))
    public = await funds.get(f"/v1/funds/public/programmes/{t.pid}/payments")
    assert public.status_code == 200
    assert "李秀英" not in public.text and beneficiary["id"] not in public.text
    by_payee = {p["payee"]["name"]: p for p in public.json()["items"]}
    assert by_payee["种子公司"]["node_id"] is None and by_payee["种子公司"]["node_name"] == "受益对象"
    assert by_payee["农机公司"]["node_id"] == t.town["id"] and by_payee["农机公司"]["node_name"] == "海港镇"
