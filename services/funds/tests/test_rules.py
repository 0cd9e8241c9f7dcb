"""The pure rule functions, driven with explicit dates (no database, no clock)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from funds import checks, rules
from funds.checks import Flow, PaymentFact
from funds.settings import FundsSettings

D = date(2025, 3, 1)


def pay(
    i: int, amount: int, on: date = D, *, payee: str = "p1", ref: str | None = None, programme: str = "P"
) -> PaymentFact:
    return PaymentFact(str(i), programme, "n", payee, amount, on, ref or f"T-{i}")


def test_the_registry_lists_every_rule_once_with_its_level():
    ids = [r.id for r in rules.RULES]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 14
    assert rules.RULES["FUNDS-OVERSPEND"].level == "red"
    assert rules.RULES["FUNDS-BENFORD"].level == "blue"
    assert rules.RULES["FUNDS-LATE-PASS-DOWN"].escalates_to == "red"
    settings = FundsSettings(environment="test")
    for rule in rules.RULES:
        for name in rule.parameters:
            assert hasattr(settings, name), (rule.id, name)


def test_programme_thresholds_override_the_settings():
    settings = FundsSettings(environment="test")
    own = rules.thresholds(settings, {"approval_threshold_fen": 100, "pass_down_days": {"county": 45}})
    assert own.approval_threshold_fen == 100 and own.pass_down_days["county"] == {
        "budget": 45,
        "general": 45,
        "special": 45,
    }, "a programme's days for a tier apply to every kind of passing down"
    assert own.pass_down_days["department"] == {"budget": 15, "general": 30, "special": 60}
    assert own.idle_days == settings.idle_days and own.pass_down_kind == "special"
    assert rules.thresholds(settings, {}).approval_threshold_fen == settings.approval_threshold_fen
    assert rules.thresholds(settings, {"pass_down_kind": "general"}).pass_down_kind == "general"


def test_pass_down_deadlines_follow_budget_law_article_52():
    """Art. 52: ¶1 finance → departments 20 days, department → its units 15; ¶4 county level and up → lower-level
    governments 30 (general) / 60 (special); ¶3 a province passes central transfers on within 30."""
    days = FundsSettings(environment="test").pass_down_days

    def deadline(tier: str, region: str, children: list[str], kind: str = "special") -> tuple[int, str] | None:
        return checks.pass_down_deadline(days, tier, checks.pass_down_kinds(region, children, kind))

    assert deadline("finance_bureau", "130300", ["130300"]) == (20, "budget")
    assert deadline("department", "130300", ["130300"]) == (15, "budget"), "a department approving its units"
    assert deadline("department", "130300", ["130302"]) == (60, "special"), "a transfer to a county government"
    assert deadline("department", "130300", ["130302"], "general") == (30, "general")
    assert deadline("county", "130302", ["130302001"], "general") == (30, "general")
    assert deadline("province", "130000", ["130300"]) == (30, "special")
    assert deadline("township", "130302001", ["130302001001"]) is None, "Art. 52 binds county level and up"
    assert deadline("department", "130300", ["130300", "130302"]) == (60, "special"), "mixed: the longer one"
    for (tier, kind), basis in checks.PASS_DOWN_BASIS.items():
        assert f"{days[tier][kind]} days" in basis and "第五十二条" in basis and "Art. 52" in basis


def test_duplicates_match_payee_amount_and_a_short_window_without_invoice_numbers():
    new = pay(9, 500, D, ref="T-9")
    found = checks.duplicates_of(new, [pay(1, 500, D - timedelta(days=3), ref="T-1")], window_days=3,
                                invoice_window_days=366)  # fmt: skip
    assert found is not None and found.match == "payee_amount_date" and [p.id for p in found.payments] == ["1"]
    assert checks.duplicates_of(new, [pay(1, 500, D)], window_days=0, invoice_window_days=366) is not None, (
        "the importer's unique transaction numbers do not hide a same-day repeat"
    )
    quiet = [
        pay(1, 500, D - timedelta(days=7)),  # a weekly payment of the same amount
        pay(2, 501, D),
        pay(3, 500, D, payee="p2"),
    ]
    assert checks.duplicates_of(new, quiet, window_days=3, invoice_window_days=366) is None


def test_the_invoice_number_is_the_strong_key():
    def inv(i: int, amount: int, on: date, invoice: str | None) -> PaymentFact:
        return PaymentFact(str(i), "P", "n", "p1", amount, on, f"T-{i}", invoice)

    new = inv(9, 500, D, "INV-7")
    months = checks.duplicates_of(new, [inv(1, 500, D - timedelta(days=200), "INV-7")], window_days=3,
                                 invoice_window_days=366)  # fmt: skip
    assert months is not None and months.match == "invoice", "an invoice paid again months later"
    other = checks.duplicates_of(new, [inv(1, 500, D, "INV-8")], window_days=3, invoice_window_days=366)
    assert other is None, "two invoice numbers are two invoices, even the same day"
    weak = checks.duplicates_of(new, [inv(1, 500, D, None)], window_days=3, invoice_window_days=366)
    assert weak is not None and weak.match == "payee_amount_date", "one side has no number: the window decides"


def test_splits_are_payments_just_under_the_threshold_clustered_in_a_short_window():
    kw = {"threshold_fen": 5_000, "window_days": 5, "min_count": 2, "band_percent": 90}
    history = [pay(1, 4_600, D - timedelta(days=1)), pay(2, 4_700, D - timedelta(days=5))]
    split = checks.split_payments(pay(3, 4_800), history, **kw)
    assert split is not None and split.kind == "just_under" and split.total_fen == 14_100
    assert [p.id for p in split.payments] == ["2", "1", "3"] and split.band_from_fen == 4_500
    assert checks.split_payments(pay(3, 4_499), history, **kw) is None, "below the band: an ordinary payment"
    assert checks.split_payments(pay(3, 5_000), history, **kw) is None, "at the threshold it was approved"
    weekly = [pay(i, 4_900, D - timedelta(days=7 * i)) for i in range(1, 10)]
    assert checks.split_payments(pay(0, 4_900), weekly, **kw) is None, "one a week is not a cluster"
    ordinary = [pay(i, 3_000 + 100 * i, D - timedelta(days=i % 3)) for i in range(1, 10)]
    assert checks.split_payments(pay(0, 3_500), ordinary, **kw) is None, "ordinary amounts that add up are not split"
    other = [pay(1, 4_900, D, programme="Q")]
    assert checks.split_payments(pay(3, 4_900), other, **kw) is None, "another programme's payment"


def test_a_purchase_split_across_payees_sharing_an_invoice():
    def inv(i: int, payee: str, amount: int, invoice: str | None, ref: str | None = None) -> PaymentFact:
        return PaymentFact(str(i), "P", "n", payee, amount, D, ref or f"T-{i}", invoice)

    kw = {"threshold_fen": 5_000, "window_days": 5}
    split = checks.split_across_payees(inv(3, "c", 1_500, "INV-1"), [inv(1, "a", 2_000, "INV-1"),
                                      inv(2, "b", 2_000, "INV-1")], **kw)  # fmt: skip
    assert split is not None and split.kind == "shared_invoice" and split.total_fen == 5_500
    by_ref = checks.split_across_payees(inv(3, "c", 3_000, None, "PO-1"), [inv(1, "a", 2_500, None, "PO-1")], **kw)
    assert by_ref is not None, "without invoice numbers a shared reference ties the purchase together"
    assert checks.split_across_payees(inv(3, "c", 1_000, "INV-1"), [inv(1, "a", 2_000, "INV-1")], **kw) is None
    one_payee = [inv(1, "c", 4_000, "INV-1")]
    assert checks.split_across_payees(inv(3, "c", 2_000, "INV-1"), one_payee, **kw) is None, "instalments, one payee"


def test_benford_statistics_match_the_definition():
    expected = [math.log10(1 + 1 / d) for d in range(1, 10)]
    assert sum(expected) == 1.0 or abs(sum(expected) - 1) < 1e-12
    # a sample that follows Benford closely: counts proportional to the expected shares
    amounts = [int(str(d) + "00") for d in range(1, 10) for _ in range(round(expected[d - 1] * 1000))]
    close = checks.benford(amounts)
    assert close.conformity == "close" and close.mad < 0.006
    flat = checks.benford([d * 100 for d in range(1, 10)] * 20)
    mad = sum(abs(1 / 9 - e) for e in expected) / 9
    assert flat.mad == round(mad, 6) and flat.conformity == "nonconformity"
    chi = sum(180 * (1 / 9 - e) ** 2 / e for e in expected)
    assert flat.chi_square == round(chi, 4) and flat.count == 180


def benford_sample(rng: random.Random, n: int) -> list[int]:
    """``n`` amounts whose first digits follow Benford's law exactly (log-uniform over four decades)."""
    return [int(10 ** rng.uniform(4, 8)) for _ in range(n)]


def verdict(amounts: list[int], settings: FundsSettings, **extra: object) -> checks.BenfordVerdict:
    return checks.benford_verdict(
        amounts,
        min_count=settings.benford_min_count,
        alpha=settings.benford_alpha,
        mad_threshold=settings.benford_mad_threshold,
        min_distinct_percent=settings.benford_min_distinct_percent,
        **extra,  # type: ignore[arg-type]
    )


def upper_bound(rate: float, trials: int) -> float:
    """The observed share of ``trials`` that a true ``rate`` exceeds with probability about 1 in 10,000."""
    return rate + 3.72 * math.sqrt(rate * (1 - rate) / trials)


def test_conforming_samples_stay_quiet_at_the_documented_false_positive_rate():
    """Samples of 100–500 payments drawn from Benford's law fire at most ``benford_alpha`` of the time (the
    MAD cut-off alone flagged 92 % of the samples of 100, and about a third of those of 300)."""
    settings = FundsSettings(environment="test")
    assert settings.benford_alpha == 0.01
    rng = random.Random(20261130)
    trials = 3_000
    sizes = [rng.randint(100, 500) for _ in range(trials)]
    verdicts = [verdict(benford_sample(rng, n), settings) for n in sizes]
    fired = sum(v.deviates for v in verdicts)
    assert fired / trials <= upper_bound(settings.benford_alpha, trials), fired
    # the same at every size once tested: lower the minimum to 100 and look at 100–150 payments only
    small = FundsSettings(environment="test", benford_min_count=100)
    small_fired = sum(verdict(benford_sample(rng, rng.randint(100, 150)), small).deviates for _ in range(trials))
    assert small_fired / trials <= upper_bound(small.benford_alpha, trials), small_fired
    old_rule = sum(checks.benford(benford_sample(rng, 100)).mad > 0.015 for _ in range(500))
    assert old_rule > 400, "the size-blind cut-off this replaces"
    assert {v.reason for v, n in zip(verdicts, sizes, strict=True) if n < 300} == {"too_few"}


def test_a_manipulated_sample_fires():
    settings = FundsSettings(environment="test")
    rng = random.Random(7)
    honest = benford_sample(rng, 400)
    # a third of the payments invented just under round limits: 4,8xx and 9,8xx yuan
    invented = [rng.choice((480_000, 980_000)) + rng.randint(0, 19_999) for _ in range(200)]
    found = verdict(honest[:200] + invented, settings)
    assert found.deviates and found.reason == "deviates" and found.result is not None
    assert found.result.p_value < settings.benford_alpha and found.result.mad > settings.benford_mad_threshold
    assert not verdict(honest, settings).deviates


def test_fixed_amount_programmes_are_not_tested():
    settings = FundsSettings(environment="test")
    subsidy = [120_000] * 380 + [60_000] * 20  # a per-head subsidy: one or two amounts
    assert verdict(subsidy, settings).reason == "fixed_amounts"
    rng = random.Random(3)
    assert verdict(benford_sample(rng, 400), settings, fixed_amounts=True).reason == "fixed_amounts", (
        "a programme with a per-head standard"
    )


def test_a_file_cut_from_below_is_tested_from_the_next_power_of_ten():
    settings = FundsSettings(environment="test")
    rng = random.Random(11)
    over_500 = [a for a in benford_sample(rng, 3_000) if a >= 50_000][:900]  # "payments over £500"
    assert verdict(over_500, settings).deviates, "cut at 500 the first digits 5–9 are over-represented"
    cut = verdict(over_500, settings, reporting_floor_fen=50_000)
    assert cut.floor_fen == 100_000 and cut.tested == sum(a >= 100_000 for a in over_500)
    assert cut.reason == "conforms"
    assert checks.benford_floor(None) == 0 and checks.benford_floor(100_000) == 100_000


def test_quarters():
    assert checks.quarter_of(date(2025, 2, 14)) == (date(2025, 1, 1), date(2025, 4, 1), "2025Q1")
    assert checks.quarter_of(date(2025, 12, 31)) == (date(2025, 10, 1), date(2026, 1, 1), "2025Q4")


def test_late_receipts_first_in_first_out():
    receipts = [Flow(date(2025, 1, 1), 100, "a"), Flow(date(2025, 2, 1), 100, "b")]
    # 100 passed down on time (Jan 10), the second 100 passed on Mar 20: 27 days after its Feb 21 deadline
    uses = [Flow(date(2025, 1, 10), 100), Flow(date(2025, 3, 20), 100)]
    (late,) = checks.late_receipts(receipts, uses, today=date(2025, 6, 1), deadline_days=20)
    assert late.movement_id == "b" and late.passed_down_on == date(2025, 3, 20) and late.days_late == 27
    # nothing passed down yet: both outstanding, the first 41 days late on Mar 3
    held = checks.late_receipts(receipts, [], today=date(2025, 3, 3), deadline_days=20)
    assert [(r.movement_id, r.outstanding_fen, r.days_late) for r in held] == [("a", 100, 41), ("b", 100, 10)]
    # part passed on: the rest of the first receipt is outstanding
    part = checks.late_receipts(receipts[:1], [Flow(date(2025, 1, 5), 60)], today=date(2025, 2, 1), deadline_days=20)
    assert [(r.outstanding_fen, r.days_late) for r in part] == [(40, 11)]
    # not yet due
    assert checks.late_receipts(receipts, [], today=date(2025, 1, 21), deadline_days=20) == []
    # money coming back down (a child's refund) is a receipt of its own, with its own deadline
    back = checks.late_receipts(
        [*receipts[:1], Flow(date(2025, 1, 6), 30, "back")],
        [Flow(date(2025, 1, 5), 100)],
        today=date(2025, 3, 1),
        deadline_days=20,
    )
    assert [(r.movement_id, r.outstanding_fen, r.days_late) for r in back] == [("back", 30, 34)]


def test_idle_cash_is_the_old_part_of_what_is_on_hand():
    receipts = [Flow(date(2025, 1, 1), 100, "a"), Flow(date(2025, 5, 1), 100, "b")]
    idle = checks.idle_cash(receipts, 150, today=date(2025, 6, 1), idle_days=90)
    assert idle is not None and idle.idle_fen == 50 and idle.oldest_receipt_on == date(2025, 1, 1)
    assert idle.days_idle == 151
    assert checks.idle_cash(receipts, 100, today=date(2025, 6, 1), idle_days=90) is None, "only the new money is left"
    assert checks.idle_cash(receipts, 0, today=date(2025, 6, 1), idle_days=90) is None


def test_idle_is_strictly_more_than_n_days():
    receipts = [Flow(date(2025, 1, 1), 100, "a")]
    assert checks.idle_cash(receipts, 100, today=date(2025, 4, 1), idle_days=90) is None, "exactly 90 days"
    idle = checks.idle_cash(receipts, 100, today=date(2025, 4, 2), idle_days=90)
    assert idle is not None and idle.days_idle == 91


def test_audit_deadlines():
    assert checks.days_overdue(date(2025, 3, 1), None, date(2025, 3, 11)) == 10
    assert checks.days_overdue(date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 11)) == 0
    assert checks.days_overdue(date(2025, 3, 1), None, date(2025, 3, 1)) == 0


def test_uscc_check_character():
    assert checks.uscc_is_valid("91110000600037341L")
    assert not checks.uscc_is_valid("91110000600037341A")
