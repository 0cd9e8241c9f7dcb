"""API shapes of reports, their handling and identity: XIn (what a client sends) and XOut (what it gets).

Public shapes (``Public*``) never carry anything about other reports, staff names or internal notes.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sunlight.codes import USCC, RegionCode, ResidentId
from sunlight.enums import DescribedEnum

from complaints.models import Category, Channel, Status, StepKind, SubjectKind

TEXT = r"\S"  # not blank
EARLIEST = datetime(2004, 1, 1, tzinfo=UTC)
REF = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"


class RefKind(DescribedEnum):
    """The kind of entity in the service that owns it."""

    PROGRAMME = "programme", "funds"
    NODE = "node", "funds"
    MOVEMENT = "movement", "funds: a payment or transfer"
    TENDER = "tender", "tenders"
    CASE = "case", "approvals"


REF_KINDS: dict[SubjectKind, tuple[str, tuple[RefKind, ...]]] = {
    SubjectKind.FUND: ("funds", (RefKind.PROGRAMME, RefKind.NODE, RefKind.MOVEMENT)),
    SubjectKind.TENDER: ("tenders", (RefKind.TENDER,)),
    SubjectKind.APPROVAL: ("approvals", (RefKind.CASE,)),
}


class Outcome(DescribedEnum):
    SUBSTANTIATED = "substantiated", "属实"
    PARTLY_SUBSTANTIATED = "partly_substantiated", "部分属实"
    UNSUBSTANTIATED = "unsubstantiated", "不属实"


class Decision(DescribedEnum):
    ACCEPT = "accept", "受理"
    REFER = "refer", "转办 to the responsible unit"
    REJECT = "reject", "不予受理"


class ReviewDecision(DescribedEnum):
    UPHOLD = "uphold", "维持"
    REOPEN = "reopen", "重新办理"


# --- filing (public) -----------------------------------------------------------------------------------


class SubjectIn(BaseModel):
    """What the report is about. An official's name is sealed and never leaves the service."""

    model_config = ConfigDict(extra="forbid")

    kind: SubjectKind
    unit_uscc: USCC | None = Field(
        default=None, description="the unit reported on (kind unit), or the unit of the official (kind official)"
    )
    official_name: str | None = Field(default=None, min_length=1, max_length=100, pattern=TEXT)
    official_post: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEXT)
    ref_kind: RefKind | None = Field(default=None, description="fund: programme, node or movement; tender; case")
    ref_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=REF)

    @model_validator(mode="after")
    def _complete(self) -> SubjectIn:
        kind = self.kind
        if kind == SubjectKind.UNIT and self.unit_uscc is None:
            raise ValueError("a report about a unit names its unit_uscc")
        if kind == SubjectKind.OFFICIAL and self.official_name is None:
            raise ValueError("a report about an official names the official (official_name)")
        if kind in REF_KINDS:
            allowed = REF_KINDS[kind][1]
            if self.ref_kind not in allowed or self.ref_id is None:
                raise ValueError(f"a {kind.value} subject needs ref_kind ({', '.join(allowed)}) and ref_id")
            with contextlib.suppress(ValueError):  # a UUID in its canonical form, as the owning service writes it
                self.ref_id = str(uuid.UUID(self.ref_id))
        elif self.ref_kind is not None or self.ref_id is not None:
            raise ValueError(f"ref_kind and ref_id name a fund, tender or approval, not a {kind.value}")
        if kind != SubjectKind.OFFICIAL and (self.official_name or self.official_post):
            raise ValueError("official_name and official_post belong to a report about an official")
        return self


class ReporterIn(BaseModel):
    """Who reports (a named report). Sealed with the report's key; readable only through an approved
    identity request."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=TEXT)
    phone: str | None = Field(default=None, min_length=3, max_length=30, pattern=r"^[0-9+() -]+$")
    resident_id: ResidentId | None = None
    contact: str | None = Field(default=None, min_length=1, max_length=300, pattern=TEXT)


ATTACHMENT_CHARS = 11_184_812  # base64 of 8 MiB, the largest ``attachment_max_bytes`` allows
ATTACHMENTS_PER_REQUEST = 3


class AttachmentIn(BaseModel):
    """A file, base64 in JSON. Its type is sniffed from the bytes (PDF, JPEG, PNG, DOCX, UTF-8 text), never
    taken from the name; the name and the bytes are sealed with the report's key."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\]*\S[^/\\]*$", description="no path")
    content: str = Field(
        min_length=4,
        max_length=ATTACHMENT_CHARS,
        pattern=r"^[A-Za-z0-9+/]+={0,2}$",
        description="the file's bytes, standard base64 (RFC 4648 §4)",
        json_schema_extra={"contentEncoding": "base64"},
    )


class PublicReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Category
    region_code: RegionCode = Field(description="where it happened (GB/T 2260)")
    subject: SubjectIn
    text: str = Field(min_length=1, max_length=10_000, pattern=TEXT)
    anonymous: bool = True
    reporter: ReporterIn | None = None
    notify_outcome: bool = Field(
        default=False,
        description="tell me (on follow-up) the outcome of any warning this report raises or escalates in the "
        "service it names",
    )
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=ATTACHMENTS_PER_REQUEST)

    @model_validator(mode="after")
    def _identity(self) -> PublicReportIn:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report carries no reporter; set anonymous to false to give one")
        if not self.anonymous and self.reporter is None:
            raise ValueError("a named report gives the reporter")
        return self


class ReceiptOut(BaseModel):
    receipt: str = Field(
        description="shown once: keep it to follow the report up (POST /v1/complaints/public/follow-up). "
        "It cannot be shown again or recovered."
    )
    status: Status
    filed_at: datetime
    accept_due: date = Field(description="by this day you are told whether the report is accepted")


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receipt: str = Field(min_length=1, max_length=64, description="the receipt code, in the body (never a URL)")


class ReporterMessageIn(ReceiptIn):
    text: str = Field(min_length=1, max_length=10_000, pattern=TEXT)


class ReporterAttachmentsIn(ReceiptIn):
    attachments: list[AttachmentIn] = Field(min_length=1, max_length=ATTACHMENTS_PER_REQUEST)


class AppealIn(ReceiptIn):
    reason: str = Field(min_length=1, max_length=10_000, pattern=TEXT)


class PublicMessageOut(BaseModel):
    at: datetime
    kind: StepKind
    text: str | None = None


class PublicAttachmentOut(BaseModel):
    filename: str
    content_type: str = Field(description="sniffed from the bytes")
    size: int
    at: datetime


class FollowUpOut(BaseModel):
    status: Status
    category: Category
    filed_at: datetime
    accept_due: date
    conclude_due: date | None
    outcome: Outcome | None
    messages: list[PublicMessageOut] = Field(description="status changes and replies, oldest first")
    attachments: list[PublicAttachmentOut] = Field(description="the files the reporter sent, oldest first")


# --- handling (staff) ----------------------------------------------------------------------------------


class SubjectOut(BaseModel):
    kind: SubjectKind
    service: str | None = None
    ref_kind: RefKind | None = None
    ref_id: str | None = None
    unit_uscc: str | None = None


class ReportSummaryOut(BaseModel):
    id: uuid.UUID
    region_code: str
    category: Category
    channel: Channel
    anonymous: bool
    status: Status
    subject: SubjectOut
    received_on: date
    accept_due: date
    conclude_due: date | None
    extended_days: int
    assignee: str | None
    handling_unit_uscc: str | None
    outcome: Outcome | None
    group_id: uuid.UUID | None
    filed_at: datetime


class ReportOut(ReportSummaryOut):
    text: str | None = Field(description="the report's text (None once destroyed)")
    official_name: str | None = None
    official_post: str | None = None
    has_identity: bool = Field(description="the reporter gave an identity (readable only via an identity request)")
    group_size: int


class StepOut(BaseModel):
    id: uuid.UUID
    kind: StepKind
    actor: str
    at: datetime
    visible_to_reporter: bool
    note: str | None = None
    details: dict[str, Any]


class AttachmentOut(BaseModel):
    id: uuid.UUID
    report_id: uuid.UUID
    sender: str = Field(description="'reporter' or the staff account that added it")
    filename: str
    content_type: str = Field(description="sniffed from the bytes when it was received")
    size: int
    at: datetime


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: str | None = Field(default=None, min_length=1, max_length=4000, pattern=TEXT)
    unit_uscc: USCC | None = Field(default=None, description="refer: the unit the report is referred to")

    @model_validator(mode="after")
    def _complete(self) -> DecisionIn:
        if self.decision in (Decision.REJECT, Decision.REFER) and self.reason is None:
            raise ValueError(f"{self.decision.value} needs a reason (it is told to the reporter)")
        if self.decision == Decision.REFER and self.unit_uscc is None:
            raise ValueError("refer names the unit_uscc it refers to")
        if self.decision != Decision.REFER and self.unit_uscc is not None:
            raise ValueError("unit_uscc is given with refer only")
        return self


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=200, pattern=TEXT, description="the handler (a staff account)")
    unit_uscc: USCC | None = Field(default=None, description="the handling unit, when it changes")


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=365)
    reason: str = Field(min_length=1, max_length=4000, pattern=TEXT, description="told to the reporter")


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    findings: str = Field(min_length=1, max_length=20_000, pattern=TEXT)
    reply: str | None = Field(
        default=None, min_length=1, max_length=10_000, pattern=TEXT, description="the answer sent to the reporter"
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000, pattern=TEXT)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: ReviewDecision
    reason: str = Field(min_length=1, max_length=4000, pattern=TEXT)


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=4000, pattern=TEXT)


class GroupMemberOut(BaseModel):
    id: uuid.UUID
    status: Status
    filed_at: datetime
    similarity: float | None = Field(description="estimated Jaccard similarity of the text to the group's first")
    same_subject: bool


class GroupOut(BaseModel):
    group_id: uuid.UUID
    members: list[GroupMemberOut]


# --- identity ------------------------------------------------------------------------------------------


class IdentityRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=10, max_length=2000, pattern=TEXT, description="why the identity is needed")


class IdentityDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool


class IdentityRequestStatus(DescribedEnum):
    """Where a request to see a reporter's identity stands."""

    PENDING = "pending", "waiting for a second person's decision"
    APPROVED = "approved", "approved: the requester may read the identity once (audited)"
    DENIED = "denied", "denied: the identity stays sealed"


class IdentityRequestOut(BaseModel):
    id: uuid.UUID
    report_id: uuid.UUID
    requested_by: str
    reason: str
    status: IdentityRequestStatus
    decided_by: str | None
    decided_at: datetime | None
    requested_at: datetime


class IdentityOut(BaseModel):
    name: str
    phone: str | None = None
    resident_id: str | None = None
    contact: str | None = None


class IdentityAccessOut(BaseModel):
    id: uuid.UUID
    report_id: uuid.UUID
    request_id: uuid.UUID
    accessed_by: str
    reason: str
    at: datetime


# --- scans and keys ------------------------------------------------------------------------------------


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: datetime | None = Field(default=None, description="run as of this instant (not the future)")


class ScanOut(BaseModel):
    as_of: datetime
    acceptance_late: int
    conclusion_late: int
    purged: int


class RewrapOut(BaseModel):
    rewrapped: int
    current_key_id: str


# --- Open311 GeoReport v2 (public, non-sensitive categories only) --------------------------------------


class Open311ServiceOut(BaseModel):
    """A service type (GeoReport v2 ``GET services``)."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = Field(description="always false: no extra attributes are asked")
    type: str = Field(description="realtime: requests show as they are filed")
    keywords: str
    group: str


class Open311RequestOut(BaseModel):
    """A request's status (GeoReport v2 ``GET requests``). The report's text, place and people are never here:
    ``description``, ``address``, ``lat``/``long`` and ``media_url`` are always null."""

    service_request_id: str
    status: Literal["open", "closed"] = Field(description="GeoReport v2: open or closed")
    status_notes: str | None = None
    service_name: str
    service_code: str
    description: str | None = None
    agency_responsible: str | None = Field(default=None, description="the handling unit's USCC")
    service_notice: str | None = None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None = Field(description="the statutory deadline now running")
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    jurisdiction_id: str = Field(description="the region (GB/T 2260) the request was filed in")
