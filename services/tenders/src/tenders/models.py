"""Tenders tables (SQLModel, tables only; API shapes are in schemas.py).

Three registers (enterprises, persons, projects — the seed's 企业库、人员库、项目库), the tender
lifecycle (tender → lots → registrations → bids → opening → evaluation → award → contract →
change orders → settlement, or cancellation), the random expert draw and the findings the
rules raised. Personal data: a person's ID number is kept only as a keyed hash; names, phones
and addresses are encrypted, with a keyed hash beside the phone and the address for matching
(linked bidders); bid IPs are keyed hashes too.
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
    """What is procured (NDRC Order No. 16 of 2018, Art. 5: 施工 / 货物 / 服务)."""

    CONSTRUCTION = "construction", "施工: works"
    GOODS = "goods", "货物: goods"
    SERVICES = "services", "服务: services"


class FundingSource(DescribedEnum):
    FISCAL = "fiscal", "预算资金"
    STATE_OWNED = "state_owned", "国有企业事业单位资金"
    INTERNATIONAL_LOAN = "international_loan", "国际组织或者外国政府贷款、援助资金"
    PRIVATE = "private", "非国有资金"


class Procedure(DescribedEnum):
    OPEN = "open", "公开招标"
    INVITATION = "invitation", "邀请招标"
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", "竞争性谈判/磋商"
    INQUIRY = "inquiry", "询价"
    SINGLE_SOURCE = "single_source", "单一来源"
    DIRECT = "direct", "直接发包/委托"


COMPETITIVE = frozenset({Procedure.OPEN, Procedure.INVITATION})


class TenderStatus(DescribedEnum):
    """The lifecycle; ``tenders.lifecycle.TRANSITIONS`` says which step may follow which."""

    PUBLISHED = "published", "发布: registration and bids until the deadline"
    OPENED = "opened", "开标"
    EVALUATED = "evaluated", "评标"
    AWARDED = "awarded", "定标/中标"
    CONTRACTED = "contracted", "签约"
    SETTLED = "settled", "结算"
    CANCELLED = "cancelled", "终止/废标"


class LinkRole(DescribedEnum):
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
    SHAREHOLDER = "shareholder", "股东"
    PROJECT_MANAGER = "project_manager", "项目经理"
    REGISTERED_ENGINEER = "registered_engineer", "注册建造师/工程师"
    EMPLOYEE = "employee", "职工 (an expert's employer)"


class BidStatus(DescribedEnum):
    SUBMITTED = "submitted", "received before the deadline, not yet checked at opening"
    VALID = "valid", "passed the checks at opening (有效投标)"
    DISQUALIFIED = "disqualified", "rejected at opening or evaluation (否决投标), with the reason"


class EvaluationMethod(DescribedEnum):
    LOWEST_PRICE = "lowest_price", "经评审的最低投标价法"
    COMPREHENSIVE = "comprehensive", "综合评估法 (benchmark price from the valid bids)"


class DrawStatus(DescribedEnum):
    COMMITTED = "committed", "the seed's hash is published; nothing drawn yet"
    DRAWN = "drawn", "the seed is revealed and the experts drawn; anyone can re-run the draw"


# --- registers ---------------------------------------------------------------------------------


class Enterprise(Base, table=True):
    """Enterprise — 企业库: a bidder, owner or an expert's employer, by its USCC."""

    __tablename__ = "enterprise"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    uscc: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=12, index=True)
    phone_cipher: str | None = Field(default=None, max_length=600)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    address_cipher: str | None = Field(default=None, max_length=1200)
    address_hash: str | None = Field(default=None, max_length=64, index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Qualification(Base, table=True):
    """Qualification — 资质: a kind (施工总承包 building works …) at a grade (1 = highest), valid until."""

    __tablename__ = "qualification"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    kind: str = Field(max_length=80)
    grade: int
    certificate_no: str | None = Field(default=None, max_length=80)
    valid_from: date
    valid_until: date
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Person(Base, table=True):
    """Person — 人员库: engineers, project managers, experts, legal representatives, shareholders.

    ``id_hash`` is the keyed hash of the resident ID number (never stored in clear). A person with
    specialties is an evaluation expert in the pool (专家库).
    """

    __tablename__ = "person"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    name_cipher: str = Field(max_length=600)
    name_masked: str = Field(max_length=200)
    phone_cipher: str | None = Field(default=None, max_length=600)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    phone_tail: str | None = Field(default=None, max_length=4)
    address_cipher: str | None = Field(default=None, max_length=1200)
    address_hash: str | None = Field(default=None, max_length=64, index=True)
    region_code: str = Field(max_length=12, index=True)
    specialties: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    employer_id: uuid.UUID | None = Field(default=None, foreign_key="enterprise.id", index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EnterpriseLink(Base, table=True):
    """A person's role at an enterprise (legal representative, shareholder, project manager …)."""

    __tablename__ = "enterprise_link"
    __table_args__ = (sa.UniqueConstraint("enterprise_id", "person_id", "role"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    role: LinkRole = Field(sa_type=sa.String(30))


class Debarment(Base, table=True):
    """Debarment — 禁入/黑名单: an enterprise or a person barred from tendering in a region for a period."""

    __tablename__ = "debarment"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subject_kind: str = Field(max_length=20)  # enterprise | person
    subject_id: uuid.UUID = Field(index=True)
    region_code: str = Field(max_length=12, index=True)  # where the bar applies (and below); 000000: everywhere
    reason: str = Field(max_length=500)
    reference: str | None = Field(default=None, max_length=100)
    starts_on: date
    ends_on: date | None = None  # exclusive; None: until lifted
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Project(Base, table=True):
    """Project — 项目库: a construction project of an owner (建设单位/招标人)."""

    __tablename__ = "project"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    owner_uscc: str = Field(max_length=18, index=True)
    owner_name: str = Field(max_length=200)
    estimate_fen: int = Field(sa_type=sa.BigInteger)
    location: str = Field(max_length=300)
    funding_source: FundingSource = Field(sa_type=sa.String(30))
    region_code: str = Field(max_length=12, index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- the tender lifecycle ----------------------------------------------------------------------


class Tender(Base, table=True):
    """Tender — 招标项目/标段 of a project: procedure, estimate, ceiling price, tender period."""

    __tablename__ = "tender"
    __table_args__ = (sa.CheckConstraint("ceiling_fen IS NULL OR ceiling_fen > 0", name="positive_ceiling"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    project_id: uuid.UUID = Field(foreign_key="project.id", index=True)
    title: str = Field(max_length=300)
    category: Category = Field(sa_type=sa.String(20))
    procedure: Procedure = Field(sa_type=sa.String(30))
    estimate_fen: int = Field(sa_type=sa.BigInteger)
    ceiling_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    published_at: datetime = Field(sa_type=UTCDateTime)
    deadline: datetime = Field(sa_type=UTCDateTime)  # 投标截止时间 = 开标时间 (Tendering Law Art. 34)
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)  # [{name, sha256}]
    required_qualification: str | None = Field(default=None, max_length=80)
    required_grade: int | None = None  # this grade or better (a smaller number)
    status: TenderStatus = Field(default=TenderStatus.PUBLISHED, sa_type=sa.String(20), index=True)
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, max_length=500)
    owner_uscc: str = Field(max_length=18, index=True)
    region_code: str = Field(max_length=12, index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Lot(Base, table=True):
    """Lot — 标段: bids, evaluation and award are per lot; a tender without lots has lot 1."""

    __tablename__ = "lot"
    __table_args__ = (sa.UniqueConstraint("tender_id", "number"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    number: int
    title: str = Field(max_length=300)
    estimate_fen: int = Field(sa_type=sa.BigInteger)
    ceiling_fen: int | None = Field(default=None, sa_type=sa.BigInteger)


class Registration(Base, table=True):
    """Registration — 投标报名: an enterprise registered as a bidder of a tender."""

    __tablename__ = "registration"
    __table_args__ = (sa.UniqueConstraint("tender_id", "enterprise_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bid(Base, table=True):
    """Bid — 投标: price, time, the submitting IP (keyed hash) and the bid file's fingerprint."""

    __tablename__ = "bid"
    __table_args__ = (
        sa.UniqueConstraint("lot_id", "enterprise_id"),
        sa.CheckConstraint("price_fen > 0", name="positive_price"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    lot_id: uuid.UUID = Field(foreign_key="lot.id", index=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    price_fen: int = Field(sa_type=sa.BigInteger)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    ip_hash: str | None = Field(default=None, max_length=64, index=True)
    file_sha256: str | None = Field(default=None, max_length=64, index=True)
    project_manager_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    status: BidStatus = Field(default=BidStatus.SUBMITTED, sa_type=sa.String(20))
    disqualification: str | None = Field(default=None, max_length=300)
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefusedBid(Base, table=True):
    """A bid the platform refused (after the deadline, or the tender not open for bids); kept as evidence."""

    __tablename__ = "refused_bid"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    enterprise_id: uuid.UUID | None = Field(default=None, foreign_key="enterprise.id")
    price_fen: int = Field(sa_type=sa.BigInteger)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(max_length=40)
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Evaluation(Base, table=True):
    """Evaluation — 评标: one lot's computer-assisted evaluation, its method, benchmark and ranking."""

    __tablename__ = "evaluation"
    __table_args__ = (sa.UniqueConstraint("lot_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    lot_id: uuid.UUID = Field(foreign_key="lot.id")
    method: EvaluationMethod = Field(sa_type=sa.String(20))
    parameters: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    benchmark_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    ranking: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    outliers: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExpertScore(Base, table=True):
    """One expert's technical/commercial score of one bid (the price score is computed, not scored)."""

    __tablename__ = "expert_score"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "expert_id", "bid_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    evaluation_id: uuid.UUID = Field(foreign_key="evaluation.id", index=True)
    expert_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    bid_id: uuid.UUID = Field(foreign_key="bid.id")
    score: float


class Award(Base, table=True):
    """Award — 中标: the winning bid of a lot."""

    __tablename__ = "award"
    __table_args__ = (sa.UniqueConstraint("lot_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    lot_id: uuid.UUID = Field(foreign_key="lot.id")
    bid_id: uuid.UUID = Field(foreign_key="bid.id")
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    awarded_on: date
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Contract(Base, table=True):
    """Contract — 合同 signed on an award; change orders and the settlement hang on it."""

    __tablename__ = "contract"
    __table_args__ = (sa.UniqueConstraint("award_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    award_id: uuid.UUID = Field(foreign_key="award.id")
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    signed_on: date
    approved_changes_fen: int = Field(default=0, sa_type=sa.BigInteger)  # sum of approved change orders
    settled_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    settled_on: date | None = None
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChangeOrder(Base, table=True):
    """ChangeOrder — 工程变更/签证: a signed change of the contract price (negative: a reduction)."""

    __tablename__ = "change_order"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    contract_id: uuid.UUID = Field(foreign_key="contract.id", index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    reason: str = Field(max_length=500)
    approved: bool
    ordered_on: date
    region_code: str = Field(max_length=12, index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- the random expert draw ----------------------------------------------------------------------


class Draw(Base, table=True):
    """Draw — 专家随机抽取: committed (the seed's SHA-256 published) before anything is drawn.

    The seed is kept encrypted until the draw and published with it; the pool is the experts
    registered before the commitment, so the seed's owner cannot shape the pool after the fact.
    ``candidates`` (eligible, in id order), ``exclusions`` and ``order`` let anyone replay the draw.
    """

    __tablename__ = "draw"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tender_id: uuid.UUID = Field(foreign_key="tender.id", index=True)
    specialty: str = Field(max_length=80)
    pool_region: str = Field(max_length=12)
    count: int
    seed_sha256: str = Field(max_length=64)
    seed_cipher: str = Field(max_length=600)
    seed_hex: str | None = Field(default=None, max_length=64)  # revealed at the draw
    status: DrawStatus = Field(default=DrawStatus.COMMITTED, sa_type=sa.String(20))
    committed_at: datetime = Field(sa_type=UTCDateTime)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    candidates: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    exclusions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    order: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # the whole drawn order of candidates
    members: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # the committee as it stands
    region_code: str = Field(max_length=12, index=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Replacement(Base, table=True):
    """A drawn expert replaced (declined, unreachable, conflict found): the next in the drawn order."""

    __tablename__ = "replacement"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    draw_id: uuid.UUID = Field(foreign_key="draw.id", index=True)
    replaced_id: uuid.UUID = Field(foreign_key="person.id")
    replacement_id: uuid.UUID | None = Field(default=None, foreign_key="person.id")
    reason: str = Field(max_length=30)
    note: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- findings ------------------------------------------------------------------------------------


class Finding(Base, table=True):
    """Finding — 预警线索: what a rule found, as sent to integrity (which owns the warning's state).

    One row per region-scoped dedupe key; ``occurrences`` counts the times it was found.
    """

    __tablename__ = "finding"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10)
    subject_kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=100)
    tender_id: uuid.UUID | None = Field(default=None, index=True)
    region_code: str = Field(max_length=12, index=True)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    occurrences: int = 1
    first_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OcdsImport(Base, table=True):
    """An OCDS file imported through the API: its counts, kept as the import's receipt."""

    __tablename__ = "ocds_import"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    status: str = Field(max_length=20)  # completed | failed
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # releases, processes, created, …
    skipped: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class OcdsProcess(Base, table=True):
    """A contracting process imported from OCDS: its compiled release and the ids of the releases it merges."""

    __tablename__ = "ocds_process"
    __table_args__ = (sa.UniqueConstraint("region_code", "ocid"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    ocid: str = Field(max_length=200)
    release_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    compiled: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    import_id: uuid.UUID = Field(index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)  # listed newest first


# personal data and draw seeds sealed with the field cipher (``sunlight-tenders reencrypt`` after a key rotation)
ENCRYPTED = [
    Sealed("enterprise", "phone_cipher", "enterprise.phone"),
    Sealed("enterprise", "address_cipher", "enterprise.address"),
    Sealed("person", "name_cipher", "person.name"),
    Sealed("person", "phone_cipher", "person.phone"),
    Sealed("person", "address_cipher", "person.address"),
    Sealed("draw", "seed_cipher", "draw.seed"),
]
