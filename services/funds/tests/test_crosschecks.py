"""What a county office misses: 一人多领 across programmes that exclude each other, many beneficiaries paid into
one bank account, and the history of payees' accounts (issue 9)."""

from __future__ import annotations

from datetime import date

from funds import checks

from .conftest import Maker, person

ACCOUNT = "6217000010001234567"  # one account three people are paid into


def of(warnings: list[dict], rule: str) -> list[dict]:
    return [w for w in warnings if w["rule_id"] == rule]


def test_exclusive_overlaps_needs_the_same_month_and_an_exclusive_pair():
    groups = [["subsistence-allowance", "extreme-poverty-support"]]
    new = checks.BenefitFact("n", "B", "extreme-poverty-support", 2025, date(2025, 3, 20))
    same_month = checks.BenefitFact("a", "A", "subsistence-allowance", 2025, date(2025, 3, 1))
    month_before = checks.BenefitFact("b", "A", "subsistence-allowance", 2025, date(2025, 2, 28))
    unrelated = checks.BenefitFact("c", "C", "agriculture", 2025, date(2025, 3, 5))
    same_programme = checks.BenefitFact("d", "B", "extreme-poverty-support", 2025, date(2025, 3, 2))
    assert checks.exclusive_overlaps(new, [same_month, month_before, unrelated, same_programme], groups) == [same_month]
    assert checks.exclusive_overlaps(new, [same_month], [["orphan-allowance", "other"]]) == []


async def test_one_person_paid_under_exclusive_programmes_in_the_same_month(make: Maker):
    dibao = await make.tree(name="城乡最低生活保障", category="subsistence-allowance")
    tekun = await make.tree(name="特困人员救助供养", category="extreme-poverty-support")
    farm = await make.tree(name="耕地地力保护补贴", category="agriculture")
    for t in (dibao, tekun, farm):
        await make.down(t, 1_000_000, to="county")
    double, mover, farmer = person(1, "王小二"), person(2, "李四"), person(3, "赵五")
    # quiet: a person moving from 低保 to 特困 (February, then March); a 低保 household also paid the farmland
    # subsidy; two different persons
    await make.pay(dibao.county, 60_000, mover, occurred_on="2025-02-10")
    await make.pay(tekun.county, 90_000, mover, occurred_on="2025-03-10")
    await make.pay(dibao.county, 60_000, farmer, occurred_on="2025-03-10")
    await make.pay(farm.county, 15_000, farmer, occurred_on="2025-03-12")
    await make.pay(dibao.county, 60_000, double, occurred_on="2025-03-05")
    assert of(await make.warnings(), "FUNDS-MULTI-PROGRAMME") == []
    # the same person drawn under both in March: orange; again in April: red (a pattern)
    march = await make.pay(tekun.county, 90_000, double, occurred_on="2025-03-20")
    (w,) = of(await make.warnings(), "FUNDS-MULTI-PROGRAMME")
    assert w["level"] == "orange" and w["subject_id"] == march["id"]
    assert w["evidence"]["months"] == ["2025-03"] and w["evidence"]["payee_id"] == march["payee_id"]
    assert sorted(w["evidence"]["programme_ids"]) == sorted([dibao.pid, tekun.pid])
    assert w["evidence"]["categories"] == ["extreme-poverty-support", "subsistence-allowance"]
    assert "王" not in str(w) and "110105" not in str(w), "no name or ID number in the warning"
    await make.pay(dibao.county, 60_000, double, occurred_on="2025-04-05")
    await make.pay(tekun.county, 90_000, double, occurred_on="2025-04-20")
    (w,) = of(await make.warnings(), "FUNDS-MULTI-PROGRAMME")
    assert w["level"] == "red" and w["evidence"]["months"] == ["2025-03", "2025-04"]


async def test_many_beneficiaries_paid_into_one_account(make: Maker, funds):
    t = await make.tree(name="城乡最低生活保障", category="subsistence-allowance")
    await make.down(t, 1_000_000, to="county")
    # quiet: a couple on one household account; everyone else on their own
    await make.pay(t.county, 50_000, person(11, "张大", account=ACCOUNT), occurred_on="2025-02-01")
    await make.pay(t.county, 50_000, person(12, "张妻", account=ACCOUNT), occurred_on="2025-02-01")
    for serial in range(20, 25):
        await make.pay(t.county, 50_000, person(serial, "邻居", account=f"62170000200{serial:08d}"))
    assert of(await make.warnings(), "FUNDS-SHARED-ACCOUNT") == []
    third = await make.pay(t.county, 50_000, person(13, "陈三", account=ACCOUNT), occurred_on="2025-02-02")
    (w,) = of(await make.warnings(), "FUNDS-SHARED-ACCOUNT")
    assert w["level"] == "orange" and w["subject_id"] == third["id"]
    assert w["evidence"]["payees"] == 3 and w["evidence"]["account"] == "****4567"
    assert w["evidence"]["recent_changes"] == [] and ACCOUNT not in str(w)
    # a fourth person, paid into their own account in January, switched to the shared account: red, with the change
    await make.pay(t.county, 50_000, person(14, "刘四", account="6217000030000009999"), occurred_on="2025-01-15")
    switched = await make.pay(t.county, 50_000, person(14, "刘四", account=ACCOUNT), occurred_on="2025-03-01")
    (w,) = of(await make.warnings(), "FUNDS-SHARED-ACCOUNT")
    assert w["level"] == "red" and w["evidence"]["payees"] == 4
    assert w["evidence"]["recent_changes"] == [
        {"payee_id": switched["payee_id"], "changed_on": "2025-03-01", "from": "****9999"}
    ]
    # the change is kept, not overwritten: both accounts in the payee's history, masked
    history = (await funds.get(f"/v1/funds/payees/{switched['payee_id']}/accounts", headers=make.headers)).json()[
        "items"
    ]
    assert [(h["account"], h["previous"], h["changed_on"], h["current"]) for h in history] == [
        ("****9999", None, "2025-01-15", False),
        ("****4567", "****9999", "2025-03-01", True),
    ]


async def test_a_new_account_with_the_same_last_four_digits_is_still_a_change(make: Maker, funds, outsider):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    first = await make.pay(t.county, 1_000, person(31, account="6222020200112233"), occurred_on="2025-02-01")
    await make.pay(t.county, 1_000, person(31, account="6222020200112233"), occurred_on="2025-02-15")  # same: no row
    await make.pay(t.county, 1_000, person(31, account="6228480000002233"), occurred_on="2025-03-01")
    url = f"/v1/funds/payees/{first['payee_id']}/accounts"
    history = (await funds.get(url, headers=make.headers)).json()["items"]
    assert [(h["account"], h["changed_on"]) for h in history] == [
        ("****2233", "2025-02-01"),
        ("****2233", "2025-03-01"),
    ]
    assert "6228480000002233" not in str(history)
    assert (await funds.get(url, headers=outsider)).status_code == 404


async def test_two_counties_paying_one_person_warn_the_city_that_holds_both(make: Maker, funds, keys):
    """海港区 pays 低保 and 山海关区 pays 特困 to the same person in the same month: neither county sees the
    other's payment, so the warning goes to the city (130300), which holds both."""
    dibao = await make.tree(name="城乡最低生活保障", category="subsistence-allowance")
    tekun = await make.tree(name="特困人员救助供养", category="extreme-poverty-support")
    await make.down(dibao, 100_000, to="county")  # 海港区 130302
    await make.down(tekun, 100_000, to="dept")
    shanhaiguan = await make.node(tekun.pid, "county", "山海关区民政局", "130303", tekun.dept["id"])
    for kind in ("allocate", "disburse"):
        await make.move(kind=kind, from_node_id=tekun.dept["id"], to_node_id=shanhaiguan["id"], amount_fen=100_000)
    await make.pay(dibao.county, 60_000, person(51, "周六"), occurred_on="2025-05-06")
    second = await make.pay(shanhaiguan, 90_000, person(51, "周六"), occurred_on="2025-05-20")
    (w,) = of(await make.warnings(), "FUNDS-MULTI-PROGRAMME")
    assert w["region_code"] == "130300" and w["subject_id"] == second["id"]
    assert w["evidence"]["months"] == ["2025-05"]
    for county in ("130302", "130303"):
        headers = keys.auth(scopes="funds:read", regions=[county], sub=f"inspector-{county}")
        seen = (await funds.get("/v1/funds/warnings", headers=headers)).json()["items"]
        assert of(seen, "FUNDS-MULTI-PROGRAMME") == [], "a county does not see the other county's payment"
