"""API shapes of the funds service: XIn (what a client sends) and XOut (what it gets)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator
from sunlight import batches
from sunlight.codes import USCC, RegionCode, ResidentId
from sunlight.enums import DescribedEnum
from sunlight.money import Fen
from sunlight.warnings import DispositionKind, DispositionOutcome, Level, WarningStatus

from funds.bounds import BOUNDS, within
from funds.models import FundsSubjectKind, MovementKind, PayeeKind, Tier

CODE = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


# --- programmes --------------------------------------------------------------------------------


class MovementSort(StrEnum):
    """What movements are sorted by: the ledger never changes a movement, so paging never skips or repeats."""

    RECORDED_AT = "recorded_at"
    """when it was recorded (the default)"""
    OCCURRED_ON = "occurred_on"
    """the day the money moved"""
    AMOUNT_FEN = "amount_fen"
    """the amount"""


class ProgrammeThresholds(BaseModel):
    """A programme's own thresholds; anything left out uses the deployment's settings.

    Set by the supervising side only (``funds:supervise``), within bounds (``funds.bounds.BOUNDS``:
    no value may silence a rule); every change is kept (``GET …/threshold-changes``)."""

    model_config = ConfigDict(extra="forbid")

    approval_threshold_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["approval_threshold_fen"].minimum,
        le=BOUNDS["approval_threshold_fen"].maximum,
        description="FUNDS-SPLIT-PAYMENT",
    )
    per_head_standard_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["per_head_standard_fen"].minimum,
        description="FUNDS-OVER-STANDARD (at most the programme's budget)",
    )
    idle_days: int | None = Field(
        default=None, ge=BOUNDS["idle_days"].minimum, le=BOUNDS["idle_days"].maximum, description="FUNDS-IDLE-FUNDS"
    )
    duplicate_window_days: int | None = Field(
        default=None,
        ge=BOUNDS["duplicate_window_days"].minimum,
        le=BOUNDS["duplicate_window_days"].maximum,
        description="FUNDS-DUPLICATE-PAYMENT",
    )
    split_window_days: int | None = Field(
        default=None,
        ge=BOUNDS["split_window_days"].minimum,
        le=BOUNDS["split_window_days"].maximum,
        description="FUNDS-SPLIT-PAYMENT",
    )
    pass_down_days: dict[Tier, int] | None = Field(
        default=None,
        description="FUNDS-LATE-PASS-DOWN: calendar days per tier, for every kind of passing down, "
        'e.g. {"county": 60}; at most 60 (Budget Law Art. 52 ¶4)',
    )
    pass_down_kind: Literal["general", "special"] | None = Field(
        default=None,
        description="FUNDS-LATE-PASS-DOWN: the programme's transfers to lower-level governments are general "
        "(30 days) or special (60 days) transfers (Budget Law Art. 52 ¶4)",
    )
    reporting_floor_fen: Fen | None = Field(
        default=None,
        ge=BOUNDS["reporting_floor_fen"].minimum,
        le=BOUNDS["reporting_floor_fen"].maximum,
        description="FUNDS-BENFORD: payments below this amount are not in the data (a file of payments over a "
        "floor); only amounts from the next power of ten up are tested",
    )

    @field_validator("pass_down_days")
    @classmethod
    def _positive_days(cls, value: dict[Tier, int] | None) -> dict[Tier, int] | None:
        bound = BOUNDS["pass_down_days"]
        if value and any(not within("pass_down_days", days) for days in value.values()):
            raise ValueError(f"pass-down deadlines are {bound.minimum}–{bound.maximum} days ({bound.source})")
        return value


class ThresholdsIn(BaseModel):
    """A programme's new thresholds (the whole set: what is left out falls back to the deployment's settings)."""

    model_config = ConfigDict(extra="forbid")

    thresholds: ProgrammeThresholds
    reason: str = Field(min_length=5, max_length=1000, description="why (kept with the change)")


class ThresholdChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    old: dict[str, Any]
    new: dict[str, Any]
    reason: str
    changed_by: str
    changed_by_unit: str | None
    recorded_at: datetime


class ThresholdBoundOut(BaseModel):
    name: str
    minimum: int
    maximum: int | None = Field(description="None: at most the programme's budget")
    source: str


class BudgetLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40, pattern=CODE, examples=["2130122"])
    name: str = Field(min_length=1, pattern=r"\S", max_length=200, examples=["农业生产发展"])
    source: Literal["central", "provincial", "municipal", "county", "other"] | None = None
    amount_fen: Fen = Field(gt=0)


class BudgetLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    source: str | None
    amount_fen: int
    spent_fen: int


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=64, pattern=CODE, examples=["2026-AGRI-001"])
    name: str = Field(min_length=1, pattern=r"\S", max_length=200, examples=["耕地地力保护补贴"])
    category: str = Field(min_length=1, max_length=64, examples=["agriculture"])
    fiscal_year: int = Field(ge=2000, le=2100)
    budget_fen: Fen = Field(gt=0)
    budget_approved_on: date | None = Field(
        default=None,
        description="the day the budget was approved (预算批复); the root receives it then (default: "
        "the day the root is created); pass-down deadlines count from it",
    )
    region_code: RegionCode
    responsible_uscc: USCC | None = None
    allowed_categories: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="expenditure categories payments may use; empty: any (FUNDS-CATEGORY-NOT-ALLOWED)",
        examples=[["subsidy", "equipment"]],
    )
    thresholds: ProgrammeThresholds = Field(default_factory=ProgrammeThresholds)
    budget_lines: list[BudgetLineIn] = Field(
        default_factory=list, max_length=200, description="the budget broken into lines; they add up to budget_fen"
    )

    @field_validator("allowed_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        cleaned = [c.strip() for c in value]
        if any(not c or len(c) > 64 for c in cleaned):
            raise ValueError("categories are 1–64 characters")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("categories are listed once each")
        return cleaned

    @model_validator(mode="after")
    def _approved_for_its_year(self) -> ProgrammeIn:
        on = self.budget_approved_on
        if on is not None and not self.fiscal_year - 1 <= on.year <= self.fiscal_year:
            year = self.fiscal_year
            raise ValueError(f"budget_approved_on {on.isoformat()} is not in fiscal year {year} or the one before")
        return self

    @model_validator(mode="after")
    def _lines_add_up(self) -> ProgrammeIn:
        if self.budget_lines:
            codes = [line.code for line in self.budget_lines]
            if len(set(codes)) != len(codes):
                raise ValueError("budget line codes are unique within a programme")
            total = sum(line.amount_fen for line in self.budget_lines)
            if total != self.budget_fen:
                raise ValueError(f"budget lines add up to {total} fen, the budget is {self.budget_fen}")
        return self


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    category: str
    fiscal_year: int
    budget_fen: int
    budget_approved_on: date | None = None
    region_code: str
    responsible_uscc: str | None
    allowed_categories: list[str] = []
    thresholds: ProgrammeThresholds = Field(
        default_factory=ProgrammeThresholds, description="the programme's own thresholds (null: the deployment's)"
    )
    budget_lines: list[BudgetLineOut] = []
    budget_source: str | None = Field(
        default=None,
        description="set when an import derived the budget from a payments file: late pass-down and idle funds are "
        "not judged on it (the file says nothing about budgets or flows)",
    )
    created_at: datetime


# --- nodes -------------------------------------------------------------------------------------


class NodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID | None = Field(default=None, description="omit for the root (it receives the budget)")
    tier: Tier
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    region_code: RegionCode
    unit_uscc: USCC | None = None


class NodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    parent_id: uuid.UUID | None
    tier: Tier
    name: str
    region_code: str
    unit_uscc: str | None
    received_fen: int = Field(description="quota received (budget or allocations)")
    passed_on_fen: int = Field(description="quota allocated to children")
    available_fen: int = Field(description="quota left: received − passed on − spent")
    disbursed_in_fen: int = 0
    disbursed_out_fen: int = 0
    spent_fen: int = 0
    cash_fen: int = Field(default=0, description="cash on hand: disbursed in − disbursed out − spent")
    created_at: datetime


# --- payees and movements ------------------------------------------------------------------------


class PayeeIn(BaseModel):
    """Who is paid: an organisation (USCC, or the paying system's own id) or a person (resident ID)."""

    model_config = ConfigDict(extra="forbid")

    kind: PayeeKind
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    uscc: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Z]{18}$",
        description="as recorded by the paying system; a wrong check character is accepted and raises "
        "FUNDS-PAYEE-INELIGIBLE",
    )
    external_id: str | None = Field(
        default=None, min_length=1, max_length=80, description="the paying system's payee id (no USCC)"
    )
    resident_id: ResidentId | None = Field(default=None, description="persons: stored only as a keyed hash")
    bank_account: str | None = Field(default=None, pattern=r"^\d{8,32}$", description="stored encrypted")

    @model_validator(mode="after")
    def _identified(self) -> PayeeIn:
        if self.kind == PayeeKind.PERSON:
            if not self.resident_id:
                raise ValueError("a person payee needs resident_id")
            if self.uscc or self.external_id:
                raise ValueError("a person payee has no uscc or external_id")
        else:
            if not (self.uscc or self.external_id):
                raise ValueError("an organisation payee needs uscc or external_id")
            if self.resident_id:
                raise ValueError("an organisation payee has no resident_id")
        return self


class PayeeOut(BaseModel):
    """A payee as authenticated readers see it: persons masked, never an ID number or full account."""

    id: uuid.UUID
    kind: PayeeKind
    name: str = Field(description="organisation name, or a person's masked name")
    uscc: str | None = None
    external_id: str | None = None
    account: str | None = Field(default=None, description="masked bank account (last four digits)")
    held: bool = False


class PayeeAccountOut(BaseModel):
    """One bank account a payee was paid into (masked), from the payment that brought it."""

    account: str = Field(description="masked: the last four digits")
    previous: str | None = Field(description="the account it replaced (masked); None for the first")
    changed_on: date = Field(description="the date of the payment that first used it")
    recorded_by: str
    recorded_at: datetime
    current: bool


class MovementIn(BaseModel):
    """One ledger entry. ``kind`` decides which fields apply:

    - ``allocate`` (default) / ``disburse``: ``from_node_id`` → its child ``to_node_id``;
    - ``expend``: ``from_node_id`` pays ``payee`` (with ``category``, ``budget_line_code``, ``final``);
    - ``refund``: ``from_node_id`` → its parent ``to_node_id`` (unspent money back), or ``refund_of`` a
      payment (the payee pays back to the paying node; no node ids needed);
    - ``adjust``: unused quota withdrawn from ``from_node_id`` back to its parent ``to_node_id``;
    - ``supplement`` (追加预算): budget added to ``to_node_id`` (the root, or a node adding its own level's money)
      from outside the tree, as quota and cash; ``reference`` is the approval document (批复文号), required;
      ``budget_line_code`` names the budget line it adds to when the programme has lines. The programme's
      budget grows by it.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        MovementKind.ALLOCATE,
        MovementKind.DISBURSE,
        MovementKind.EXPEND,
        MovementKind.REFUND,
        MovementKind.ADJUST,
        MovementKind.SUPPLEMENT,
    ] = MovementKind.ALLOCATE
    from_node_id: uuid.UUID | None = None
    to_node_id: uuid.UUID | None = None
    amount_fen: Fen = Field(gt=0)
    occurred_on: date
    reference: str | None = Field(default=None, max_length=100)
    invoice_no: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="expend: the supplier's invoice number (发票号码); the strong key of FUNDS-DUPLICATE-PAYMENT",
    )
    payee: PayeeIn | None = None
    category: str | None = Field(default=None, min_length=1, max_length=64, examples=["subsidy"])
    budget_line_code: str | None = Field(default=None, max_length=40)
    final: bool = Field(default=False, description="expend: the final payment (尾款), due only after acceptance")
    refund_of: uuid.UUID | None = Field(default=None, description="refund: the payment being paid back")

    @model_validator(mode="after")
    def _fields_of_kind(self) -> MovementIn:
        kind = self.kind
        expend_only = ("payee", "category", "budget_line_code", "invoice_no")
        if kind == MovementKind.SUPPLEMENT:
            expend_only = ("payee", "category", "invoice_no")
            if self.to_node_id is None or self.from_node_id is not None:
                raise ValueError("a supplement adds budget to to_node_id from outside the tree: leave out from_node_id")
            if not self.reference or not self.reference.strip():
                raise ValueError("a supplement needs reference: the approval document (批复文号)")
        if kind != MovementKind.EXPEND:
            extra = [name for name in expend_only if getattr(self, name) is not None]
            if extra or self.final:
                raise ValueError(f"{', '.join(extra) or 'final'} only applies to expend")
        if kind != MovementKind.REFUND and self.refund_of is not None:
            raise ValueError("refund_of only applies to refund")
        if kind in (MovementKind.ALLOCATE, MovementKind.DISBURSE, MovementKind.ADJUST):
            if self.from_node_id is None or self.to_node_id is None:
                raise ValueError(f"{kind} needs from_node_id and to_node_id")
        elif kind == MovementKind.EXPEND:
            if self.from_node_id is None or self.payee is None:
                raise ValueError("expend needs from_node_id and payee")
            if self.to_node_id is not None:
                raise ValueError("expend pays a payee, not a node: leave out to_node_id")
        elif kind == MovementKind.SUPPLEMENT:
            pass
        elif self.refund_of is None and (self.from_node_id is None or self.to_node_id is None):
            raise ValueError("refund needs from_node_id and to_node_id (its parent), or refund_of a payment")
        elif self.refund_of is not None and (self.from_node_id is not None or self.to_node_id is not None):
            raise ValueError("a refund of a payment goes back to the paying node: leave out the node ids")
        return self


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    kind: MovementKind
    from_node_id: uuid.UUID | None
    to_node_id: uuid.UUID | None
    amount_fen: int
    occurred_on: date
    reference: str | None
    invoice_no: str | None = None
    region_code: str = ""
    payee_id: uuid.UUID | None = None
    payee: PayeeOut | None = None
    category: str | None = None
    budget_line_id: uuid.UUID | None = None
    final: bool = False
    refund_of: uuid.UUID | None = Field(
        default=None,
        validation_alias=AliasChoices("refund_of_id", "refund_of"),
        description="refund: the payment it pays back (as sent)",
    )
    refunded_fen: int = 0
    batch_id: uuid.UUID | None = None
    recorded_at: datetime


class RefusalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    kind: MovementKind
    from_node_id: uuid.UUID | None
    to_node_id: uuid.UUID | None
    amount_fen: int
    available_fen: int
    reason: str
    occurred_on: date
    reference: str | None
    region_code: str
    batch_key: str | None
    recorded_at: datetime


class RecordError(batches.RecordError):
    """What is wrong with one record of a batch, and what the node held where a movement overspends it."""

    available_fen: int | None = None


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    batch_key: str
    records: int
    movement_ids: list[uuid.UUID]
    warnings_raised: int


# --- acceptance and audit ------------------------------------------------------------------------


class RecordSubjectIn(BaseModel):
    """What an acceptance or audit is about: a programme, node or movement (in the caller's regions)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["programme", "node", "movement"]
    id: uuid.UUID


class RecordSubjectOut(BaseModel):
    """What an acceptance or audit is about, as it was sent."""

    kind: Literal["programme", "node", "movement"]
    id: uuid.UUID


class AcceptanceResult(DescribedEnum):
    """The result of an acceptance (验收结论)."""

    PASSED = "passed", "验收合格: accepted"
    FAILED = "failed", "验收不合格: not accepted"
    CONDITIONAL = "conditional", "accepted on conditions (整改后合格)"


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: RecordSubjectIn
    result: AcceptanceResult
    accepted_on: date
    inspector_unit: str = Field(min_length=1, max_length=200, examples=["海港区农业农村局验收组"])
    inspector_uscc: USCC | None = None
    findings: str | None = Field(default=None, max_length=4000, description="no personal data")


class AcceptanceOut(BaseModel):
    id: uuid.UUID
    programme_id: uuid.UUID
    subject: RecordSubjectOut
    region_code: str
    result: AcceptanceResult
    accepted_on: date
    inspector_unit: str
    inspector_uscc: str | None
    findings: str | None
    recorded_at: datetime


class AuditFindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=2000)
    amount_fen: Fen | None = None
    rectify_by: date


class AuditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: RecordSubjectIn
    auditor: str = Field(min_length=1, max_length=200, examples=["秦皇岛市审计局"])
    audited_on: date
    conclusion: str | None = Field(default=None, max_length=4000)
    findings: list[AuditFindingIn] = Field(default_factory=list, max_length=200)


class AuditFindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    audit_id: uuid.UUID
    description: str
    amount_fen: int | None
    rectify_by: date
    rectified_on: date | None
    rectification: str | None


class AuditOut(BaseModel):
    id: uuid.UUID
    programme_id: uuid.UUID
    subject: RecordSubjectOut
    region_code: str
    auditor: str
    audited_on: date
    conclusion: str | None
    findings: list[AuditFindingOut]
    recorded_at: datetime


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rectified_on: date
    rectification: str = Field(min_length=1, max_length=2000)


# --- trace ---------------------------------------------------------------------------------------


class NodeTrace(BaseModel):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    depth: int
    tier: Tier
    name: str
    region_code: str
    received_fen: int
    passed_on_fen: int
    spent_fen: int
    idle_fen: int = Field(description="cash on hand, neither passed on nor spent")
    available_fen: int
    disbursed_in_fen: int
    disbursed_out_fen: int
    children_received_fen: int = Field(description="what the children say they received: equals passed_on_fen")
    held: bool


class TierTotal(BaseModel):
    tier: Tier
    nodes: int
    received_fen: int
    passed_on_fen: int
    spent_fen: int
    idle_fen: int


CONSERVED = (
    "every node's stored counters equal what its movements add up to (budget, allocations, disbursements, "
    "payments, refunds, adjustments), and every parent passed on exactly what its children received, in quota "
    "and in cash"
)


class TraceOut(BaseModel):
    programme: ProgrammeOut
    nodes: list[NodeTrace]
    tiers: list[TierTotal]
    conserved: bool = Field(description=CONSERVED)
    discrepancies: list[str] = Field(default=[], description="each node and counter where the tree does not add up")


class PathHop(BaseModel):
    node: NodeTrace
    inflows: list[MovementOut] = Field(description="allocations, disbursements and budget into this node")


class PaymentPathOut(BaseModel):
    payment: MovementOut
    programme: ProgrammeOut
    budget_line: BudgetLineOut | None
    hops: list[PathHop] = Field(description="from the paying node up to the root")


class FunnelOut(BaseModel):
    programme_id: uuid.UUID
    budget_fen: int
    allocated_fen: int = Field(description="quota that left the root (allocated below it or spent by it)")
    disbursed_fen: int = Field(description="cash that left the root (disbursed below it or spent by it)")
    spent_fen: int = Field(description="paid to payees, net of refunds")
    accepted_fen: int = Field(description="spending covered by a passed acceptance")
    audited_fen: int = Field(description="spending covered by an audit")
    stages: list[dict[str, Any]] = Field(description="each stage with its share of the previous one and of the budget")


class BenfordOut(BaseModel):
    node_id: uuid.UUID
    period_from: date
    period_to: date
    count: int
    digits: list[int]
    observed: list[float]
    expected: list[float]
    counts: list[int]
    mad: float
    chi_square: float
    conformity: str


# --- warnings ------------------------------------------------------------------------------------


class FundsWarningOut(BaseModel):
    """A warning funds raised, as funds sees it: the finding as funds last sent it, and the state of its register
    entry as integrity last reported it (``warnings.disposed.v1``). Integrity owns warning state; the names and
    meanings are integrity's (``IntegrityWarningOut``)."""

    id: uuid.UUID
    dedupe_key: str
    rule_id: str
    level: Level = Field(description="the level funds gave the finding (integrity may raise it further)")
    title: str
    service: Literal["funds"] = "funds"
    subject_kind: FundsSubjectKind
    subject_id: str
    subject_label: str | None
    programme_id: uuid.UUID | None
    region_code: str
    evidence: dict[str, Any]
    occurrences: int
    status: WarningStatus = Field(
        description="the register entry's status as integrity last reported it: open until a disposition opens"
    )
    disposition: DispositionKind | None = Field(description="the latest disposition's kind; none before one")
    outcome: DispositionOutcome | None = Field(description="how the latest disposition ended; none until then")
    frozen: bool = Field(description="the subject is held pending review because of this warning")
    first_seen_at: datetime = Field(description="when funds first raised the finding")
    last_seen_at: datetime = Field(description="when funds last raised it")
    disposed_at: datetime | None = Field(description="when integrity last reported on it")


class WarningFilter(BaseModel):
    rule_id: str | None = None
    level: str | None = None
    status: WarningStatus | None = None
    subject_kind: str | None = None
    subject_id: str | None = None
    programme_id: uuid.UUID | None = None
    dedupe_key: str | None = None


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: datetime | None = Field(default=None, description="evaluate as of this instant (default now; not later)")


class ScanOut(BaseModel):
    as_of: datetime
    findings: dict[str, int] = Field(description="findings per rule id")
    raised: int = Field(description="warnings emitted (new or escalated)")


# --- watch lists ---------------------------------------------------------------------------------


class WatchEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list: Literal["debarred", "official", "relative"]
    uscc: USCC | None = None
    resident_id: ResidentId | None = Field(default=None, description="officials and relatives: hashed, never stored")
    region_code: RegionCode = Field(description="where the entry applies (000000: everywhere)")
    reason: str = Field(min_length=1, max_length=300)
    reference: str | None = Field(default=None, max_length=100, description="e.g. the debarment decision number")
    listed_on: date
    delisted_on: date | None = None

    @model_validator(mode="after")
    def _identified(self) -> WatchEntryIn:
        if self.list == "debarred" and (not self.uscc or self.resident_id):
            raise ValueError("a debarred entry names an organisation by uscc")
        if self.list != "debarred" and (not self.resident_id or self.uscc):
            raise ValueError("official and relative entries name a person by resident_id")
        if self.delisted_on and self.delisted_on < self.listed_on:
            raise ValueError("delisted_on is after listed_on")
        return self


class WatchListIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[WatchEntryIn] = Field(min_length=1, max_length=5000)


class WatchEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    list: str = Field(validation_alias="watch_list")
    uscc: str | None
    region_code: str
    reason: str
    reference: str | None
    listed_on: date
    delisted_on: date | None
    created_at: datetime


class DelistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delisted_on: date = Field(description="from this day the entry no longer applies")
    reason: str = Field(min_length=5, max_length=300, description="why (kept with the change; no personal data)")


class WatchChangeOut(BaseModel):
    """Who listed or delisted a watch-list entry, when, from which day and why (the entry's person is never
    shown: officials and relatives are kept as a keyed hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    entry_id: uuid.UUID
    action: Literal["listed", "delisted"]
    list: str = Field(validation_alias="watch_list")
    region_code: str
    effective_on: date
    reason: str
    changed_by: str
    recorded_at: datetime


class WatchListOut(BaseModel):
    created: int
    matched_payees: int = Field(description="existing payees this load matched (their warnings were raised)")


# --- imports -------------------------------------------------------------------------------------


class SkippedLine(BaseModel):
    line: int
    reason: str


class ImportOut(BaseModel):
    programme_id: uuid.UUID
    nodes: int
    payments: int
    payees: int
    total_fen: int
    refunds: int = Field(default=0, description="credit notes recorded as refunds of the payments they pay back")
    refunded_fen: int = 0
    skipped: list[SkippedLine]
    warnings_raised: int


# --- public disclosure -----------------------------------------------------------------------------


class PublicProgramme(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    category: str
    fiscal_year: int
    budget_fen: int
    region_code: str
    responsible_uscc: str | None


class PublicAllocation(BaseModel):
    node_id: uuid.UUID
    parent_id: uuid.UUID | None
    tier: Tier
    name: str
    region_code: str
    received_fen: int
    passed_on_fen: int
    disbursed_in_fen: int
    spent_fen: int


class PublicProgrammeDetail(BaseModel):
    programme: PublicProgramme
    allocations: list[PublicAllocation] = Field(description="the tree down to township level")


class PublicPayee(BaseModel):
    kind: PayeeKind
    name: str = Field(description="organisation name, or a person's name partly hidden")
    uscc: str | None = Field(default=None, description="organisations only")


class PublicPayment(BaseModel):
    id: uuid.UUID
    node_id: uuid.UUID | None = Field(description="the paying node; none when it is a beneficiary (not disclosed)")
    node_name: str = Field(description="the paying node's name; 受益对象 for a beneficiary (not disclosed)")
    occurred_on: date
    amount_fen: int
    category: str | None
    payee: PublicPayee


SubjectIn = RecordSubjectIn
WarningOut = FundsWarningOut
