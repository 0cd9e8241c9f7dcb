"""ratings and the error-correction library

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:06:45.233388
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_error",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("window_code", sa.String(length=64), nullable=False),
        sa.Column("officer_code", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("correction", sa.String(length=2000), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["approval_case.id"], name=op.f("fk_case_error_case_id_approval_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_error")),
    )
    with op.batch_alter_table("case_error", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_error_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_error_error_code"), ["error_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_error_found_on"), ["found_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_error_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_error_window_code"), ["window_code"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.Column("rectify_by", sa.Date(), nullable=True),
        sa.Column("rectified_at", UTCDateTime(), nullable=True),
        sa.Column("rectification", sa.String(length=2000), nullable=True),
        sa.Column("appeal", sa.String(length=20), nullable=True),
        sa.Column("appeal_reason", sa.String(length=2000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["approval_case.id"], name=op.f("fk_rating_case_id_approval_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("case_id", name=op.f("uq_rating_case_id")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_rectify_by"), ["rectify_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_region_code"), ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_region_code"))
        batch_op.drop_index(batch_op.f("ix_rating_rectify_by"))

    op.drop_table("rating")
    with op.batch_alter_table("case_error", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_error_window_code"))
        batch_op.drop_index(batch_op.f("ix_case_error_region_code"))
        batch_op.drop_index(batch_op.f("ix_case_error_found_on"))
        batch_op.drop_index(batch_op.f("ix_case_error_error_code"))
        batch_op.drop_index(batch_op.f("ix_case_error_created_at"))

    op.drop_table("case_error")
