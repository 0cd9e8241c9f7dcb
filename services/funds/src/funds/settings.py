"""Funds settings: the common ones plus the thresholds of the funds rules.

Every threshold here is a deployment default; a programme may override the ones listed in
``ProgrammeThresholds`` (schemas.py) for itself. Days are calendar days where the law says
days (Budget Law Art. 52: 日), which is every rule here.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field
from sunlight.settings import ServiceSettings


class FundsSettings(ServiceSettings):
    service_name: ClassVar[str] = "funds"
    port: int = 8101

    # FUNDS-LATE-PASS-DOWN: calendar days a node has to pass received quota down, per tier and per kind of
    # passing down (Budget Law of the PRC, 预算法 2018, Art. 52; checks.PASS_DOWN_BASIS cites each):
    # - budget: approving the budgets of bodies of the same government — finance → departments 20 days,
    #   department → its units 15 days (¶1);
    # - general / special: transfers to lower-level governments — county level and up 30 / 60 days after the
    #   budget is approved (¶4); a province passes central transfers on within 30 days of receipt (¶3).
    # Townships: none (¶4 binds county level and up).
    pass_down_days: dict[str, dict[str, int]] = Field(
        default_factory=lambda: {
            "province": {"budget": 20, "general": 30, "special": 30},
            "finance_bureau": {"budget": 20, "general": 30, "special": 60},
            "department": {"budget": 15, "general": 30, "special": 60},
            "county": {"budget": 20, "general": 30, "special": 60},
        }
    )
    # what the programmes' transfers are by default: special (专项转移支付) — programmes are special funds (专项资金)
    pass_down_kind: Literal["general", "special"] = "special"  # noqa: S105 (not a password)
    pass_down_red_after_days: int = Field(default=30, ge=1)  # days past the deadline at which orange turns red

    # FUNDS-IDLE-FUNDS: cash received and neither passed on nor spent for more than this many days (a
    # deployment default of one quarter; no statute sets it)
    idle_days: int = Field(default=90, ge=1)

    # FUNDS-DUPLICATE-PAYMENT: same payee and amount; the same supplier invoice number within the invoice window
    # (red), or — without invoice numbers — within duplicate_window_days (orange)
    duplicate_window_days: int = Field(default=3, ge=0)
    duplicate_invoice_window_days: int = Field(default=366, ge=0)

    # FUNDS-SPLIT-PAYMENT: payments just under the approval threshold (split_band_percent–100 % of it) clustered
    # within split_window_days, or one purchase (invoice / reference) paid to several payees
    approval_threshold_fen: int = Field(default=5_000_000, gt=0)  # 50,000 yuan
    split_band_percent: int = Field(default=90, ge=50, le=99)
    split_window_days: int = Field(default=5, ge=0)
    split_min_count: int = Field(default=2, ge=2)
    split_red_count: int = Field(default=3, ge=2)

    # movements dated outside their programme's fiscal year by more than these many days, or in the future,
    # are refused: transfers may be issued ahead in the previous autumn (提前下达) and money carried over
    # (结转) is spent the next year. Deployment choices, not statutory.
    movement_days_before_year: int = Field(default=92, ge=0)
    movement_days_after_year: int = Field(default=366, ge=0)

    # a programme whose published payments start at an amount (Oxford: over £500) sets reporting_floor_fen
    reporting_floor_fen: int | None = Field(default=None, gt=0)

    # FUNDS-MULTI-PROGRAMME (一人多领): groups of programme categories of which a person receives at most one at a
    # time (payments in the same calendar month); red from multi_programme_red_months such months. Defaults: 特困
    # 供养 excludes 低保 (国发〔2016〕14号) and the orphans' allowance (民发〔2021〕43号); a deployment adds its own
    exclusive_programme_categories: list[list[str]] = Field(
        default_factory=lambda: [
            ["subsistence-allowance", "extreme-poverty-support"],
            ["extreme-poverty-support", "orphan-allowance"],
        ]
    )
    multi_programme_red_months: int = Field(default=2, ge=1)

    # FUNDS-SHARED-ACCOUNT: this many different persons paid (in one region) into one bank account; red when one of
    # them changed to it within account_change_days before the payment (detection choices, not statutory)
    shared_account_min_payees: int = Field(default=3, ge=2)
    account_change_days: int = Field(default=30, ge=1)

    # FUNDS-OVER-STANDARD: per-head standard of a programme (None: only programmes that set one)
    per_head_standard_fen: int | None = Field(default=None, gt=0)

    # FUNDS-BENFORD: first-digit test per node and calendar quarter. Fires when the chi-square test (8 degrees
    # of freedom) rejects Benford at benford_alpha — the documented false-positive rate on conforming data, at
    # any sample size — and the MAD is above Nigrini's first-digit nonconformity cut-off (0.015). Below 300
    # payments the quarter is not tested; nor are fixed-amount programmes (distinct amounts < 50 %).
    benford_min_count: int = Field(default=300, ge=50)
    benford_alpha: float = Field(default=0.01, gt=0, lt=0.5)
    benford_mad_threshold: float = Field(default=0.015, gt=0)
    benford_min_distinct_percent: int = Field(default=50, ge=0, le=100)

    # periodic scan of the time-based rules (late pass-down, idle funds, unrectified audit findings, Benford)
    scan_every_seconds: float = Field(default=3600.0, gt=0)

    # bulk import (POST /v1/funds/movements/batch and the file imports): the work a body may cost is
    # bounded before it is parsed. More records or bytes: 413 …/batch-too-large (an NDJSON body's
    # records are counted before any is parsed). A longer NDJSON line is a wrong record, not parsed.
    # Checking stops at batch_max_errors wrong records: the 422 …/batch-invalid lists that many and
    # says errors_truncated.
    batch_max_records: int = Field(default=5000, ge=1)
    batch_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    batch_max_line_bytes: int = Field(default=64 * 1024, ge=256)
    batch_max_errors: int = Field(default=100, ge=1)
