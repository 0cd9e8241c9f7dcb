"""Complaints settings: the common ones plus the statutory periods and the thresholds of its rules.

Periods and their sources (the rules' ``legal_source`` in ``rules.py`` cites each):

- 信访工作条例 (2022, 中共中央 国务院): whether a petition is accepted is decided and told within 15 days of
  receipt; an accepted matter is concluded within 60 days of acceptance; a complicated one may be extended
  once, by at most 30 days, with the reason told to the petitioner. The law says 日 (calendar days); the
  last day of a period falling on a rest day moves to the next working day (民法典 第二百零三条), which is
  what ``day_count="calendar"`` does with ``settings.calendar``. ``day_count="working"`` counts working days
  instead, for a deployment whose local rules say 工作日 (e.g. 纪检监察机关处理检举控告工作规则 第十六条:
  a report forwarded down is accepted or passed on within 5 working days).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field
from sunlight.settings import ServiceSettings


class ComplaintsSettings(ServiceSettings):
    service_name: ClassVar[str] = "complaints"
    port: int = 8104

    # statutory periods (信访工作条例 2022; see the module docstring)
    day_count: Literal["calendar", "working"] = "calendar"
    acceptance_days: int = Field(default=15, ge=1, le=365)  # COMPLAINTS-ACCEPTANCE-LATE
    conclusion_days: int = Field(default=60, ge=1, le=730)  # COMPLAINTS-CONCLUSION-LATE
    extension_max_days: int = Field(default=30, ge=0, le=365)  # COMPLAINTS-EXTENSION-EXCEEDED
    extension_max_count: int = Field(default=1, ge=0, le=10)
    # days past the conclusion deadline at which the orange warning turns red (a deployment choice)
    conclusion_red_after_days: int = Field(default=30, ge=1)

    # COMPLAINTS-REPEATED: this many reports on one subject (or near-duplicates) within the window
    repeat_min_reports: int = Field(default=3, ge=2)
    group_window_days: int = Field(default=90, ge=1, le=3650)
    # near-duplicate text: Jaccard similarity of character shingles (estimated by MinHash) at least this
    similarity_threshold: float = Field(default=0.5, gt=0, le=1)
    shingle_size: int = Field(default=3, ge=1, le=8)

    # COMPLAINTS-HANDED-AROUND: more hand-offs between handling teams than this (推诿; a deployment default)
    handoff_max: int = Field(default=3, ge=1, le=100)

    # receipts: argon2id cost (RFC 9106; argon2-cffi's defaults are its low-memory profile)
    receipt_time_cost: int = Field(default=3, ge=1)
    receipt_memory_kib: int = Field(default=65536, ge=8)

    # retention (days after closing or rejection), per category; then content, identity and the report's data
    # key are destroyed and only anonymous figures remain. Deployment defaults, not statutory.
    retention_days: dict[str, int] = Field(default_factory=lambda: {"default": 5 * 365})

    # limits on what the public sends
    text_max_chars: int = Field(default=10_000, ge=100)
    messages_max_per_report: int = Field(default=200, ge=1)

    # attachments: each at most attachment_max_bytes, of a type sniffed from its bytes (sniff.py) and allowed here;
    # the gateway's max_body_bytes (20 MiB) bounds one request, and base64 adds a third
    attachment_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=8 * 1024 * 1024)
    attachment_types: tuple[str, ...] = (
        "application/pdf",
        "image/jpeg",
        "image/png",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    attachments_max_per_report: int = Field(default=20, ge=0, le=200)

    # Open311 GeoReport v2 (public): the categories it shows (never reports about an official, whatever these say)
    open311_categories: tuple[str, ...] = ("service_request",)
    open311_max_requests: int = Field(default=1000, ge=1, le=10_000)
    open311_default_days: int = Field(default=90, ge=1, le=3650)

    # the periodic scan (late acceptance, late conclusion, retention)
    scan_every_seconds: float = Field(default=3600.0, gt=0)

    # bulk import of a bureau's hotline records
    batch_max_records: int = Field(default=5000, ge=1)
    batch_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # uploaded lifecycle logs (POST /v1/complaints/imports): the largest upload, the cases per transaction, and
    # at most this many cases of a log (None: all of them)
    import_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    import_traces_per_commit: int = Field(default=500, ge=1)
    import_max_traces: int | None = Field(default=None, ge=1)
