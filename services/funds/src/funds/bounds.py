"""Bounds of the thresholds a programme may set for itself, each with its source.

A programme's own thresholds are set by the supervising side (``funds:supervise``, see
``supervision.py``), never by the bureau the rules watch, and only within these bounds: no value
may silence a rule (``idle_days=3650`` would). A bound is statutory where a law gives one, otherwise
a reasoned choice stated here; ``GET /v1/funds/threshold-bounds`` and docs/rules.md show them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    minimum: int
    maximum: int | None  # None: bounded by the programme itself (per_head_standard_fen ≤ budget_fen)
    source: str


BOUNDS: dict[str, Bound] = {
    "approval_threshold_fen": Bound(
        10_000,
        400_000_000,
        "max 4,000,000 yuan: above it a works contract must be tendered anyway (必须招标的工程项目规定, "
        "NDRC Order No. 16 of 2018, art. 5), so a higher approval limit only hides split purchases; "
        "min 100 yuan: below it every payment sits in the band just under the limit",
    ),
    "per_head_standard_fen": Bound(
        100,
        None,
        "at most the programme's budget (a standard no beneficiary can reach silences FUNDS-OVER-STANDARD); "
        "at least 1 yuan",
    ),
    "idle_days": Bound(
        30,
        365,
        "max one year: money unspent at the end of the budget year is carried over or recovered as a surplus "
        "(预算法 art. 42 结转和结余资金; 国办发〔2014〕70号 on recovering idle funds), so a longer wait hides it; "
        "min one month: a monthly payment cycle must not look idle",
    ),
    "duplicate_window_days": Bound(
        1,
        31,
        "max one month: a longer window makes every monthly payment of one amount a duplicate; min one day: "
        "a payment entered again the next day is the commonest duplicate",
    ),
    "split_window_days": Bound(
        1,
        31,
        "max one month (payments split across more than a month stop looking like one purchase); min one day",
    ),
    "pass_down_days": Bound(
        1,
        60,
        "max 60 days, the longest statutory deadline (预算法 2018 art. 52 ¶4, special transfers); a programme may "
        "be stricter, never laxer than the law",
    ),
    "reporting_floor_fen": Bound(
        1,
        1_000_000,
        "max 10,000 yuan: a published file of payments over a floor (the UK Local Government Transparency Code "
        "2015 sets £500) — a higher floor would exempt most payments from FUNDS-BENFORD",
    ),
}


def within(name: str, value: int) -> bool:
    bound = BOUNDS[name]
    return value >= bound.minimum and (bound.maximum is None or value <= bound.maximum)
