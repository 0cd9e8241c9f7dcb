"""programmes nodes movements

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:30:14.582788
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime
from sunlight.migrations import create_infra_tables, drop_infra_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_infra_tables(op)
    op.create_table(
        "programme",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("responsible_uscc", sa.String(length=18), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_programme_code")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_region_code"), ["region_code"], unique=False)

    op.create_table(
        "node",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("received_fen", sa.BigInteger(), nullable=False),
        sa.Column("passed_on_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "passed_on_fen >= 0 AND passed_on_fen <= received_fen", name=op.f("ck_node_within_received")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["node.id"], name=op.f("fk_node_parent_id_node")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_node_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_node")),
    )
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_node_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_node_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_node_region_code"), ["region_code"], unique=False)

    op.create_table(
        "movement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_node_id", sa.Uuid(), nullable=True),
        sa.Column("to_node_id", sa.Uuid(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_movement_positive_amount")),
        sa.ForeignKeyConstraint(["from_node_id"], ["node.id"], name=op.f("fk_movement_from_node_id_node")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_movement_programme_id_programme")),
        sa.ForeignKeyConstraint(["to_node_id"], ["node.id"], name=op.f("fk_movement_to_node_id_node")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement")),
    )
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_movement_from_node_id"), ["from_node_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_to_node_id"), ["to_node_id"], unique=False)

    op.create_table(
        "refused_movement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_node_id", sa.Uuid(), nullable=True),
        sa.Column("to_node_id", sa.Uuid(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("available_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["from_node_id"], ["node.id"], name=op.f("fk_refused_movement_from_node_id_node")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_refused_movement_programme_id_programme")
        ),
        sa.ForeignKeyConstraint(["to_node_id"], ["node.id"], name=op.f("fk_refused_movement_to_node_id_node")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_movement")),
    )
    with op.batch_alter_table("refused_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_movement_programme_id"), ["programme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refused_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_movement_programme_id"))

    op.drop_table("refused_movement")
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movement_to_node_id"))
        batch_op.drop_index(batch_op.f("ix_movement_programme_id"))
        batch_op.drop_index(batch_op.f("ix_movement_from_node_id"))

    op.drop_table("movement")
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_region_code"))
        batch_op.drop_index(batch_op.f("ix_node_programme_id"))
        batch_op.drop_index(batch_op.f("ix_node_parent_id"))

    op.drop_table("node")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_region_code"))

    op.drop_table("programme")
    drop_infra_tables(op)
