"""Every case rule fires on a case that breaks it and stays quiet on its twin that does not (through the API,
with the sweep for what time alone breaks)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Maker, at

ON_TIME = [
    ("submit", "2025-03-03", {}),
    ("accept", "2025-03-03", {"officer_code": "A01"}),
    ("undertake", "2025-03-04", {"officer_code": "B02"}),
    ("review", "2025-03-05", {"officer_code": "C03"}),
]


async def sweep(client: httpx.AsyncClient, headers: dict[str, str], day: str) -> dict[str, Any]:
    r = await client.post("/v1/approvals/sweeps", headers=headers, json={"as_of": at(day, "12:00")})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_promise_near_and_overdue_and_legal_overdue_on_an_open_case_by_the_sweep(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str]
) -> None:
    item = await make.item(legal_days=20, promised_days=10)
    c = await make.case(item, ON_TIME)
    await sweep(approvals, national, "2025-03-12")  # 7 working days used of 10
    assert await make.rules_of(c) == set()
    await sweep(approvals, national, "2025-03-13")  # 8: two days left
    assert await make.rules_of(c) == {"APPROVALS-PROMISE-NEAR"}
    await sweep(approvals, national, "2025-03-31")  # 20: the last legal day
    assert await make.rules_of(c) == {"APPROVALS-PROMISE-NEAR", "APPROVALS-PROMISE-OVERDUE"}
    out = await sweep(approvals, national, "2025-04-01")  # 21 (nothing happened to the case)
    assert "APPROVALS-LEGAL-OVERDUE" in await make.rules_of(c)
    red = next(w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-LEGAL-OVERDUE")
    assert (red["level"], red["evidence"]["used_days"], red["evidence"]["legal_days"]) == ("red", 21, 20)
    assert red["dedupe_key"].startswith("130302:APPROVALS-LEGAL-OVERDUE:case:")
    assert out["findings"]["APPROVALS-LEGAL-OVERDUE"] >= 1
    case = await make.get_case(c)
    assert case["level"] == "red" and case["due_on"] == "2025-03-31"
    again = await sweep(approvals, national, "2025-04-01")
    assert again["raised"] == 0  # the same findings are not news


async def test_a_concluded_case_is_judged_at_its_conclusion(make: Maker) -> None:
    item = await make.item(legal_days=20, promised_days=10)
    late = await make.case(
        item, [*ON_TIME, ("decide", "2025-03-18", {"officer_code": "D04"}), ("conclude", "2025-03-18", {})]
    )
    in_time = await make.case(
        item, [*ON_TIME, ("decide", "2025-03-17", {"officer_code": "D04"}), ("conclude", "2025-03-17", {})]
    )
    assert "APPROVALS-PROMISE-OVERDUE" in await make.rules_of(late)  # 11 working days
    assert "APPROVALS-PROMISE-OVERDUE" not in await make.rules_of(in_time)  # 10


@pytest.mark.parametrize(
    ("extension", "fires"),
    [
        ({"days": 10, "approved_by": "HEAD01", "reason": "需现场核查"}, set()),
        ({"days": 10, "reason": "需现场核查"}, {"APPROVALS-EXTENSION-UNAPPROVED", "APPROVALS-LEGAL-OVERDUE"}),
        ({"days": 15, "approved_by": "HEAD01", "reason": "需现场核查"},
         {"APPROVALS-EXTENSION-UNAPPROVED", "APPROVALS-LEGAL-OVERDUE"}),
    ],
)  # fmt: skip
async def test_only_an_approved_extension_with_a_reason_extends_the_legal_limit(
    make: Maker, extension: dict[str, Any], fires: set[str]
) -> None:
    item = await make.item(legal_days=20, promised_days=20)
    c = await make.case(
        item,
        [
            *ON_TIME,
            ("extend", "2025-03-20", extension),
            ("decide", "2025-04-02", {"officer_code": "D04"}),
            ("conclude", "2025-04-02", {}),
        ],
    )
    assert await make.rules_of(c) & {"APPROVALS-EXTENSION-UNAPPROVED", "APPROVALS-LEGAL-OVERDUE"} == fires


@pytest.mark.parametrize(("resumed", "level"), [("2025-03-12", None), ("2025-03-13", "orange"), ("2025-03-14", "red")])
async def test_a_special_procedure_overrunning_its_granted_days(make: Maker, resumed: str, level: str | None) -> None:
    item = await make.item()
    c = await make.case(
        item,
        [*ON_TIME, ("suspend", "2025-03-05", {"procedure": "hearing", "granted_days": 5}), ("resume", resumed, {})],
    )
    found = [w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-SPECIAL-PROCEDURE-OVERRUN"]
    assert [w["level"] for w in found] == ([level] if level else [])
    case = await make.get_case(c)
    assert case["status"] == "accepted"


async def test_the_clock_stands_still_during_a_special_procedure(make: Maker) -> None:
    item = await make.item(legal_days=20, promised_days=10)
    c = await make.case(
        item,
        [
            *ON_TIME,
            ("suspend", "2025-03-05", {"procedure": "expert_review", "granted_days": 10}),
            ("resume", "2025-03-19", {}),
            ("decide", "2025-03-24", {"officer_code": "D04"}),
            ("conclude", "2025-03-24", {}),
        ],
    )
    case = await make.get_case(c)
    # 15 working days from 3 to 24 March, 6–18 March (9 days) suspended: 6 used
    assert case["used_days"] == 6
    assert "APPROVALS-PROMISE-OVERDUE" not in await make.rules_of(c)


@pytest.mark.parametrize(("submitted", "fires"), [("2025-09-26", True), ("2025-09-30", False)])
async def test_online_pre_acceptance_late_counts_working_days_around_national_day(
    make: Maker, submitted: str, fires: bool
) -> None:
    item = await make.item(online_mandatory=True)
    c = await make.case(item, [("submit", submitted, {}), ("pre_accept", "2025-10-09", {})], channel="online")
    # 26 Sep → 9 Oct: 28 (make-up Sunday), 29, 30 Sep, 9 Oct = 4 working days; 30 Sep → 9 Oct: 1
    assert ("APPROVALS-PREACCEPT-LATE" in await make.rules_of(c)) is fires


@pytest.mark.parametrize(("noticed", "fires"), [("2025-03-10", False), ("2025-03-11", True)])
async def test_a_correction_notice_after_five_working_days_is_late(make: Maker, noticed: str, fires: bool) -> None:
    item = await make.item()
    c = await make.case(
        item,
        [
            ("submit", "2025-03-03", {}),
            ("request_correction", noticed, {"missing_items": ["建设用地规划许可证", "总平面图"]}),
        ],
    )
    assert ("APPROVALS-CORRECTION-LATE" in await make.rules_of(c)) is fires


async def test_an_unanswered_application_is_late_for_its_correction_notice_by_the_sweep(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str]
) -> None:
    item = await make.item()
    c = await make.case(item, [("submit", "2025-03-03", {})])
    await sweep(approvals, national, "2025-03-10")
    assert await make.rules_of(c) == set()
    await sweep(approvals, national, "2025-03-11")
    assert await make.rules_of(c) == {"APPROVALS-CORRECTION-LATE"}


async def test_corrections_asked_for_twice_are_piecemeal(make: Maker) -> None:
    item = await make.item()
    once = await make.case(
        item,
        [("submit", "2025-03-03", {}), ("request_correction", "2025-03-04", {"missing_items": ["总平面图", "委托书"]})],
    )
    twice = await make.case(
        item,
        [
            ("submit", "2025-03-03", {}),
            ("request_correction", "2025-03-04", {"missing_items": ["总平面图"]}),
            ("request_correction", "2025-03-06", {"missing_items": ["委托书"]}),
        ],
    )
    assert "APPROVALS-CORRECTION-PIECEMEAL" not in await make.rules_of(once)
    found = [w for w in await make.warnings(twice) if w["rule_id"] == "APPROVALS-CORRECTION-PIECEMEAL"]
    assert found[0]["evidence"]["missing_items"] == ["委托书", "总平面图"]


async def test_a_request_for_correction_must_list_the_missing_items(make: Maker) -> None:
    item = await make.item()
    await make.step("C-NOLIST", "request_correction", "2025-03-04", expect=422, item_code=item["code"])


@pytest.mark.parametrize(("reason", "fires"), [(None, True), ("   ", True), ("申请材料不符合法定形式", False)])
async def test_a_refusal_without_a_reason(make: Maker, reason: str | None, fires: bool) -> None:
    item = await make.item()
    extra = {"reason": reason} if reason is not None else {}
    c = await make.case(
        item, [("submit", "2025-03-03", {}), ("refuse", "2025-03-04", {"officer_code": "A01", **extra})]
    )
    assert ("APPROVALS-REFUSAL-WITHOUT-REASON" in await make.rules_of(c)) is fires
    case = await make.get_case(c)
    assert case["status"] == "refused"
    assert "APPROVALS-STEP-ORDER" not in await make.rules_of(c)  # 不予受理 ends the line: nothing was skipped


@pytest.mark.parametrize(
    ("fees", "fee_item", "amount", "fires"),
    [
        ([{"code": "GBF", "name": "工本费", "max_fen": 1000}], "GBF", 1000, False),
        ([{"code": "GBF", "name": "工本费", "max_fen": 1000}], "GBF", 1500, True),
        ([{"code": "GBF", "name": "工本费", "max_fen": 1000}], "ZXF", 500, True),
        ([], "GBF", 100, True),
    ],
)
async def test_a_fee_outside_the_legal_items_or_rates(
    make: Maker, fees: list[dict[str, Any]], fee_item: str, amount: int, fires: bool
) -> None:
    item = await make.item(fees=fees)
    c = await make.case(item, [*ON_TIME, ("charge_fee", "2025-03-05", {"fee_item": fee_item, "amount_fen": amount})])
    assert ("APPROVALS-ILLEGAL-FEE" in await make.rules_of(c)) is fires


@pytest.mark.parametrize(("channel", "fires"), [("offline", True), ("online", False)])
async def test_an_online_item_handled_offline(make: Maker, channel: str, fires: bool) -> None:
    item = await make.item(online_mandatory=True)
    c = await make.case(item, [("submit", "2025-03-03", {}), ("pre_accept", "2025-03-03", {})], channel=channel)
    assert ("APPROVALS-OFFLINE-HANDLING" in await make.rules_of(c)) is fires


@pytest.mark.parametrize(("decider", "fires"), [("A01", True), ("C03", True), ("D04", False)])
async def test_self_approval_breaks_four_eyes(make: Maker, decider: str, fires: bool) -> None:
    item = await make.item()  # default pairs: accept/decide and review/decide
    c = await make.case(item, [*ON_TIME, ("decide", "2025-03-06", {"officer_code": decider})])
    found = [w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-SELF-APPROVAL"]
    assert bool(found) is fires
    if fires:
        assert found[0]["evidence"]["officer_code"] == decider and found[0]["level"] == "red"


async def test_steps_out_of_order_are_kept_and_flagged(make: Maker, approvals: httpx.AsyncClient) -> None:
    item = await make.item()
    c = await make.case(
        item,
        [
            ("submit", "2025-03-03", {}),
            ("accept", "2025-03-03", {"officer_code": "A01"}),
            ("undertake", "2025-03-04", {"officer_code": "B02"}),
            ("decide", "2025-03-05", {"officer_code": "D04"}),
            ("review", "2025-03-06", {"officer_code": "C03"}),
        ],
    )
    case = await make.get_case(c)
    r = await approvals.get(f"/v1/approvals/cases/{case['id']}/timeline", headers=make.headers)
    steps = r.json()["steps"]
    assert [s["step"] for s in steps] == ["submit", "accept", "undertake", "decide", "review"]
    assert [s["out_of_order"] for s in steps] == [False, False, False, False, True]
    found = next(w for w in await make.warnings(c) if w["rule_id"] == "APPROVALS-STEP-ORDER")
    assert found["evidence"]["out_of_order"] == [["review", "decide"]]


async def test_a_skipped_review_is_flagged_and_an_in_order_case_is_not(make: Maker) -> None:
    item = await make.item()
    skipped = await make.case(
        item,
        [
            ("submit", "2025-03-03", {}),
            ("accept", "2025-03-03", {"officer_code": "A01"}),
            ("undertake", "2025-03-04", {"officer_code": "B02"}),
            ("decide", "2025-03-05", {"officer_code": "D04"}),
        ],
    )
    in_order = await make.case(item, [*ON_TIME, ("decide", "2025-03-06", {"officer_code": "D04"})])
    found = next(w for w in await make.warnings(skipped) if w["rule_id"] == "APPROVALS-STEP-ORDER")
    assert found["evidence"]["skipped"] == ["review"]
    assert "APPROVALS-STEP-ORDER" not in await make.rules_of(in_order)


@pytest.mark.parametrize(("delivered", "fires"), [("2025-03-17", False), ("2025-03-18", True)])
async def test_a_certificate_delivered_after_ten_working_days(make: Maker, delivered: str, fires: bool) -> None:
    item = await make.item()
    c = await make.case(
        item,
        [
            *ON_TIME,
            ("decide", "2025-03-03T16:00:00+08:00", {"officer_code": "D04"}),
            ("conclude", "2025-03-06", {}),
            ("deliver_certificate", delivered, {}),
        ],
    )
    assert ("APPROVALS-CERTIFICATE-LATE" in await make.rules_of(c)) is fires


async def test_a_certificate_never_delivered_is_found_by_the_sweep(
    make: Maker, approvals: httpx.AsyncClient, national: dict[str, str]
) -> None:
    item = await make.item()
    c = await make.case(
        item,
        [
            *ON_TIME,
            ("decide", "2025-03-06", {"officer_code": "D04", "outcome": "grant"}),
            ("conclude", "2025-03-06", {}),
        ],
    )
    await sweep(approvals, national, "2025-03-20")  # 10 working days after the decision
    assert "APPROVALS-CERTIFICATE-LATE" not in await make.rules_of(c)
    await sweep(approvals, national, "2025-03-21")
    assert "APPROVALS-CERTIFICATE-LATE" in await make.rules_of(c)
