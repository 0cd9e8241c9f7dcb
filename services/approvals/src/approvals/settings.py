"""Approvals settings: the common ones plus the thresholds of its rules.

Days here are **working days** on the deployment's calendar (``settings.calendar``): the
Administrative Licensing Law of the PRC (行政许可法, 2019) Art. 82 says the organ's time limits
are counted in working days, public holidays excluded (checked: "以工作日计算，不含法定节假日"; the sources are listed
in rules.py).
Each default names its source in rules.py (``LEGAL_BASIS``); R-numbers are research/approvals.md (b).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from sunlight.settings import ServiceSettings


class ApprovalsSettings(ServiceSettings):
    service_name: ClassVar[str] = "approvals"
    port: int = 8103

    # catalogue defaults: an item without its own limit takes the statutory 20 working days (Art. 42, R11)
    default_legal_days: int = Field(default=20, ge=1)
    # APPROVALS-EXTENSION-UNAPPROVED: at most 10 more working days, approved by the head of the organ (Art. 42, R11)
    extension_max_days: int = Field(default=10, ge=0)
    # APPROVALS-PROMISE-NEAR: blue when this few working days of the promised limit are left (dzjc rule guide)
    promise_near_days: int = Field(default=2, ge=0)
    # APPROVALS-CORRECTION-LATE: the notice of every missing item on the spot or within 5 days (Art. 32, R9)
    correction_notice_days: int = Field(default=5, ge=0)
    # APPROVALS-CERTIFICATE-LATE: the licence delivered within 10 days of the decision (Art. 44, R6)
    certificate_days: int = Field(default=10, ge=0)
    # APPROVALS-PREACCEPT-LATE: an online application pre-accepted within 2 working days (dzjc rule guide)
    preaccept_days: int = Field(default=2, ge=0)
    # APPROVALS-SPECIAL-PROCEDURE-OVERRUN: orange when over the granted days, red when over by more than this
    special_red_after_days: int = Field(default=1, ge=0)

    # APPROVALS-BAD-RATING-UNRECTIFIED: a bad rating (1–2) rectified within this many working days of the rating
    # (国办发〔2019〕51号 asks for rectification of bad ratings; cities set 5, 7 or 15 working days — research R17)
    rating_rectify_days: int = Field(default=5, ge=1)
    # APPROVALS-REPEATED-ERRORS: the same error by one window this many times within errors_window_days (calendar)
    errors_repeat_count: int = Field(default=3, ge=2)
    errors_window_days: int = Field(default=90, ge=1)

    # APPROVALS-PENALTY-DECIDED-LATE: decided within 90 days of filing (行政处罚法 2021 Art. 60, checked; 日 counted
    # here as calendar days — the article says 九十日 without saying which)
    penalty_decide_days: int = Field(default=90, ge=1)
    # APPROVALS-ENFORCEMENT-UNCORRECTED: working days to correct after each disposition of integrity (proposed:
    # no public source gives them; research/approvals.md (c) asks for a deadline, not a number)
    enforcement_correct_days: dict[str, int] = Field(
        default_factory=lambda: {"reminder_talk": 5, "inquiry": 10, "direct_review": 15}
    )

    # performance scores: points deducted per warning of each level first raised in the period (research/approvals.md
    # (b), the dzjc model: fixed deductions per valid yellow or red card; the values are proposed, no public source)
    performance_deductions: dict[str, int] = Field(default_factory=lambda: {"blue": 0, "orange": 2, "red": 5})

    # uploaded process logs (POST /v1/approvals/imports): the largest upload, traces written per transaction
    import_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    import_traces_per_commit: int = Field(default=200, ge=1)

    # the periodic sweep over open cases (time limits run out when nothing happens to a case)
    sweep_every_seconds: float = Field(default=3600.0, gt=0)

    # bulk step pushes (POST /v1/approvals/steps/batch): bounded before parsing
    batch_max_records: int = Field(default=5000, ge=1)
    batch_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    batch_max_line_bytes: int = Field(default=64 * 1024, ge=256)
    batch_max_errors: int = Field(default=100, ge=1)
