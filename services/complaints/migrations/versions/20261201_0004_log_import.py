"""uploaded lifecycle logs: a row per import job

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("bytes_received", sa.BigInteger(), nullable=False),
        sa.Column("gzip", sa.Boolean(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("handoffs", sa.Integer(), nullable=False),
        sa.Column("late", sa.JSON(), nullable=False),
        sa.Column("handed_around", sa.JSON(), nullable=False),
        sa.Column("warnings_raised", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_import")),
    )
    with op.batch_alter_table("log_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_import_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_import_region_code"), ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("log_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_import_region_code"))
        batch_op.drop_index(batch_op.f("ix_log_import_created_at"))
    op.drop_table("log_import")
