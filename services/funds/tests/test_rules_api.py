"""Every warning rule through the API: one case that fires (with the evidence a person checks) and one that must not.

Payment rules fire as payments are recorded; the time-based ones when the scan runs, here with
an explicit ``now`` so the dates are fixed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from funds import scans

from .conftest import ORG_USCC, Maker, org, person, resident_id, uscc


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T04:00:00").replace(tzinfo=UTC)  # noon in Beijing


async def scan(app, day: str) -> dict:
    async with app.state.db.sessions() as session:
        out = await scans.run_scans(session, app.state.settings, now=at(day))
    return out.model_dump()


def of(warnings: list[dict], rule: str, subject: str | None = None) -> list[dict]:
    return [w for w in warnings if w["rule_id"] == rule and (subject is None or w["subject_id"] == subject)]


async def test_the_catalogue_lists_every_rule_with_its_thresholds(funds, reader):
    r = await funds.get("/v1/funds/rules", headers=reader)
    assert r.status_code == 200
    rules = {x["id"]: x for x in r.json()["items"]}
    assert set(rules) == {
        "FUNDS-ACCEPTANCE-MISSING",
        "FUNDS-AUDIT-UNRECTIFIED",
        "FUNDS-BENFORD",
        "FUNDS-CATEGORY-NOT-ALLOWED",
        "FUNDS-COMPLAINT",
        "FUNDS-DUPLICATE-PAYMENT",
        "FUNDS-IDLE-FUNDS",
        "FUNDS-LATE-PASS-DOWN",
        "FUNDS-MULTI-PROGRAMME",
        "FUNDS-OVER-STANDARD",
        "FUNDS-OVERSPEND",
        "FUNDS-PAYEE-INELIGIBLE",
        "FUNDS-SHARED-ACCOUNT",
        "FUNDS-SPLIT-PAYMENT",
    }
    days = rules["FUNDS-LATE-PASS-DOWN"]["parameters"]["pass_down_days"]
    assert days["department"] == {"budget": 15, "general": 30, "special": 60}
    assert days["finance_bureau"]["budget"] == 20 and "township" not in days
    assert rules["FUNDS-LATE-PASS-DOWN"]["parameters"]["pass_down_kind"] == "special"
    assert "Art. 52" in rules["FUNDS-LATE-PASS-DOWN"]["description"]
    assert rules["FUNDS-LATE-PASS-DOWN"]["escalates_to"] == "red"
    assert rules["FUNDS-IDLE-FUNDS"]["parameters"] == {"idle_days": 90}


async def test_overspend_fires_only_on_a_refusal(make: Maker):
    t = await make.tree(budget_fen=1_000)
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=1_000)
    assert of(await make.warnings(), "FUNDS-OVERSPEND") == [], "using everything is not overspending"
    await make.move(409, kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=1)
    (w,) = of(await make.warnings(), "FUNDS-OVERSPEND")
    assert w["evidence"]["requested_fen"] == 1 and w["evidence"]["available_fen"] == 0


async def test_late_pass_down_orange_then_red_and_on_time_is_quiet(make: Maker, funds_app):
    """Department → county is a special transfer to a lower-level government: 60 days (Budget Law Art. 52 ¶4),
    not the 15 days a department has to approve its own units' budgets (¶1)."""
    t = await make.tree(budget_fen=100_000, budget_approved_on="2025-01-01")
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100_000,
                    occurred_on="2025-01-10")  # finance bureau → its department: 9 days, within 20  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=60_000,
                    occurred_on="2025-01-20")  # department: 60k on time, 40k still held  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.county["id"], to_node_id=t.town["id"], amount_fen=60_000,
                    occurred_on="2025-02-15")  # county → township: 26 days, within 60  # fmt: skip
    early = await scan(funds_app, "2025-03-11")
    assert "FUNDS-LATE-PASS-DOWN" not in early["findings"], "the department's deadline is Mar 11 itself"

    out = await scan(funds_app, "2025-03-20")
    assert out["findings"]["FUNDS-LATE-PASS-DOWN"] == 1
    (w,) = of(await make.warnings(), "FUNDS-LATE-PASS-DOWN")
    subject = (w["service"], w["subject_kind"], w["subject_id"], w["subject_label"])
    assert subject == ("funds", "node", t.dept["id"], "市农业农村局")
    assert w["level"] == "orange"
    ev = w["evidence"]
    assert (ev["tier"], ev["kind"], ev["deadline_days"], ev["max_days_late"], ev["outstanding_fen"]) == (
        "department",
        "special",
        60,
        9,
        40_000,
    )
    assert ev["legal_basis"].startswith("预算法第五十二条第四款") and "60 days" in ev["legal_basis"]
    (receipt,) = ev["late_receipts"]
    assert receipt["received_on"] == "2025-01-10" and receipt["deadline"] == "2025-03-11"
    assert receipt["passed_down_on"] is None

    again = await scan(funds_app, "2025-03-21")
    assert again["raised"] == 0, "a scan does not repeat a warning that has not changed"
    await scan(funds_app, "2025-04-15")  # 35 days late
    (w,) = of(await make.warnings(), "FUNDS-LATE-PASS-DOWN")
    assert w["level"] == "red" and w["occurrences"] == 2 and w["evidence"]["max_days_late"] == 35


async def test_a_general_transfer_has_thirty_days(make: Maker, funds_app):
    t = await make.tree(budget_fen=100_000, budget_approved_on="2025-01-01", thresholds={"pass_down_kind": "general"})
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100_000,
                    occurred_on="2025-01-10")  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=100_000,
                    occurred_on="2025-01-11")  # fmt: skip
    await scan(funds_app, "2025-02-10")
    assert of(await make.warnings(), "FUNDS-LATE-PASS-DOWN") == [], "the county's deadline is Feb 10 itself"
    await scan(funds_app, "2025-02-11")
    (w,) = of(await make.warnings(), "FUNDS-LATE-PASS-DOWN")
    assert w["subject_id"] == t.county["id"]
    assert (w["evidence"]["kind"], w["evidence"]["deadline_days"], w["evidence"]["max_days_late"]) == ("general", 30, 1)


async def test_a_programme_may_give_a_tier_more_time(make: Maker, funds_app):
    t = await make.tree(
        budget_fen=100_000, budget_approved_on="2025-01-01", thresholds={"pass_down_days": {"department": 60}}
    )
    await make.move(kind="allocate", from_node_id=t.root["id"], to_node_id=t.dept["id"], amount_fen=100_000,
                    occurred_on="2025-01-10")  # fmt: skip
    await make.move(kind="allocate", from_node_id=t.dept["id"], to_node_id=t.county["id"], amount_fen=1,
                    occurred_on="2025-01-11")  # fmt: skip
    out = await scan(funds_app, "2025-02-10")
    assert "FUNDS-LATE-PASS-DOWN" not in out["findings"]


async def test_idle_funds_fire_after_the_threshold(make: Maker, funds_app):
    t = await make.tree(budget_fen=100_000, budget_approved_on="2025-01-01")
    await make.down(t, 50_000, to="county", on="2025-01-10")
    await make.pay(t.county, 10_000, org(), occurred_on="2025-02-01")
    await scan(funds_app, "2025-04-01")
    assert of(await make.warnings(), "FUNDS-IDLE-FUNDS", t.county["id"]) == [], "80 days: not idle yet"
    await scan(funds_app, "2025-05-01")
    (w,) = of(await make.warnings(), "FUNDS-IDLE-FUNDS", t.county["id"])
    ev = w["evidence"]
    assert w["level"] == "orange"
    assert (ev["cash_fen"], ev["idle_fen"], ev["oldest_receipt_on"], ev["days_idle"], ev["idle_days"]) == (
        40_000,
        40_000,
        "2025-01-10",
        111,
        90,
    )


async def test_money_that_came_back_is_idle_from_its_return_and_only_after_more_than_n_days(make: Maker, funds_app):
    t = await make.tree(budget_fen=50_000, budget_approved_on="2025-01-01")  # all of it goes to the county
    await make.down(t, 50_000, to="county", on="2025-01-10")
    for kind in ("allocate", "disburse"):
        await make.move(kind=kind, from_node_id=t.county["id"], to_node_id=t.town["id"], amount_fen=20_000,
                        occurred_on="2025-01-10")  # fmt: skip
    paid = await make.pay(t.county, 30_000, org(), occurred_on="2025-01-20")  # the county's cash is now spent
    await make.move(kind="refund", from_node_id=t.town["id"], to_node_id=t.county["id"], amount_fen=20_000,
                    occurred_on="2025-04-20")  # the township sends its money back  # fmt: skip
    await make.move(kind="refund", refund_of=paid["id"], amount_fen=10_000, occurred_on="2025-04-20")  # fmt: skip
    await scan(funds_app, "2025-05-01")
    assert of(await make.warnings(), "FUNDS-IDLE-FUNDS") == [], "returned 11 days ago, not in January"
    await scan(funds_app, "2025-07-19")
    assert of(await make.warnings(), "FUNDS-IDLE-FUNDS") == [], "exactly 90 days is not more than 90"
    await scan(funds_app, "2025-07-20")
    (w,) = of(await make.warnings(), "FUNDS-IDLE-FUNDS")
    ev = w["evidence"]
    assert w["subject_id"] == t.county["id"]
    assert (ev["idle_fen"], ev["oldest_receipt_on"], ev["days_idle"]) == (30_000, "2025-04-20", 91)


async def test_idle_days_can_be_set_per_programme(make: Maker, funds_app):
    t = await make.tree(budget_fen=100_000, budget_approved_on="2025-01-01", thresholds={"idle_days": 200})
    await make.down(t, 50_000, to="county", on="2025-01-10")
    await scan(funds_app, "2025-05-01")
    assert of(await make.warnings(), "FUNDS-IDLE-FUNDS") == []


async def test_duplicate_payments_on_payee_amount_and_date_when_references_differ(make: Maker):
    """A real feed gives every payment its own transaction number: the same payee paid the same amount within
    three days is a possible duplicate (orange) however the references differ."""
    t = await make.tree()
    await make.down(t, 1_000_000, to="county")
    first = await make.pay(t.county, 5_000, org(), reference="T-1", occurred_on="2025-03-01")
    await make.pay(t.county, 5_000, org(), reference="T-2", occurred_on="2025-03-08")  # weekly
    await make.pay(t.county, 5_001, org(), reference="T-3", occurred_on="2025-03-01")
    await make.pay(t.county, 5_000, org(uscc=uscc("91130300MA0A1B2C3"), name="另一家公司"), reference="T-4",
                   occurred_on="2025-03-01")  # fmt: skip
    assert of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT") == []
    second = await make.pay(t.county, 5_000, org(), reference="T-5", occurred_on="2025-03-03")
    (w,) = of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT")
    assert w["level"] == "orange" and w["subject_kind"] == "movement" and w["subject_id"] == second["id"]
    ev = w["evidence"]
    assert ev["match"] == "payee_amount_date" and ev["payment_ids"] == [first["id"], second["id"]]
    assert ev["references"] == ["T-1", "T-5"] and ev["amount_fen"] == 5_000 and ev["window_days"] == 3


async def test_the_supplier_invoice_number_decides_a_duplicate(make: Maker):
    t = await make.tree()
    await make.down(t, 1_000_000, to="county")
    first = await make.pay(t.county, 5_000, org(), invoice_no="No.00012345", occurred_on="2025-03-01")
    await make.pay(t.county, 5_000, org(), invoice_no="No.00012346", occurred_on="2025-03-01")
    assert of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT") == [], "two invoices of one amount, one day"
    again = await make.pay(t.county, 5_000, org(), invoice_no="No.00012345", occurred_on="2025-08-01")
    (w,) = of(await make.warnings(), "FUNDS-DUPLICATE-PAYMENT")
    assert w["level"] == "red" and w["subject_id"] == again["id"]
    assert w["evidence"]["match"] == "invoice" and w["evidence"]["invoice_no"] == "No.00012345"
    assert w["evidence"]["payment_ids"] == [first["id"], again["id"]]
    shown = await make.client.get(f"/v1/funds/movements/{again['id']}", headers=make.headers)
    assert shown.json()["invoice_no"] == "No.00012345"


async def test_split_payments_just_under_the_threshold_in_a_short_window(make: Maker):
    t = await make.tree(budget_fen=10_000_000, thresholds={"approval_threshold_fen": 50_000})
    await make.down(t, 5_000_000, to="county")
    supplier = org()
    for day in ("2025-03-01", "2025-03-08", "2025-03-15"):  # a supplier paid weekly, just under, is no cluster
        await make.pay(t.county, 49_000, supplier, occurred_on=day)
    await make.pay(t.county, 60_000, supplier, occurred_on="2025-03-16")  # approved: above the threshold
    weekly = org(uscc=uscc("91130300MA0A1B2C3"), name="另一家公司")
    for day in ("2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"):  # ordinary amounts that add up
        await make.pay(t.county, 20_000, weekly, occurred_on=day)
    assert of(await make.warnings(), "FUNDS-SPLIT-PAYMENT") == []
    second = await make.pay(t.county, 47_500, supplier, occurred_on="2025-03-17")
    (w,) = of(await make.warnings(), "FUNDS-SPLIT-PAYMENT")
    assert w["level"] == "orange" and w["subject_kind"] == "payee" and w["subject_id"] == second["payee"]["id"]
    ev = w["evidence"]
    assert ev["kind"] == "just_under" and ev["amounts_fen"] == [49_000, 47_500] and ev["total_fen"] == 96_500
    assert (ev["threshold_fen"], ev["band_from_fen"], ev["window_days"]) == (50_000, 45_000, 5)
    assert w["subject_label"] == supplier["name"]
    await make.pay(t.county, 46_000, supplier, occurred_on="2025-03-18")
    (w,) = of(await make.warnings(), "FUNDS-SPLIT-PAYMENT")
    assert w["level"] == "red" and w["evidence"]["amounts_fen"] == [49_000, 47_500, 46_000]


async def test_one_purchase_split_across_payees_sharing_an_invoice(make: Maker):
    t = await make.tree(budget_fen=10_000_000, thresholds={"approval_threshold_fen": 50_000})
    await make.down(t, 5_000_000, to="county")
    payees = [org(uscc=uscc(f"91130300MA0A1B2C{i}"), name=f"公司{i}") for i in range(3)]
    await make.pay(t.county, 20_000, payees[0], invoice_no="INV-9", occurred_on="2025-03-01")
    await make.pay(t.county, 20_000, payees[1], invoice_no="INV-9", occurred_on="2025-03-02")
    assert of(await make.warnings(), "FUNDS-SPLIT-PAYMENT") == [], "40,000 of one invoice: under the threshold"
    last = await make.pay(t.county, 20_000, payees[2], invoice_no="INV-9", occurred_on="2025-03-03")
    (w,) = of(await make.warnings(), "FUNDS-SPLIT-PAYMENT")
    assert w["level"] == "orange" and w["subject_id"] == last["id"]
    ev = w["evidence"]
    assert ev["kind"] == "shared_invoice" and ev["total_fen"] == 60_000 and len(ev["payee_ids"]) == 3
    assert ev["invoice_no"] == "INV-9"


async def test_payee_ineligible_for_an_invalid_uscc(make: Maker):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    await make.pay(t.county, 1_000, org())
    assert of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE") == []
    bad = ORG_USCC[:-1] + "A"
    pay = await make.pay(t.county, 1_000, org(uscc=bad, name="假公司"))
    (w,) = of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")
    assert w["level"] == "red" and w["subject_id"] == pay["id"]
    assert w["evidence"]["reason"] == "invalid_uscc" and w["evidence"]["uscc"] == bad


async def test_payee_ineligible_against_the_watch_lists(make: Maker, funds):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    debarred = uscc("91130302MA0CXY812")
    entries = [
        {"list": "debarred", "uscc": debarred, "region_code": "130000", "reason": "串通投标，禁入三年",
         "reference": "冀财采〔2024〕12号", "listed_on": "2024-06-01"},
        {"list": "official", "resident_id": resident_id(11), "region_code": "130302", "reason": "海港区农业农村局干部",
         "listed_on": "2020-01-01"},
        {"list": "relative", "resident_id": resident_id(12), "region_code": "130302", "reason": "干部配偶",
         "listed_on": "2020-01-01"},
        {"list": "debarred", "uscc": ORG_USCC, "region_code": "110000", "reason": "北京禁入",
         "listed_on": "2024-01-01"},
        {"list": "official", "resident_id": resident_id(13), "region_code": "130302", "reason": "已离任",
         "listed_on": "2020-01-01", "delisted_on": "2024-12-31"},
    ]  # fmt: skip
    loaded = await make.client.post(
        "/v1/funds/watchlist",
        headers=make.headers,
        json={"entries": [e for e in entries if e["region_code"] != "110000"]},
    )
    assert loaded.status_code == 201, loaded.text
    assert loaded.json() == {"created": 4, "matched_payees": 0}
    outside = await funds.post("/v1/funds/watchlist", headers=make.headers, json={"entries": [entries[3]]})
    assert outside.status_code == 403, "a Hebei token cannot list for Beijing"

    await make.pay(t.county, 1_000, org(uscc=debarred, name="禁入公司"))
    await make.pay(t.county, 1_000, person(11, name="王官员"))
    await make.pay(t.county, 1_000, person(12, name="王家属"))
    await make.pay(t.county, 1_000, person(13, name="已离任"))  # delisted before the payment
    await make.pay(t.county, 1_000, person(14, name="普通农户"))
    await make.pay(t.county, 1_000, org())
    found = of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")
    assert sorted(w["evidence"]["reason"] for w in found) == ["debarred", "official", "relative"]
    by_reason = {w["evidence"]["reason"]: w for w in found}
    assert by_reason["debarred"]["evidence"]["list_reason"] == "串通投标，禁入三年"
    for w in found:
        assert "王" not in str(w) and resident_id(11) not in str(w), "no personal data in a warning"

    listed = await funds.get("/v1/funds/watchlist", headers=make.headers)
    assert len(listed.json()["items"]) == 4 and "resident_id" not in listed.text and "id_hash" not in listed.text


async def test_a_list_loaded_later_screens_payees_already_paid(make: Maker):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    await make.pay(t.county, 1_000, person(21, name="赵六"), occurred_on="2025-03-01")
    r = await make.client.post(
        "/v1/funds/watchlist",
        headers=make.headers,
        json={"entries": [{"list": "official", "resident_id": resident_id(21), "region_code": "130300",
                           "reason": "市直机关干部", "listed_on": "2019-01-01"}]},
    )  # fmt: skip
    assert r.json() == {"created": 1, "matched_payees": 1}
    (w,) = of(await make.warnings(), "FUNDS-PAYEE-INELIGIBLE")
    assert w["evidence"]["reason"] == "official"


async def test_category_outside_the_allowed_list(make: Maker):
    t = await make.tree(allowed_categories=["subsidy", "equipment"])
    await make.down(t, 100_000, to="county")
    await make.pay(t.county, 1_000, org(), category="subsidy")
    assert of(await make.warnings(), "FUNDS-CATEGORY-NOT-ALLOWED") == []
    pay = await make.pay(t.county, 2_000, org(), category="entertainment")
    none = await make.pay(t.county, 3_000, org())
    found = of(await make.warnings(), "FUNDS-CATEGORY-NOT-ALLOWED")
    assert {w["subject_id"]: w["evidence"]["category"] for w in found} == {
        pay["id"]: "entertainment",
        none["id"]: None,
    }
    assert all(w["level"] == "red" and w["evidence"]["allowed_categories"] == ["subsidy", "equipment"] for w in found)


async def test_any_category_goes_when_the_programme_has_no_list(make: Maker):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    await make.pay(t.county, 2_000, org(), category="entertainment")
    assert of(await make.warnings(), "FUNDS-CATEGORY-NOT-ALLOWED") == []


async def test_paid_over_the_per_head_standard(make: Maker):
    t = await make.tree(thresholds={"per_head_standard_fen": 100_000})
    await make.down(t, 1_000_000, to="county")
    farmer, other = person(31, name="钱七"), person(32, name="孙八")
    await make.pay(t.county, 60_000, farmer)
    await make.pay(t.county, 40_000, farmer)  # exactly the standard
    await make.pay(t.county, 150_000, org())  # organisations have no per-head standard
    await make.pay(t.county, 90_000, other)
    assert of(await make.warnings(), "FUNDS-OVER-STANDARD") == []
    third = await make.pay(t.county, 1, farmer)
    (w,) = of(await make.warnings(), "FUNDS-OVER-STANDARD")
    assert w["level"] == "red" and w["subject_id"] == third["id"]
    assert w["evidence"]["total_fen"] == 100_001 and w["evidence"]["standard_fen"] == 100_000
    assert len(w["evidence"]["payment_ids"]) == 3


async def test_final_payment_needs_a_passed_acceptance_before_it(make: Maker, acceptor):
    t = await make.tree()
    await make.down(t, 100_000, to="county")
    await make.pay(t.county, 1_000, org(), final=False)

    async def accept(kind: str, subject: str, result: str, on: str) -> None:
        r = await make.client.post(
            "/v1/funds/acceptances",
            headers=acceptor,
            json={"subject": {"kind": kind, "id": subject}, "result": result, "accepted_on": on,
                  "inspector_unit": "海港区验收组"},
        )  # fmt: skip
        assert r.status_code == 201, r.text

    await accept("node", t.county["id"], "passed", "2025-05-01")  # the paying node, accepted after the next one
    await accept("programme", t.pid, "failed", "2025-03-01")
    unaccepted = await make.pay(t.county, 5_000, org(), final=True, occurred_on="2025-04-01")
    (w,) = of(await make.warnings(), "FUNDS-ACCEPTANCE-MISSING")
    assert w["level"] == "orange" and w["subject_id"] == unaccepted["id"]
    assert w["evidence"]["occurred_on"] == "2025-04-01" and w["evidence"]["node_id"] == t.county["id"]
    await make.pay(t.county, 5_000, org(), final=True, occurred_on="2025-05-02")  # after the county's acceptance
    assert len(of(await make.warnings(), "FUNDS-ACCEPTANCE-MISSING")) == 1


async def test_an_acceptance_covers_what_was_accepted_not_every_payment_below_it(make: Maker, acceptor):
    """A passed acceptance of the programme (or of the department above) accepted that subject: the township's
    final payment below it still had no acceptance of its own work."""
    t = await make.tree()
    await make.down(t, 100_000, to="town")
    for kind, subject in (("programme", t.pid), ("node", t.dept["id"])):
        r = await make.client.post(
            "/v1/funds/acceptances",
            headers=acceptor,
            json={"subject": {"kind": kind, "id": subject}, "result": "passed", "accepted_on": "2025-04-01",
                  "inspector_unit": "市验收组"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
    town_final = await make.pay(t.town, 5_000, org(), final=True, occurred_on="2025-04-10")
    (w,) = of(await make.warnings(), "FUNDS-ACCEPTANCE-MISSING")
    assert w["subject_id"] == town_final["id"] and w["evidence"]["node_id"] == t.town["id"]
    r = await make.client.post(
        "/v1/funds/acceptances",
        headers=acceptor,
        json={"subject": {"kind": "node", "id": t.town["id"]}, "result": "passed", "accepted_on": "2025-04-20",
              "inspector_unit": "海港区验收组"},
    )  # fmt: skip
    assert r.status_code == 201
    await make.pay(t.town, 5_000, org(), final=True, occurred_on="2025-04-21")  # the town's own work accepted
    assert len(of(await make.warnings(), "FUNDS-ACCEPTANCE-MISSING")) == 1


async def test_unrectified_audit_findings(make: Maker, funds_app, auditor):
    t = await make.tree()
    audit = await make.client.post(
        "/v1/funds/audits",
        headers=auditor,
        json={
            "subject": {"kind": "node", "id": t.county["id"]},
            "auditor": "秦皇岛市审计局",
            "audited_on": "2025-02-01",
            "findings": [
                {"description": "补贴资金未及时发放", "amount_fen": 120_000, "rectify_by": "2025-03-01"},
                {"description": "台账不全", "rectify_by": "2025-03-01"},
                {"description": "公示不到位", "rectify_by": "2025-06-01"},
            ],
        },
    )
    assert audit.status_code == 201, audit.text
    a = audit.json()
    first, second, _ = a["findings"]
    fixed = await make.client.post(
        f"/v1/funds/audits/{a['id']}/findings/{second['id']}/rectification",
        headers=auditor,
        json={"rectified_on": "2025-02-20", "rectification": "台账已补齐"},
    )
    assert fixed.status_code == 200
    await scan(funds_app, "2025-03-01")
    assert of(await make.warnings(), "FUNDS-AUDIT-UNRECTIFIED") == [], "due today is not overdue"
    await scan(funds_app, "2025-03-10")
    (w,) = of(await make.warnings(), "FUNDS-AUDIT-UNRECTIFIED")
    assert w["level"] == "orange" and (w["service"], w["subject_kind"], w["subject_id"], w["subject_label"]) == (
        "funds",
        "node",
        t.county["id"],
        "audit by 秦皇岛市审计局 on 2025-02-01",
    )
    assert w["evidence"]["finding_id"] == first["id"] and w["evidence"]["days_overdue"] == 9
    assert w["evidence"]["amount_fen"] == 120_000


async def test_benford_deviation_per_node_and_quarter(make: Maker, funds_app):
    t = await make.tree(budget_fen=100_000_000)
    await make.down(t, 50_000_000, to="county")
    flat = [{"kind": "expend", "from_node_id": t.county["id"], "amount_fen": d * 1_000 + i, "occurred_on": "2025-02-10",
             "payee": org()} for d in range(1, 10) for i in range(36)]  # fmt: skip
    r = await make.client.post(
        "/v1/funds/movements/batch", params={"batch_key": "benford"}, json=flat, headers=make.headers
    )
    assert r.status_code == 201, r.text
    in_q2 = [{**p, "occurred_on": "2025-04-02"} for p in flat[:50]]
    await make.client.post("/v1/funds/movements/batch", params={"batch_key": "q2"}, json=in_q2, headers=make.headers)
    out = await scan(funds_app, "2025-04-15")
    assert out["findings"]["FUNDS-BENFORD"] == 1
    (w,) = of(await make.warnings(), "FUNDS-BENFORD")
    ev = w["evidence"]
    assert w["level"] == "blue" and w["subject_id"] == t.county["id"]
    assert ev["period"] == "2025Q1" and ev["count"] == 324 and ev["conformity"] == "nonconformity"
    assert ev["mad"] > 0.015 and ev["counts"] == [36] * 9 and ev["chi_square"] > ev["chi_square_critical_5pct"]
    assert ev["p_value"] < ev["alpha"] == 0.01
    # the node endpoint gives the same statistic
    b = await make.client.get(
        f"/v1/funds/nodes/{t.county['id']}/benford",
        headers=make.headers,
        params={"from": "2025-01-01", "to": "2025-04-01"},
    )
    assert b.json()["mad"] == ev["mad"] and b.json()["count"] == 324


async def test_benford_is_quiet_below_the_minimum_count(make: Maker, funds_app):
    t = await make.tree(budget_fen=100_000_000)
    await make.down(t, 50_000_000, to="county")
    few = [{"kind": "expend", "from_node_id": t.county["id"], "amount_fen": 9_000 + i, "occurred_on": "2025-02-10",
            "payee": org()} for i in range(299)]  # fmt: skip
    r = await make.client.post("/v1/funds/movements/batch", params={"batch_key": "few"}, json=few, headers=make.headers)
    assert r.status_code == 201
    out = await scan(funds_app, "2025-04-15")
    assert "FUNDS-BENFORD" not in out["findings"]


async def test_benford_skips_a_per_head_subsidy(make: Maker, funds_app):
    """Every farmer gets 1,200 yuan: the first digit is always 1, and that is the programme, not a fraud."""
    t = await make.tree(budget_fen=100_000_000)
    await make.down(t, 50_000_000, to="town")
    same = [{"kind": "expend", "from_node_id": t.town["id"], "amount_fen": 120_000, "occurred_on": "2025-02-10",
             "payee": person(100 + i, account=None)} for i in range(320)]  # fmt: skip
    r = await make.client.post(
        "/v1/funds/movements/batch", params={"batch_key": "sub"}, json=same, headers=make.headers
    )
    assert r.status_code == 201, r.text
    out = await scan(funds_app, "2025-04-15")
    assert "FUNDS-BENFORD" not in out["findings"]


async def test_movement_dates_lie_within_the_programme_period_and_not_in_the_future(make: Maker):
    t = await make.tree(budget_fen=1_000_000)  # fiscal year 2025
    body = {"kind": "allocate", "from_node_id": t.root["id"], "to_node_id": t.dept["id"], "amount_fen": 100}
    for day, words in (("0001-01-01", "outside"), ("2024-09-30", "outside"), ("2999-01-01", "future"),
                       ("2026-12-25", "future")):  # fmt: skip
        r = await make.client.post("/v1/funds/movements", headers=make.headers, json={**body, "occurred_on": day})
        assert r.status_code == 422, (day, r.text)
        problem = r.json()
        assert problem["type"].endswith("/date-out-of-range") and problem["field"] == "/occurred_on"
        assert words in problem["detail"], problem
    await make.move(**body, occurred_on="2024-10-01")  # issued ahead, in the autumn before the year
    await make.move(**body, occurred_on="2026-06-30")  # carried over into the next year
    batch = [{**body, "occurred_on": "2025-03-01"}, {**body, "occurred_on": "0001-01-01"}]
    r = await make.client.post("/v1/funds/movements/batch", params={"batch_key": "d"}, json=batch, headers=make.headers)
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["pointer"] == "/1/occurred_on" and error["type"].endswith("/date-out-of-range")


async def test_the_scan_endpoint(make: Maker, funds, writer, national):
    ok = await funds.post("/v1/funds/scans", headers=national, json={"as_of": "2025-06-01T00:00:00Z"})
    assert ok.status_code == 200 and ok.json()["as_of"].startswith("2025-06-01")
    future = await funds.post("/v1/funds/scans", headers=national, json={"as_of": "2999-01-01T00:00:00Z"})
    assert future.status_code == 422 and future.json()["type"].endswith("/future-scan")
    forbidden = await funds.post("/v1/funds/scans", headers=writer, json={})
    assert forbidden.status_code == 403 and forbidden.json()["type"].endswith("/insufficient-scope")
