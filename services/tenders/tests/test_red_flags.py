"""The seeds' red flags, live: each rule fires on realistic data and stays quiet on its innocent twin."""

from __future__ import annotations

from datetime import timedelta

from .conftest import DEADLINE, PUBLISHED, Maker

MILLION_YUAN = 100_000_000  # fen


def rules_of(findings: list[dict]) -> list[str]:
    return sorted(f["rule_id"] for f in findings)


async def test_linked_bidders_share_a_legal_representative_a_file_or_an_ip(make: Maker):
    tender = await make.tender()
    a, b, c, d = [await make.enterprise(n) for n in ("甲建设", "乙建设", "丙建设", "丁建设")]
    await make.person(
        "赵六",
        links=[
            {"uscc": a["uscc"], "role": "legal_representative"},
            {"uscc": b["uscc"], "role": "legal_representative"},
        ],
    )
    await make.bid(tender, a, 1_400_000_000, file_sha256="1" * 64, submitter_ip="10.0.0.1")
    await make.bid(tender, b, 1_410_000_000, file_sha256="2" * 64, submitter_ip="10.0.0.2")
    await make.bid(tender, c, 1_420_000_000, file_sha256="3" * 64, submitter_ip="10.0.0.1")
    await make.bid(tender, d, 1_430_000_000, file_sha256="4" * 64, submitter_ip="10.0.0.4")
    found = await make.findings(tender_id=tender["id"], rule_id="TENDERS-LINKED-BIDDERS")
    pairs = {frozenset(f["evidence"]["enterprise_ids"]): f["evidence"]["shared"] for f in found}
    assert pairs == {frozenset({a["id"], b["id"]}): ["legal_representative"], frozenset({a["id"], c["id"]}): ["ip"]}
    assert all(f["level"] == "red" and f["dedupe_key"].startswith("130302:TENDERS-LINKED-BIDDERS:") for f in found)
    assert "10.0.0.1" not in str(found), "the IP is compared as a keyed hash, never shown"


async def test_linked_bidders_by_shared_phone_address_or_shareholder(make: Maker):
    tender = await make.tender()
    a = await make.enterprise("甲", phone="0335-7654321")
    b = await make.enterprise("乙", phone="0335 7654321")
    c = await make.enterprise("丙", address="海港区河北大街 10 号")
    d = await make.enterprise("丁", address="海港区河北大街 10 号")
    e = await make.enterprise("戊")
    await make.person(
        "钱七", links=[{"uscc": e["uscc"], "role": "shareholder"}, {"uscc": c["uscc"], "role": "shareholder"}]
    )
    for i, x in enumerate((a, b, c, d, e)):
        await make.bid(tender, x, 1_400_000_000 + i * 1_000_000)
    found = await make.findings(tender_id=tender["id"], rule_id="TENDERS-LINKED-BIDDERS")
    pairs = {frozenset(f["evidence"]["enterprise_ids"]): f["evidence"]["shared"] for f in found}
    assert pairs == {
        frozenset({a["id"], b["id"]}): ["phone"],
        frozenset({c["id"], d["id"]}): ["address"],
        frozenset({c["id"], e["id"]}): ["shareholder"],
    }


async def test_unrelated_bidders_raise_nothing(make: Maker):
    tender = await make.tender()
    for i in range(4):
        company = await make.enterprise(f"无关公司{i}", phone=f"0335-100000{i}", address=f"海港区{i}号")
        await make.person(f"法人{i}", links=[{"uscc": company["uscc"], "role": "legal_representative"}])
        await make.bid(tender, company, 1_300_000_000 + i, file_sha256=f"{i}" * 64, submitter_ip=f"10.1.0.{i}")
    assert await make.findings(tender_id=tender["id"]) == []


async def test_winner_at_the_ceiling_price(make: Maker):
    near, far = await make.tender(), await make.tender()
    for tender, price in ((near, 1_449_000_000), (far, 1_300_000_000)):  # ceiling 1,450,000,000: 0.07 % below it
        await make.bid(tender, await make.enterprise(), price)
        await make.open(tender)
        await make.evaluate_lowest(tender)
        await make.award(tender)
    found = await make.findings(rule_id="TENDERS-WINNER-AT-CEILING")
    assert [f["tender_id"] for f in found] == [near["id"]]
    assert found[0]["level"] == "orange" and found[0]["evidence"]["ceiling_fen"] == 1_450_000_000


async def test_debarred_or_unqualified_bidder(make: Maker):
    tender = await make.tender(required_qualification="building_construction", required_grade=2)
    companies = [await make.enterprise(n) for n in ("禁入", "期满", "无资质", "合格")]
    debarred, lapsed, unqualified, fine = companies
    for c in (debarred, lapsed, fine):
        await make.post(
            f"/v1/tenders/enterprises/{c['id']}/qualifications",
            {"kind": "building_construction", "grade": 1, "valid_from": "2024-01-01", "valid_until": "2028-12-31"},
        )
    await make.post(
        f"/v1/tenders/enterprises/{unqualified['id']}/qualifications",
        {"kind": "building_construction", "grade": 3, "valid_from": "2024-01-01", "valid_until": "2028-12-31"},
    )
    await make.post(
        f"/v1/tenders/enterprises/{debarred['id']}/debarments",
        {"region_code": "130000", "reason": "串通投标", "starts_on": "2026-01-01", "ends_on": "2027-01-01"},
    )
    await make.post(
        f"/v1/tenders/enterprises/{lapsed['id']}/debarments",
        {"region_code": "130000", "reason": "串通投标", "starts_on": "2025-01-01", "ends_on": "2026-01-01"},
    )
    for c in companies:
        await make.bid(tender, c, 1_400_000_000)
    found = await make.findings(tender_id=tender["id"], rule_id="TENDERS-INELIGIBLE-BIDDER")
    reasons = {f["evidence"]["enterprise_id"]: f["evidence"]["reasons"] for f in found}
    assert reasons == {debarred["id"]: ["debarred"], unqualified["id"]: ["unqualified"]}


async def test_non_competitive_procedure_above_the_threshold(make: Maker):
    """NDRC Order No. 16 Art. 5: construction from 4 million yuan, goods 2 million, services 1 million."""
    fiscal = await make.project()
    private = await make.project(funding_source="private")
    fires = await make.tender(fiscal, procedure="single_source", estimate_fen=4 * MILLION_YUAN, ceiling_fen=None)
    goods = await make.tender(
        fiscal, procedure="competitive_negotiation", category="goods", estimate_fen=2 * MILLION_YUAN, ceiling_fen=None
    )
    under = await make.tender(
        fiscal, procedure="single_source", category="services", estimate_fen=MILLION_YUAN - 1, ceiling_fen=None
    )
    await make.tender(fiscal, procedure="open", estimate_fen=50 * MILLION_YUAN, ceiling_fen=None)
    await make.tender(private, procedure="direct", estimate_fen=50 * MILLION_YUAN, ceiling_fen=None)
    found = await make.findings(rule_id="TENDERS-NON-COMPETITIVE")
    assert sorted(f["tender_id"] for f in found) == sorted([fires["id"], goods["id"]])
    assert under["id"] not in {f["tender_id"] for f in found}
    one = next(f for f in found if f["tender_id"] == fires["id"])
    assert one["evidence"]["threshold_fen"] == 400_000_000 and one["level"] == "red"


async def test_contract_split_under_the_threshold(make: Maker):
    split, honest = await make.project(), await make.project()
    for project, estimates in ((split, (150, 150, 120)), (honest, (150, 100))):
        for i, yuan_10k in enumerate(estimates):  # in 10,000 yuan
            await make.tender(
                project,
                procedure="direct",
                estimate_fen=yuan_10k * 1_000_000,
                ceiling_fen=None,
                published_at=(PUBLISHED + timedelta(days=30 * i)).isoformat(),
                deadline=(DEADLINE + timedelta(days=30 * i)).isoformat(),
            )
    found = await make.findings(rule_id="TENDERS-SPLIT-CONTRACT")
    assert [f["subject_id"] for f in found] == [split["id"]]
    assert found[0]["evidence"]["total_fen"] == 420_000_000 and len(found[0]["evidence"]["tender_ids"]) == 3


async def _contracted(make: Maker, price: int = 1_000_000_000) -> dict:
    tender = await make.tender()
    await make.bid(tender, await make.enterprise(), price)
    await make.open(tender)
    await make.evaluate_lowest(tender)
    award = await make.award(tender)
    return await make.post(
        f"/v1/tenders/tenders/{tender['id']}/contracts",
        {"award_id": award["id"], "amount_fen": price, "signed_on": "2026-04-10"},
    )


async def test_change_orders_over_a_share_of_the_contract(make: Maker):
    contract = await _contracted(make)
    path = f"/v1/tenders/contracts/{contract['id']}/change-orders"
    order = {"reason": "地基加固", "approved": True, "ordered_on": "2026-06-01"}
    await make.post(path, {**order, "amount_fen": 60_000_000})
    await make.post(path, {**order, "amount_fen": -40_000_000})  # 10 % exactly: within
    assert await make.findings(rule_id="TENDERS-CHANGE-ORDERS") == []
    await make.post(path, {**order, "amount_fen": 1})
    found = await make.findings(rule_id="TENDERS-CHANGE-ORDERS")
    assert len(found) == 1 and found[0]["level"] == "orange" and found[0]["evidence"]["changes_fen"] == 100_000_001
    await make.post(path, {**order, "amount_fen": 100_000_000, "approved": False})
    found = await make.findings(rule_id="TENDERS-CHANGE-ORDERS")
    assert len(found) == 1 and found[0]["level"] == "red" and found[0]["occurrences"] == 2


async def test_settlement_above_contract_plus_approved_changes(make: Maker):
    over, within = await _contracted(make), await _contracted(make)
    for contract in (over, within):
        await make.post(
            f"/v1/tenders/contracts/{contract['id']}/change-orders",
            {"amount_fen": 50_000_000, "reason": "增加工程量", "approved": True, "ordered_on": "2026-06-01"},
        )
        await make.post(
            f"/v1/tenders/contracts/{contract['id']}/change-orders",
            {"amount_fen": 30_000_000, "reason": "未批变更", "approved": False, "ordered_on": "2026-06-02"},
        )
    await make.post(
        f"/v1/tenders/contracts/{over['id']}/settlement", {"amount_fen": 1_050_000_001, "settled_on": "2026-12-01"}, 200
    )
    await make.post(
        f"/v1/tenders/contracts/{within['id']}/settlement",
        {"amount_fen": 1_050_000_000, "settled_on": "2026-12-01"},
        200,
    )
    found = await make.findings(rule_id="TENDERS-SETTLEMENT-OVER")
    assert [f["subject_id"] for f in found] == [over["id"]] and found[0]["evidence"]["excess_fen"] == 1


async def test_bid_rotation_within_a_group(make: Maker):
    a, b, c = [await make.enterprise(n) for n in ("轮甲", "轮乙", "轮丙")]
    winners = []
    for round_, winner in enumerate((a, b, c)):
        tender = await make.tender()
        for company in (a, b, c):
            await make.bid(tender, company, 1_000_000_000 if company is winner else 1_100_000_000 + round_)
        await make.open(tender)
        await make.evaluate_lowest(tender)
        winners.append((await make.award(tender, on=f"2026-0{round_ + 4}-01"))["enterprise_id"])
        found = await make.findings(rule_id="TENDERS-BID-ROTATION")
        assert bool(found) == (round_ == 2), f"round {round_}: only the third turn completes the pattern"
    assert found[0]["evidence"]["winners"] == [a["id"], b["id"], c["id"]]
    assert sorted(found[0]["evidence"]["enterprise_ids"]) == sorted(x["id"] for x in (a, b, c))


async def test_short_bidding_period_of_a_must_tender_project(make: Maker):
    """Tendering and Bidding Law Art. 24: at least twenty days, counted in Beijing time."""
    published = "2026-03-01T01:00:00Z"  # 09:00 on 1 March in Beijing
    short = await make.tender(published_at=published, deadline="2026-03-20T08:00:00Z")  # 19 days
    await make.tender(published_at=published, deadline="2026-03-20T16:30:00Z")  # 00:30 on 21 March in Beijing: 20 days
    await make.tender(published_at=published, deadline="2026-03-10T01:00:00Z", estimate_fen=399_999_999)  # below
    found = await make.findings(rule_id="TENDERS-SHORT-PERIOD")
    assert [f["tender_id"] for f in found] == [short["id"]]
    assert found[0]["evidence"]["days"] == 19 and found[0]["evidence"]["min_days"] == 20


async def test_a_bid_recorded_after_the_deadline_of_a_live_tender(make: Maker, tenders_app):
    """Dated before the deadline but reaching the platform after it, on a tender the platform knew in time."""
    import uuid

    from sqlalchemy import update
    from tenders.models import Tender

    live, archive = await make.tender(), await make.tender()
    async with tenders_app.state.db.sessions() as session, session.begin():  # published on the platform in time
        await session.execute(update(Tender).where(Tender.id == uuid.UUID(live["id"])).values(created_at=PUBLISHED))
    late = await make.bid(live, await make.enterprise("补录公司"), 1_400_000_000)
    await make.bid(archive, await make.enterprise("历史导入"), 1_400_000_000)  # an archive imported afterwards
    found = await make.findings(rule_id="TENDERS-LATE-BID")
    assert [(f["tender_id"], f["evidence"]["bid_id"]) for f in found] == [(live["id"], late["id"])]
    assert found[0]["level"] == "orange"
