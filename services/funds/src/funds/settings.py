"""Funds settings: the common ones plus the thresholds of the funds rules.

Every threshold here is a deployment default; a programme may override the ones listed in
``ProgrammeThresholds`` (schemas.py) for itself. Days are calendar days where the law says
days (Budget Law Art. 52: 日), which is every rule here.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from sunlight.settings import ServiceSettings


class FundsSettings(ServiceSettings):
    service_name: ClassVar[str] = "funds"
    port: int = 8101
    timezone: str = "Asia/Shanghai"  # "today" for the time-based rules

    # FUNDS-LATE-PASS-DOWN: calendar days a tier has to pass received quota down (Budget Law Art. 52:
    # a province passes central transfers down within 30 days, finance → departments 20, departments →
    # units 15, county level and up → lower levels 30 (general) / 60 (special transfers)).
    pass_down_days: dict[str, int] = Field(
        default_factory=lambda: {
            "province": 30,
            "finance_bureau": 20,
            "department": 15,
            "county": 30,
            "township": 30,
        }
    )
    pass_down_red_after_days: int = Field(default=30, ge=1)  # days past the deadline at which orange turns red

    # FUNDS-IDLE-FUNDS: cash received and neither passed on nor spent for longer than this
    idle_days: int = Field(default=90, ge=1)

    # FUNDS-DUPLICATE-PAYMENT: same payee, amount and reference within this many days
    duplicate_window_days: int = Field(default=30, ge=0)

    # FUNDS-SPLIT-PAYMENT: payments below the approval threshold adding up to it within a window
    approval_threshold_fen: int = Field(default=5_000_000, gt=0)  # 50,000 yuan
    split_window_days: int = Field(default=30, ge=1)
    split_min_count: int = Field(default=2, ge=2)
    split_near_percent: int = Field(default=10, ge=1, le=50)  # "just under": within this % below the threshold

    # FUNDS-OVER-STANDARD: per-head standard of a programme (None: only programmes that set one)
    per_head_standard_fen: int | None = Field(default=None, gt=0)

    # FUNDS-BENFORD: first-digit test per node and calendar quarter (Nigrini's MAD cut-offs)
    benford_min_count: int = Field(default=100, ge=10)
    benford_mad_threshold: float = Field(default=0.015, gt=0)

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
