"""Complaints tables (SQLModel, tables only; API shapes are in schemas.py).

What is personal or confidential is never stored in the clear: the report's text, the official it names,
the reporter's identity and every message are sealed with the report's own data key (``vault.py``),
which is stored wrapped by the deployment's key ring (``ReportKey``). Dropping that one row makes every
copy of the report unreadable. Receipts are stored as an argon2id hash plus a keyed lookup hash.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow
from sunlight.enums import DescribedEnum
from sunlight.reencrypt import Sealed

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata


class Category(DescribedEnum):
    """What the report is about (举报类别)."""

    CORRUPTION = "corruption", "贪污贿赂"
    MISUSE_OF_FUNDS = "misuse_of_funds", "截留挪用、虚报冒领资金"
    TENDER_RIGGING = "tender_rigging", "围标串标、违规招投标"
    APPROVAL_MISCONDUCT = "approval_misconduct", "审批违规、吃拿卡要"
    DERELICTION = "dereliction", "失职渎职"
    CONDUCT = "conduct", "作风问题"
    SERVICE_REQUEST = "service_request", "一般诉求 (a public-service complaint, e.g. a hotline record)"
    OTHER = "other", "anything else"


class SubjectKind(DescribedEnum):
    OFFICIAL = "official", "a person in office (name sealed; a keyed hash groups reports about one person)"
    UNIT = "unit", "an organisation by its USCC"
    FUND = "fund", "a funds programme, node or payment"
    TENDER = "tender", "a tender in the tenders service"
    APPROVAL = "approval", "an approval case in the approvals service"
    NONE = "none", "nothing named (a general complaint)"


class Status(DescribedEnum):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理, being handled"
    REFERRED = "referred", "转办 to the responsible unit"
    REJECTED = "rejected", "不予受理, with a reason"
    CONCLUDED = "concluded", "已办结, findings recorded"
    APPEALED = "appealed", "复查申请: the reporter disagrees with the conclusion"
    CLOSED = "closed", "已结案 (after a review upheld the conclusion, or by import)"
    PURGED = "purged", "retention ended: content, identity and key destroyed"


class Channel(DescribedEnum):
    ONLINE = "online", "the public form (POST /v1/complaints/public/reports)"
    HOTLINE = "hotline", "imported from a bureau's hotline records"
    LETTER = "letter", "来信: a letter"
    VISIT = "visit", "来访: a visit in person"
    OTHER = "other", "anything else"


class StepKind(DescribedEnum):
    FILED = "filed", "the report was filed"
    ACCEPTED = "accepted", "受理: accepted for handling"
    REFERRED = "referred", "转办: referred to the responsible unit"
    REJECTED = "rejected", "不予受理: rejected, with a reason"
    ASSIGNED = "assigned", "assigned to a handler"
    EXTENDED = "extended", "the deadline was extended, with a reason"
    CONCLUDED = "concluded", "办结: concluded with findings"
    REPLIED = "replied", "a message to the reporter"
    OUTCOME = "outcome", "the outcome of a warning the report raised or escalated elsewhere, told to the reporter"
    REPORTER_MESSAGE = "reporter_message", "a message from the reporter"
    APPEALED = "appealed", "复查申请: the reporter asked for a review"
    REVIEW_UPHELD = "review_upheld", "维持: the review upheld the conclusion"
    REOPENED = "reopened", "重新办理: the review reopened the report"
    CLOSED = "closed", "结案: closed"
    GROUPED = "grouped", "grouped with other reports about the same subject"
    SPLIT = "split", "split into separate reports (one per matter)"
    PURGED = "purged", "retention ended: content, identity and key destroyed"


class Report(Base, table=True):
    """Report — 投诉举报件."""

    __tablename__ = "report"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    category: str = Field(max_length=32, index=True)
    channel: str = Field(max_length=16)
    anonymous: bool
    status: str = Field(default=Status.RECEIVED, max_length=16, index=True)

    # what it is about: the service's reference (no personal data), and a key that groups reports on it
    subject_kind: str = Field(max_length=16)
    subject_service: str | None = Field(default=None, max_length=20)
    subject_ref_kind: str | None = Field(default=None, max_length=20)
    subject_ref_id: str | None = Field(default=None, max_length=100)
    subject_unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    subject_key: str | None = Field(default=None, max_length=120, index=True)

    # sealed with the report's data key (vault.py): {"text", "official_name", "official_post"}, {"name", ...}
    content_sealed: str | None = Field(default=None, sa_type=sa.Text)
    identity_sealed: str | None = Field(default=None, sa_type=sa.Text)

    # the receipt (shown once): a keyed lookup hash and an argon2id hash; neither reveals it
    receipt_lookup: str | None = Field(default=None, max_length=64, unique=True)
    receipt_hash: str | None = Field(default=None, max_length=200)

    # statutory clock (dates in settings.zone)
    received_on: date
    accept_due: date
    conclude_due: date | None = None
    extensions: int = 0
    extended_days: int = 0
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=20)
    assignee: str | None = Field(default=None, max_length=200)
    handling_unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    reopened: int = 0

    # grouping: the first report of the group; a keyed MinHash signature of the text (not reversible)
    group_id: uuid.UUID | None = Field(default=None, index=True)
    group_locked: bool = False  # split by a handler: never grouped again automatically
    signature: str | None = Field(default=None, sa_type=sa.Text)

    # the reporter asked to be told the outcome of the warnings their report raised or escalated elsewhere
    notify_outcome: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    external_id: str | None = Field(default=None, max_length=64)  # an imported record's own id
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportKey(Base, table=True):
    """ReportKey — the report's data key, wrapped by the key ring (``v1.<kid>.…``); deleted to destroy."""

    __tablename__ = "report_key"

    report_id: uuid.UUID = Field(primary_key=True)
    wrapped: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportBand(Base, table=True):
    """ReportBand — one LSH band of a report's MinHash signature: reports sharing a band are candidates."""

    __tablename__ = "report_band"
    __table_args__ = (sa.Index("ix_report_band_band_filed", "band", "filed_at"),)

    report_id: uuid.UUID = Field(primary_key=True)
    position: int = Field(primary_key=True)
    band: str = Field(max_length=40)
    filed_at: datetime = Field(sa_type=UTCDateTime)


class Step(Base, table=True):
    """Step — one step in a report's history (who did what, when); a note is sealed with the report's key."""

    __tablename__ = "report_step"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    report_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=24)
    actor: str = Field(max_length=200)  # a staff subject, "reporter" or "system"
    visible_to_reporter: bool = False
    note_sealed: str | None = Field(default=None, sa_type=sa.Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # never personal data
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Attachment(Base, table=True):
    """Attachment — a file sent with a report: its bytes and name sealed with the report's data key.

    The content type is sniffed from the bytes (``sniff.py``), never taken from the name or a header. No
    digest of the plaintext is kept (it would let a holder of a copy confirm it was sent).
    """

    __tablename__ = "attachment"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    report_id: uuid.UUID = Field(index=True)
    sender: str = Field(max_length=200)  # "reporter" or a staff subject
    content_type: str = Field(max_length=100)
    size: int
    filename_sealed: str = Field(sa_type=sa.Text)
    content_sealed: bytes = Field(sa_type=sa.LargeBinary)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class OutcomeNotice(Base, table=True):
    """OutcomeNotice — a warning's disposition told to a reporter once (idempotent on redelivery)."""

    __tablename__ = "outcome_notice"

    report_id: uuid.UUID = Field(primary_key=True)
    warning_id: str = Field(primary_key=True, max_length=100)
    status: str = Field(primary_key=True, max_length=20)
    disposed_at: datetime = Field(sa_type=UTCDateTime)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IdentityRequest(Base, table=True):
    """IdentityRequest — a registrar asks to see a reporter's identity; a second registrar decides."""

    __tablename__ = "identity_request"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    report_id: uuid.UUID = Field(index=True)
    region_code: str = Field(max_length=12, index=True)
    requested_by: str = Field(max_length=200)
    reason: str = Field(max_length=2000)
    status: str = Field(default="pending", max_length=16)  # pending | approved | denied
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class IdentityAccess(Base, table=True):
    """IdentityAccess — the audit log of every read of a reporter's identity (never the identity itself)."""

    __tablename__ = "identity_access"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    report_id: uuid.UUID = Field(index=True)
    request_id: uuid.UUID
    region_code: str = Field(max_length=12, index=True)
    accessed_by: str = Field(max_length=200)
    reason: str = Field(max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ComplaintsWarning(Base, table=True):
    """ComplaintsWarning — the warnings complaints raised (one row per region-scoped dedupe key)."""

    __tablename__ = "complaints_warning"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10)
    report_id: uuid.UUID | None = Field(default=None, index=True)
    region_code: str = Field(max_length=12, index=True)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    occurrences: int = 1
    first_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ImportBatch(Base, table=True):
    """ImportBatch — a bulk import of hotline records, keyed by the caller's batch key (a retry writes nothing)."""

    __tablename__ = "import_batch"
    __table_args__ = (sa.UniqueConstraint("owner", "batch_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner: str = Field(max_length=200)
    batch_key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LogImport(Base, table=True):
    """LogImport — an uploaded complaint lifecycle log (XES) imported in the background; its row is the job's
    status. No personal data: counts, the region and the options."""

    __tablename__ = "log_import"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    due_days: int | None = None  # the log's own service level in days; None: the statutory period
    status: str = Field(default="queued", max_length=12)  # queued | running | done | failed
    bytes_received: int = Field(default=0, sa_type=sa.BigInteger)
    gzip: bool = False
    cases: int = 0  # cases read
    imported: int = 0
    skipped: int = 0  # imported before (same external id), not again
    handoffs: int = 0
    late: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)  # per warning level
    handed_around: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)  # per warning level
    warnings_raised: int = 0  # warning events sent
    error: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _report_key_context(row: Any) -> str:
    # the same context complaints.vault seals with; the id may come back as text without dashes (SQLite)
    return f"complaints.report_key:{uuid.UUID(str(row['report_id']))}"


# sealed with the field cipher: each report's data key (``sunlight-complaints reencrypt``, or
# ``POST /v1/complaints/keys/rewrap``, after a key rotation)
ENCRYPTED = [Sealed("report_key", "wrapped", _report_key_context, key="report_id", context_columns=("report_id",))]
# sealed with the report's own data key (rotating the key ring re-wraps that key; these stay as they are)
SEALED_BY_DATA_KEY = {
    ("report", "content_sealed"),
    ("report", "identity_sealed"),
    ("report_step", "note_sealed"),
    ("attachment", "filename_sealed"),
    ("attachment", "content_sealed"),
}
