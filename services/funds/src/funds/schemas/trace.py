"""Tracing a programme: its tree's totals, payment paths, the funnel and Benford's test."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from funds.models import Tier
from funds.schemas.movements import MovementOut
from funds.schemas.programmes import BudgetLineOut, ProgrammeOut


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
