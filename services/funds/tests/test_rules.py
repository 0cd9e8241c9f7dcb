"""The pure rule functions, driven with explicit dates (no database, no clock)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from funds import rules
from funds.rules import Flow, PaymentFact
from funds.settings import FundsSettings

D = date(2025, 3, 1)


def pay(
    i: int, amount: int, on: date = D, *, payee: str = "p1", ref: str | None = "R", programme: str = "P"
) -> PaymentFact:
    return PaymentFact(str(i), programme, "n", payee, amount, on, ref)


def test_the_registry_lists_every_rule_once_with_its_level():
    ids = [r.id for r in rules.RULES]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 12
    assert rules.RULES["FUNDS-OVERSPEND"].level == "red"
    assert rules.RULES["FUNDS-BENFORD"].level == "blue"
    assert rules.RULES["FUNDS-LATE-PASS-DOWN"].escalates_to == "red"
    settings = FundsSettings(environment="test")
    for rule in rules.RULES:
        for name in rule.parameters:
            assert hasattr(settings, name), (rule.id, name)


def test_programme_thresholds_override_the_settings():
    settings = FundsSettings(environment="test")
    own = rules.thresholds(settings, {"approval_threshold_fen": 100, "pass_down_days": {"county": 60}})
    assert own.approval_threshold_fen == 100 and own.pass_down_days["county"] == 60
    assert own.pass_down_days["department"] == 15 and own.idle_days == settings.idle_days
    assert rules.thresholds(settings, {}).approval_threshold_fen == settings.approval_threshold_fen


def test_duplicates_need_payee_amount_and_reference_within_the_window():
    new = pay(9, 500, D)
    assert [p.id for p in rules.duplicates_of(new, [pay(1, 500, D - timedelta(days=30))], 30)] == ["1"]
    assert rules.duplicates_of(new, [pay(1, 500, D - timedelta(days=31))], 30) == []
    assert rules.duplicates_of(new, [pay(1, 501, D)], 30) == []
    assert rules.duplicates_of(new, [pay(1, 500, D, payee="p2")], 30) == []
    assert rules.duplicates_of(new, [pay(1, 500, D, ref="S")], 30) == []
    assert rules.duplicates_of(pay(9, 500, D, ref=None), [pay(1, 500, D, ref=None)], 30) == [], "no reference, no match"


def test_splits_add_up_to_the_threshold_below_it():
    history = [pay(1, 4_600), pay(2, 4_700, D - timedelta(days=5))]
    split = rules.split_payments(
        pay(3, 4_800), history, threshold_fen=5_000, window_days=30, min_count=2, near_percent=10
    )
    assert split is not None and split.total_fen == 14_100 and split.all_near
    assert [p.id for p in split.payments] == ["2", "1", "3"]
    loose = rules.split_payments(
        pay(3, 1_000), history, threshold_fen=5_000, window_days=30, min_count=2, near_percent=10
    )
    assert loose is not None and not loose.all_near, "they reach the threshold but are not all just under it"
    assert rules.split_payments(pay(3, 5_000), history, threshold_fen=5_000, window_days=30, min_count=2,
                                near_percent=10) is None, "a payment at the threshold was approved"  # fmt: skip
    assert rules.split_payments(pay(3, 100), [pay(1, 100)], threshold_fen=5_000, window_days=30, min_count=2,
                                near_percent=10) is None, "small payments that do not reach it"  # fmt: skip
    old = [pay(1, 4_900, D - timedelta(days=30))]
    assert rules.split_payments(pay(3, 4_900), old, threshold_fen=5_000, window_days=30, min_count=2,
                                near_percent=10) is None, "outside the window"  # fmt: skip


def test_benford_statistics_match_the_definition():
    expected = [math.log10(1 + 1 / d) for d in range(1, 10)]
    assert sum(expected) == 1.0 or abs(sum(expected) - 1) < 1e-12
    # a sample that follows Benford closely: counts proportional to the expected shares
    amounts = [int(str(d) + "00") for d in range(1, 10) for _ in range(round(expected[d - 1] * 1000))]
    close = rules.benford(amounts)
    assert close.conformity == "close" and close.mad < 0.006
    flat = rules.benford([d * 100 for d in range(1, 10)] * 20)
    mad = sum(abs(1 / 9 - e) for e in expected) / 9
    assert flat.mad == round(mad, 6) and flat.conformity == "nonconformity"
    chi = sum(180 * (1 / 9 - e) ** 2 / e for e in expected)
    assert flat.chi_square == round(chi, 4) and flat.count == 180


def test_quarters():
    assert rules.quarter_of(date(2025, 2, 14)) == (date(2025, 1, 1), date(2025, 4, 1), "2025Q1")
    assert rules.quarter_of(date(2025, 12, 31)) == (date(2025, 10, 1), date(2026, 1, 1), "2025Q4")


def test_late_receipts_first_in_first_out():
    receipts = [Flow(date(2025, 1, 1), 100, "a"), Flow(date(2025, 2, 1), 100, "b")]
    # 100 passed down on time (Jan 10), the second 100 passed on Mar 20: 27 days after its Feb 21 deadline
    uses = [Flow(date(2025, 1, 10), 100), Flow(date(2025, 3, 20), 100)]
    (late,) = rules.late_receipts(receipts, uses, today=date(2025, 6, 1), deadline_days=20)
    assert late.movement_id == "b" and late.passed_down_on == date(2025, 3, 20) and late.days_late == 27
    # nothing passed down yet: both outstanding, the first 41 days late on Mar 3
    held = rules.late_receipts(receipts, [], today=date(2025, 3, 3), deadline_days=20)
    assert [(r.movement_id, r.outstanding_fen, r.days_late) for r in held] == [("a", 100, 41), ("b", 100, 10)]
    # part passed on: the rest of the first receipt is outstanding
    part = rules.late_receipts(receipts[:1], [Flow(date(2025, 1, 5), 60)], today=date(2025, 2, 1), deadline_days=20)
    assert [(r.outstanding_fen, r.days_late) for r in part] == [(40, 11)]
    # not yet due
    assert rules.late_receipts(receipts, [], today=date(2025, 1, 21), deadline_days=20) == []
    # money coming back down (a child's refund) is a receipt of its own, with its own deadline
    back = rules.late_receipts(
        [*receipts[:1], Flow(date(2025, 1, 6), 30, "back")],
        [Flow(date(2025, 1, 5), 100)],
        today=date(2025, 3, 1),
        deadline_days=20,
    )
    assert [(r.movement_id, r.outstanding_fen, r.days_late) for r in back] == [("back", 30, 34)]


def test_idle_cash_is_the_old_part_of_what_is_on_hand():
    receipts = [Flow(date(2025, 1, 1), 100, "a"), Flow(date(2025, 5, 1), 100, "b")]
    idle = rules.idle_cash(receipts, 150, today=date(2025, 6, 1), idle_days=90)
    assert idle is not None and idle.idle_fen == 50 and idle.oldest_receipt_on == date(2025, 1, 1)
    assert idle.days_idle == 151
    assert rules.idle_cash(receipts, 100, today=date(2025, 6, 1), idle_days=90) is None, "only the new money is left"
    assert rules.idle_cash(receipts, 0, today=date(2025, 6, 1), idle_days=90) is None


def test_audit_deadlines():
    assert rules.days_overdue(date(2025, 3, 1), None, date(2025, 3, 11)) == 10
    assert rules.days_overdue(date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 11)) == 0
    assert rules.days_overdue(date(2025, 3, 1), None, date(2025, 3, 1)) == 0


def test_uscc_check_character():
    assert rules.uscc_is_valid("91110000600037341L")
    assert not rules.uscc_is_valid("91110000600037341A")
