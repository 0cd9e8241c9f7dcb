"""Funds tables (SQLModel, tables only; API shapes are in schemas.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata


class Tier(StrEnum):
    """Tiers of the allocation chain (市财政 → 部门 → 县区 → 乡镇 → 受益对象)."""

    FINANCE_BUREAU = "finance_bureau"
    DEPARTMENT = "department"
    COUNTY = "county"
    TOWNSHIP = "township"
    BENEFICIARY = "beneficiary"


class MovementKind(StrEnum):
    BUDGET = "budget"  # 预算下达: the programme's budget into its root node
    ALLOCATE = "allocate"  # 拨付: from a node to a child node


class Programme(Base, table=True):
    """Programme — 专项资金项目."""

    __tablename__ = "programme"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=64)
    fiscal_year: int
    budget_fen: int = Field(sa_type=sa.BigInteger)
    region_code: str = Field(max_length=12, index=True)
    responsible_uscc: str | None = Field(default=None, max_length=18)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Node(Base, table=True):
    """Node — 资金节点: one holder of the programme's money in the tree."""

    __tablename__ = "node"
    __table_args__ = (
        sa.CheckConstraint("passed_on_fen >= 0 AND passed_on_fen <= received_fen", name="within_received"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    tier: Tier = Field(sa_type=sa.String(20))
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=12, index=True)
    unit_uscc: str | None = Field(default=None, max_length=18)
    received_fen: int = Field(default=0, sa_type=sa.BigInteger)
    passed_on_fen: int = Field(default=0, sa_type=sa.BigInteger)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def available_fen(self) -> int:
        return self.received_fen - self.passed_on_fen


class Movement(Base, table=True):
    """Movement — 资金拨付/支出记录: one entry of the ledger."""

    __tablename__ = "movement"
    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="positive_amount"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    programme_id: uuid.UUID = Field(foreign_key="programme.id", index=True)
    kind: MovementKind = Field(sa_type=sa.String(20))
    from_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    to_node_id: uuid.UUID | None = Field(default=None, foreign_key="node.id", index=True)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    occurred_on: date
    reference: str | None = Field(default=None, max_length=100)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RefusedMovement(Base, table=True):
    """A movement the ledger refused (e.g. overspend); kept as evidence."""

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
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
