"""Funds tables (SQLModel, tables only; API shapes are in schemas.py).

A node's balances are kept on two layers, as fiscal systems do:

- **quota** (指标): ``received_fen`` (budget or allocations received), ``passed_on_fen``
  (allocated to children) and ``spent_fen`` (paid out to payees);
  ``passed_on_fen + spent_fen <= received_fen``;
- **cash** (资金): ``disbursed_in_fen`` (cash received), ``disbursed_out_fen`` (cash passed
  to children) and ``spent_fen``; ``disbursed_out_fen + spent_fen <= disbursed_in_fen`` and
  ``disbursed_in_fen <= received_fen`` (a node is never paid more than it was allocated).

The check constraints hold these on both databases; the ledger refuses (and records) a
movement that would break them before the database ever has to.
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


class Tier(DescribedEnum):
    """Tiers of the allocation chain (省财政 → 市财政 → 部门 → 县区 → 乡镇 → 受益对象)."""

    PROVINCE = "province", "省财政: the provincial finance department"
    FINANCE_BUREAU = "finance_bureau", "市财政: a city finance bureau"
    DEPARTMENT = "department", "部门: a competent department (主管部门)"
    COUNTY = "county", "县区: a county or district"
    TOWNSHIP = "township", "乡镇: a township or street"
    BENEFICIARY = "beneficiary", "受益对象: the final beneficiary"


TIER_ORDER = tuple(Tier)


class MovementKind(DescribedEnum):
    """What a ledger entry does."""

    BUDGET = "budget", "预算下达: the programme's budget into its root node"
    ALLOCATE = "allocate", "指标下达: quota from a node to a child node"
    DISBURSE = "disburse", "资金拨付: cash from a node to a child node, within the child's quota"
    EXPEND = "expend", "支出/发放: a payment from a node to a payee"
    REFUND = "refund", "退回/追回: unspent money back to the parent, or a payee paying back"
    ADJUST = "adjust", "指标调减: unused quota withdrawn from a child back to its parent"
    SUPPLEMENT = "supplement", "追加预算: budget added to a node from outside the tree, with its approval document"


class PayeeKind(DescribedEnum):
    """Who is paid."""

    ORGANISATION = "organisation", "an organisation: a USCC, or the paying system's own id"
    PERSON = "person", "a person: a resident ID, kept only as a keyed hash"


class FundsSubjectKind(DescribedEnum):
    """What a funds warning (or hold) is about."""

    PROGRAMME = "programme", "a programme (专项资金项目)"
    NODE = "node", "a node of a programme's allocation tree"
    MOVEMENT = "movement", "a ledger entry, usually a payment"
    PAYEE = "payee", "a payee"


class Programme(Base, table=True):
    """Programme — 专项资金项目."""

    __tablename__ = "programme"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=64)
    fiscal_year: int
    budget_fen: int = Field(sa_type=sa.BigInteger)
    budget_approved_on: date | None = None  # 预算批复日期: the root's budget is received on this day
    region_code: str = Field(max_length=12, index=True)
    responsible_uscc: str | None = Field(default=None, max_length=18, index=True)
    allowed_categories: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    thresholds: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # set by an import whose file holds payments only (e.g. "oxford-payments-file"): the budget and its flows down
    # the tree are derived from the payments, so the budget-execution rules (late pass-down, idle funds) have
    # nothing real to judge and are not run on it; the payment rules are
    budget_source: str | None = Field(default=None, max_length=40)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BudgetLine(Base, table=True):
    """BudgetLine — 预算科目/资金来源: one line of a programme's budget; payments are charged to a line."""

    __tablename__ = "budget_line"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        sa.CheckConstraint("spent_fen >= 0 AND spent_fen <= amount_fen", name="within_amount"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    source: str | None = Field(default=None, max_length=20)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    spent_fen: int = Field(default=0, sa_type=sa.BigInteger)


class Node(Base, table=True):
    """Node — 资金节点: one holder of the programme's money in the tree."""

    __tablename__ = "node"
    __table_args__ = (
        sa.CheckConstraint("passed_on_fen >= 0 AND passed_on_fen <= received_fen", name="within_received"),
        sa.CheckConstraint("spent_fen >= 0 AND passed_on_fen + spent_fen <= received_fen", name="quota_conserved"),
        sa.CheckConstraint(
            "disbursed_out_fen >= 0 AND disbursed_out_fen + spent_fen <= disbursed_in_fen", name="cash_conserved"
        ),
        sa.CheckConstraint("disbursed_in_fen >= 0 AND disbursed_in_fen <= received_fen", name="cash_within_quota"),
        # one root per programme, whatever two requests do at once (the check in add_node cannot see the other)
        sa.Index("uq_node_root_programme_id", "programme_id", unique=True,
                 postgresql_where=sa.text("parent_id IS NULL"), sqlite_where=sa.text("parent_id IS NULL")),
    )  # fmt: skip

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    tier: Tier = Field(sa_type=sa.String(20))
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18, index=True)
    received_fen: int = Field(default=0, sa_type=sa.BigInteger)
    passed_on_fen: int = Field(default=0, sa_type=sa.BigInteger)
    disbursed_in_fen: int = Field(default=0, sa_type=sa.BigInteger)
    disbursed_out_fen: int = Field(default=0, sa_type=sa.BigInteger)
    spent_fen: int = Field(default=0, sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def available_fen(self) -> int:
        """Quota left to allocate or spend."""
        return self.received_fen - self.passed_on_fen - self.spent_fen

    @property
    def cash_fen(self) -> int:
        """Cash on hand: received in cash and neither passed on nor spent (idle until used)."""
        return self.disbursed_in_fen - self.disbursed_out_fen - self.spent_fen

    @property
    def undisbursed_fen(self) -> int:
        """Quota this node was allocated but has not yet been paid in cash."""
        return self.received_fen - self.disbursed_in_fen


class Payee(Base, table=True):
    """Payee — 收款方/受益对象: an organisation (USCC) or a person (keyed hash of the ID number).

    A person's name and bank account are stored encrypted; only their masked forms are shown.
    """

    __tablename__ = "payee"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: PayeeKind = Field(sa_type=sa.String(20))
    identity: str = Field(max_length=100, unique=True)  # uscc:<USCC> | ext:<paying system id> | id:<keyed hash>
    uscc: str | None = Field(default=None, max_length=18, index=True)
    external_id: str | None = Field(default=None, max_length=80)
    id_hash: str | None = Field(default=None, max_length=64, index=True)
    name: str | None = Field(default=None, max_length=200)  # organisations only (public information)
    name_cipher: str | None = Field(default=None, max_length=600)  # persons
    name_masked: str = Field(max_length=200)
    account_cipher: str | None = Field(default=None, max_length=600)
    account_tail: str | None = Field(default=None, max_length=4)
    account_hash: str | None = Field(default=None, max_length=64, index=True)  # keyed hash: who shares an account
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def label(self) -> str:
        """How the payee is shown in authenticated and public output (persons masked)."""
        return self.name if self.kind == PayeeKind.ORGANISATION and self.name else self.name_masked


class MovementBatch(Base, table=True):
    """MovementBatch — 批量导入: one all-or-nothing batch of movements, idempotent by its key."""

    __tablename__ = "movement_batch"
    __table_args__ = (sa.UniqueConstraint("client_id", "batch_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(max_length=200)
    batch_key: str = Field(max_length=120)
    fingerprint: str = Field(max_length=64)
    record_count: int
    result: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Movement(Base, table=True):
    """Movement — 资金拨付/支出记录: one entry of the ledger."""

    __tablename__ = "movement"
    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="positive_amount"),
        sa.CheckConstraint("refunded_fen >= 0 AND refunded_fen <= amount_fen", name="refund_within_amount"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    kind: MovementKind = Field(sa_type=sa.String(20))
    from_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    to_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    occurred_on: date = Field(index=True)
    reference: str | None = Field(default=None, max_length=100)
    invoice_no: str | None = Field(default=None, max_length=64, index=True)  # the supplier's invoice number
    region_code: str = Field(default="", max_length=12, index=True)
    payee_id: uuid.UUID | None = Field(default=None, foreign_key="payee.id", index=True)
    category: str | None = Field(default=None, max_length=64)
    budget_line_id: uuid.UUID | None = Field(default=None, foreign_key="budget_line.id")
    final: bool = False
    refund_of_id: uuid.UUID | None = Field(default=None, foreign_key="movement.id", index=True)
    refunded_fen: int = Field(default=0, sa_type=sa.BigInteger)
    batch_id: uuid.UUID | None = Field(default=None, foreign_key="movement_batch.id", index=True)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefusedMovement(Base, table=True):
    """A movement the ledger refused (e.g. overspend, a held subject); kept as evidence."""

    __tablename__ = "refused_movement"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    kind: MovementKind = Field(sa_type=sa.String(20))
    from_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id")
    to_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id")
    amount_fen: int = Field(sa_type=sa.BigInteger)
    available_fen: int = Field(sa_type=sa.BigInteger)
    reason: str = Field(max_length=40)
    occurred_on: date
    reference: str | None = Field(default=None, max_length=100)
    region_code: str = Field(default="", max_length=12, index=True)
    payee_id: uuid.UUID | None = Field(default=None, foreign_key="payee.id")
    batch_key: str | None = Field(default=None, max_length=120)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Acceptance(Base, table=True):
    """Acceptance — 验收: the check that the funded work was delivered, on a programme, node or payment."""

    __tablename__ = "acceptance"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    subject_kind: str = Field(max_length=20)
    subject_id: uuid.UUID = Field(index=True)
    region_code: str = Field(max_length=12, index=True)
    result: str = Field(max_length=20)
    accepted_on: date
    inspector_unit: str = Field(max_length=200)
    inspector_uscc: str | None = Field(default=None, max_length=18)
    findings: str | None = Field(default=None, max_length=4000)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Audit(Base, table=True):
    """Audit — 审计: an audit of a programme, node or payment, with its findings."""

    __tablename__ = "audit"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    subject_kind: str = Field(max_length=20)
    subject_id: uuid.UUID = Field(index=True)
    region_code: str = Field(max_length=12, index=True)
    auditor: str = Field(max_length=200)
    audited_on: date
    conclusion: str | None = Field(default=None, max_length=4000)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditFinding(Base, table=True):
    """AuditFinding — 审计发现问题: a problem found by an audit, to be rectified (整改) by a deadline."""

    __tablename__ = "audit_finding"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    audit_id: uuid.UUID = Field(foreign_key="audit.id", index=True)
    description: str = Field(max_length=2000)
    amount_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    rectify_by: date = Field(index=True)
    rectified_on: date | None = None
    rectification: str | None = Field(default=None, max_length=2000)


class WatchEntry(Base, table=True):
    """WatchEntry — 比对名单: a debarred organisation, or a registered official or relative (hashed ID)."""

    __tablename__ = "watch_entry"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    watch_list: str = Field(max_length=20, index=True)  # debarred | official | relative
    uscc: str | None = Field(default=None, max_length=18, index=True)
    id_hash: str | None = Field(default=None, max_length=64, index=True)
    region_code: str = Field(max_length=12, index=True)
    reason: str = Field(max_length=300)
    reference: str | None = Field(default=None, max_length=100)
    listed_on: date
    delisted_on: date | None = None
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FundsWarning(Base, table=True):
    """FundsWarning — 本系统发出的预警: funds' own view of a warning it raised, and its disposition."""

    __tablename__ = "funds_warning"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    rule_id: str = Field(max_length=64, index=True)
    level: str = Field(max_length=10)
    title: str = Field(max_length=300)
    subject_kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=100, index=True)
    subject_label: str | None = Field(default=None, max_length=300)
    programme_id: uuid.UUID | None = Field(default=None, index=True)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    occurrences: int = 1
    # what the last event sent was (level + material evidence, alerts.Finding.fingerprint): a periodic scan
    # sends a finding again only when this changes
    fingerprint: str | None = Field(default=None, max_length=64)
    status: str = Field(default="open", max_length=20, index=True)
    disposition: str | None = Field(default=None, max_length=40)
    outcome: str | None = Field(default=None, max_length=2000)
    integrity_warning_id: str | None = Field(default=None, max_length=100)
    first_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    disposed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Hold(Base, table=True):
    """Hold — 冻结: a subject held pending review because a disposition said so (freeze)."""

    __tablename__ = "hold"
    __table_args__ = (sa.UniqueConstraint("subject_kind", "subject_id", "dedupe_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    subject_kind: str = Field(max_length=20)
    subject_id: uuid.UUID = Field(index=True)
    dedupe_key: str = Field(max_length=200, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PayeeAccount(Base, table=True):
    """PayeeAccount — 收款账户变更记录: every bank account a payee was paid into, in the order it was given.

    The payee row holds the current account; a new one no longer overwrites the old without a trace.
    """

    __tablename__ = "payee_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    payee_id: uuid.UUID = Field(foreign_key="payee.id", index=True)
    account_hash: str = Field(max_length=64, index=True)
    account_cipher: str = Field(max_length=600)
    account_tail: str = Field(max_length=4)
    changed_on: date  # the date of the movement that brought the account (the change took effect by then)
    previous_tail: str | None = Field(default=None, max_length=4)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ThresholdChange(Base, table=True):
    """ThresholdChange — 阈值调整记录: who set a programme's thresholds, when, from what to what, and why."""

    __tablename__ = "threshold_change"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    region_code: str = Field(max_length=12, index=True)
    old: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    new: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    reason: str = Field(max_length=1000)
    changed_by: str = Field(max_length=200)
    changed_by_unit: str | None = Field(default=None, max_length=18)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WatchChange(Base, table=True):
    """WatchChange — 名单变更记录: who listed or delisted an entry of a watch list, when and why."""

    __tablename__ = "watch_change"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entry_id: uuid.UUID = Field(foreign_key="watch_entry.id", index=True)
    action: str = Field(max_length=20)  # listed | delisted
    watch_list: str = Field(max_length=20)
    region_code: str = Field(max_length=12, index=True)
    effective_on: date
    reason: str = Field(max_length=300)
    changed_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# personal data sealed with the field cipher (``sunlight-funds reencrypt`` rewrites them after a key rotation)
ENCRYPTED = [
    Sealed("payee", "name_cipher", "payee.name"),
    Sealed("payee", "account_cipher", "payee.account"),
    Sealed("payee_account", "account_cipher", "payee.account"),
]
