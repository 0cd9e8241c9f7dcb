"""Payees, movements, refused movements and batches of movements."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from sunlight import batches
from sunlight.codes import ResidentId
from sunlight.money import Fen

from funds.models import MovementKind, PayeeKind


class MovementSort(StrEnum):
    """What movements are sorted by: the ledger never changes a movement, so paging never skips or repeats."""

    RECORDED_AT = "recorded_at"
    """when it was recorded (the default)"""
    OCCURRED_ON = "occurred_on"
    """the day the money moved"""
    AMOUNT_FEN = "amount_fen"
    """the amount"""


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
