"""Registers, the tender lifecycle and its state machine, through the API on both backends."""

from __future__ import annotations

from datetime import timedelta

from .conftest import CITY, DEADLINE, Maker, uscc

PROBLEMS = "https://sunlight.example/problems/"


async def test_registers_keep_personal_data_out_of_answers(make: Maker):
    company = await make.enterprise(phone="0335-1234567", address="海港区建设大街 8 号")
    assert company["has_phone"] and company["has_address"] and "phone" not in company
    again = await make.client.post(
        "/v1/tenders/enterprises",
        headers=make.headers,
        json={"uscc": company["uscc"], "name": "x", "region_code": CITY},
    )
    assert again.status_code == 409 and again.json()["type"] == PROBLEMS + "duplicate-code"
    person = await make.person(
        name="王建国",
        phone="13912345678",
        address="海港区文化路 2 号",
        specialties=["building"],
        employer_uscc=company["uscc"],
        links=[{"uscc": company["uscc"], "role": "legal_representative"}],
    )
    text = str(person)
    assert person["name_masked"] == "王**" and person["phone_masked"].endswith("5678")
    assert (
        "王建国" not in text
        and "13912345678" not in text
        and person["resident_id"] not in str(await make.get(f"/v1/tenders/persons/{person['id']}"))
    )
    assert {link["role"] for link in person["links"]} == {"legal_representative", "employee"}
    assert person["expert"] is True


async def test_a_bid_at_or_after_the_deadline_is_refused_never_accepted(make: Maker):
    tender = await make.tender()
    early, late = await make.enterprise("早到公司"), await make.enterprise("迟到公司")
    ok = await make.bid(tender, early, 1_400_000_000, submitted_at=(DEADLINE - timedelta(seconds=1)).isoformat())
    assert ok["price_fen"] == 1_400_000_000
    refused = await make.bid(tender, late, 1_300_000_000, submitted_at=DEADLINE.isoformat(), expect=409)
    assert refused["type"] == PROBLEMS + "bid-after-deadline"
    assert refused["deadline"] == DEADLINE.isoformat() and refused["submitted_at"] == DEADLINE.isoformat()
    bids = (await make.get(f"/v1/tenders/tenders/{tender['id']}/bids"))["items"]
    assert [b["uscc"] for b in bids] == [early["uscc"]], "the late bid is not among the bids"
    kept = (await make.get(f"/v1/tenders/tenders/{tender['id']}/refused-bids"))["items"]
    assert [(r["enterprise_id"], r["reason"]) for r in kept] == [(late["id"], "after_deadline")]


async def test_the_state_machine_refuses_steps_out_of_order(make: Maker):
    tender = await make.tender()
    assert tender["status"] == "published" and "bid" in tender["allowed_steps"]
    a, b = await make.enterprise("甲"), await make.enterprise("乙")
    await make.bid(tender, a, 1_400_000_000)
    await make.post(
        f"/v1/tenders/tenders/{tender['id']}/registrations",
        {"uscc": b["uscc"], "registered_at": (DEADLINE - timedelta(days=3)).isoformat()},
    )
    early = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/opening", {"opened_at": (DEADLINE - timedelta(minutes=1)).isoformat()}, 409
    )
    assert early["type"] == PROBLEMS + "too-early"
    award = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/awards", headers=make.headers, json={"awarded_on": "2026-04-01"}
    )
    assert award.status_code == 409 and award.json()["type"] == PROBLEMS + "invalid-transition"
    assert award.json()["tender_status"] == "published" and "open" in award.json()["allowed"]
    opened = await make.open(tender)
    assert opened["status"] == "opened" and "bid" not in opened["allowed_steps"]
    after = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/bids",
        {"uscc": b["uscc"], "price_fen": 1_300_000_000, "submitted_at": (DEADLINE + timedelta(hours=1)).isoformat()},
        409,
    )
    assert after["type"] == PROBLEMS + "bid-after-deadline"
    await make.evaluate_lowest(tender)
    won = await make.award(tender)
    assert won["enterprise_id"] == a["id"] and won["amount_fen"] == 1_400_000_000
    contract = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/contracts",
        {"award_id": won["id"], "amount_fen": 1_400_000_000, "signed_on": "2026-04-10"},
    )
    assert (await make.get(f"/v1/tenders/tenders/{tender['id']}"))["status"] == "contracted"
    cancel = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/cancellation", headers=make.headers, json={"reason": "资金未落实"}
    )
    assert cancel.status_code == 409, "a contracted tender is not cancelled"
    settled = await make.post(
        f"/v1/tenders/contracts/{contract['id']}/settlement",
        {"amount_fen": 1_390_000_000, "settled_on": "2026-12-01"},
        200,
    )
    assert settled["settled_fen"] == 1_390_000_000
    assert (await make.get(f"/v1/tenders/tenders/{tender['id']}"))["status"] == "settled"


async def test_a_bidder_registers_first_and_bids_once_per_lot(make: Maker):
    tender = await make.tender()
    stranger = await make.enterprise("未报名公司")
    r = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/bids",
        headers=make.headers,
        json={"uscc": stranger["uscc"], "price_fen": 1_000, "submitted_at": (DEADLINE - timedelta(days=1)).isoformat()},
    )
    assert r.status_code == 409 and r.json()["type"] == PROBLEMS + "not-registered"
    await make.bid(tender, stranger, 1_000_000_000)
    twice = await make.bid(tender, stranger, 900_000_000, expect=409)
    assert twice["type"] == PROBLEMS + "already-bid"
    unknown = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/bids",
        headers=make.headers,
        json={"uscc": uscc(999_999), "price_fen": 1_000},
    )
    assert unknown.status_code == 422 and unknown.json()["type"] == PROBLEMS + "unknown-enterprise"
    text = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/bids",
        headers=make.headers,
        json={"uscc": stranger["uscc"], "price_fen": "1000"},
    )
    assert text.status_code == 422, "numbers are numbers"
    future = await make.client.post(
        f"/v1/tenders/tenders/{tender['id']}/bids",
        headers=make.headers,
        json={"uscc": stranger["uscc"], "price_fen": 1, "submitted_at": "2099-01-01T00:00:00Z"},
    )
    assert future.status_code == 422 and future.json()["type"] == PROBLEMS + "invalid-dates", "no bid from the future"


async def test_regions(make: Maker, tenders, outsider):
    tender = await make.tender()
    r = await tenders.get(f"/v1/tenders/tenders/{tender['id']}", headers=outsider)
    assert r.status_code == 404
    listed = await tenders.get("/v1/tenders/tenders", headers=outsider)
    assert listed.json()["items"] == []
    r = await tenders.post(
        "/v1/tenders/projects",
        headers=outsider,
        json={
            "code": "X-1",
            "name": "n",
            "owner_uscc": uscc(),
            "owner_name": "o",
            "estimate_fen": 1,
            "location": "somewhere",
            "funding_source": "fiscal",
            "region_code": "130302",
        },
    )
    assert r.status_code == 403 and r.json()["type"] == PROBLEMS + "forbidden-region"
    r = await tenders.post(
        f"/v1/tenders/tenders/{tender['id']}/bids", headers=outsider, json={"uscc": uscc(), "price_fen": 1}
    )
    assert r.status_code == 404


async def test_lots_are_bid_evaluated_awarded_and_contracted_one_by_one(make: Maker):
    tender = await make.tender(
        lots=[
            {"number": 1, "title": "土建", "estimate_fen": 1_000_000_000, "ceiling_fen": 990_000_000},
            {"number": 2, "title": "安装", "estimate_fen": 500_000_000},
        ]
    )
    assert [lot["number"] for lot in tender["lots"]] == [1, 2]
    a, b = await make.enterprise("土建公司"), await make.enterprise("安装公司")
    await make.bid(tender, a, 900_000_000, lot_number=1)
    await make.bid(tender, b, 450_000_000, lot_number=2)
    missing = await make.bid(tender, b, 1, lot_number=3, expect=422)
    assert missing["type"] == PROBLEMS + "unknown-lot"
    await make.open(tender)
    for lot in (1, 2):
        await make.evaluate_lowest(tender, lot_number=lot)
    awards = [await make.award(tender, lot_number=lot) for lot in (1, 2)]
    assert [w["enterprise_id"] for w in awards] == [a["id"], b["id"]]
    path = f"/v1/tenders/tenders/{tender['id']}/contracts"
    await make.post(path, {"award_id": awards[0]["id"], "amount_fen": 900_000_000, "signed_on": "2026-04-10"})
    assert (await make.get(f"/v1/tenders/tenders/{tender['id']}"))["status"] == "awarded", "lot 2 has no contract"
    await make.post(path, {"award_id": awards[1]["id"], "amount_fen": 450_000_000, "signed_on": "2026-04-11"})
    assert (await make.get(f"/v1/tenders/tenders/{tender['id']}"))["status"] == "contracted"


async def test_every_tender_is_published_as_a_valid_ocds_record(make: Maker):
    from tenders.ocds import schema

    tender = await make.tender()
    fresh = await make.get(f"/v1/tenders/tenders/{tender['id']}/ocds")
    assert schema.errors(fresh, "record-package-schema.json") == []
    a, b = await make.enterprise("甲"), await make.enterprise("乙")
    await make.bid(tender, a, 1_400_000_000)
    await make.bid(tender, b, 1_420_000_000)
    await make.open(tender)
    await make.evaluate_lowest(tender)
    won = await make.award(tender)
    contract = await make.post(
        f"/v1/tenders/tenders/{tender['id']}/contracts",
        {"award_id": won["id"], "amount_fen": 1_400_000_000, "signed_on": "2026-04-10"},
    )
    await make.post(
        f"/v1/tenders/contracts/{contract['id']}/change-orders",
        {"amount_fen": 10_000_000, "reason": "地基加固", "approved": True, "ordered_on": "2026-06-01"},
    )
    await make.post(
        f"/v1/tenders/contracts/{contract['id']}/settlement",
        {"amount_fen": 1_410_000_000, "settled_on": "2026-12-01"},
        200,
    )
    package = await make.get(f"/v1/tenders/tenders/{tender['id']}/ocds")
    assert schema.errors(package, "record-package-schema.json") == []
    [record] = package["records"]
    for release in record["releases"]:
        assert schema.errors(release) == [], release["tag"]
    assert schema.errors(record["compiledRelease"]) == []
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["award"], ["contract"]]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["procurementMethod"] == "open" and compiled["tender"]["value"]["amount"] == 15_000_000
    assert {d["status"] for d in compiled["bids"]["details"]} == {"valid"}
    assert compiled["awards"][0]["suppliers"][0]["id"] == f"CN-USCC-{a['uscc']}"
    [signed] = compiled["contracts"]
    assert signed["value"]["amount"] == 14_000_000 and len(signed["amendments"]) == 1
    assert signed["implementation"]["transactions"][0]["value"]["amount"] == 14_100_000
    assert "李四" not in str(package) and "resident" not in str(package)
