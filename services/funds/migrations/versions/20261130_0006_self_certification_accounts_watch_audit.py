"""programme budget_source, threshold changes, payee account history (keyed hash beside the encrypted value), watch-list changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("budget_source", sa.String(length=40), nullable=True))
    with op.batch_alter_table("payee") as batch:
        batch.add_column(sa.Column("account_hash", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_payee_account_hash"), ["account_hash"], unique=False)
    op.create_table(
        "payee_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("account_hash", sa.String(length=64), nullable=False),
        sa.Column("account_cipher", sa.String(length=600), nullable=False),
        sa.Column("account_tail", sa.String(length=4), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("previous_tail", sa.String(length=4), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["payee_id"], ["payee.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_payee_account_payee_id"), "payee_account", ["payee_id"], unique=False)
    op.create_index(op.f("ix_payee_account_account_hash"), "payee_account", ["account_hash"], unique=False)
    op.create_table(
        "threshold_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("old", sa.JSON(), nullable=False),
        sa.Column("new", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_by_unit", sa.String(length=18), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_threshold_change_programme_id"), "threshold_change", ["programme_id"], unique=False)
    op.create_index(op.f("ix_threshold_change_region_code"), "threshold_change", ["region_code"], unique=False)
    op.create_table(
        "watch_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("watch_list", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["watch_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_watch_change_entry_id"), "watch_change", ["entry_id"], unique=False)
    op.create_index(op.f("ix_watch_change_region_code"), "watch_change", ["region_code"], unique=False)


def downgrade() -> None:
    op.drop_table("watch_change")
    op.drop_table("threshold_change")
    op.drop_table("payee_account")
    with op.batch_alter_table("payee") as batch:
        batch.drop_index(batch.f("ix_payee_account_hash"))
        batch.drop_column("account_hash")
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("budget_source")
