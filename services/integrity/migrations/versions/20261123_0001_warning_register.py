"""warning register

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:31:49.757340
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
        "warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("service", sa.String(length=20), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_event_id", sa.String(length=36), nullable=False),
        sa.Column("last_event_id", sa.String(length=36), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warning_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_service"), ["service"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_unit_uscc"), ["unit_uscc"], unique=False)
        batch_op.create_index(
            "uq_warning_active_dedupe_key",
            ["dedupe_key"],
            unique=True,
            postgresql_where=sa.text("status IN ('open', 'in_disposition')"),
            sqlite_where=sa.text("status IN ('open', 'in_disposition')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_warning_active_dedupe_key",
            postgresql_where=sa.text("status IN ('open', 'in_disposition')"),
            sqlite_where=sa.text("status IN ('open', 'in_disposition')"),
        )
        batch_op.drop_index(batch_op.f("ix_warning_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_warning_status"))
        batch_op.drop_index(batch_op.f("ix_warning_service"))
        batch_op.drop_index(batch_op.f("ix_warning_rule_id"))
        batch_op.drop_index(batch_op.f("ix_warning_region_code"))
        batch_op.drop_index(batch_op.f("ix_warning_level"))

    op.drop_table("warning")
    drop_infra_tables(op)
