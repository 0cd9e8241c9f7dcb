"""index method: raters, closures, reliability

The integrity index becomes absolute (issue 9): evaluating bodies are units registered per
region (index_rater) and each sheet records the unit that entered it; a period closes per
region (index_closure) with the bodies' leniency frozen as the baseline of later periods;
results keep the uncorrected value, the bodies' agreement and how many bodies counted.

Revision ID: 0003_index
Revises: 0002
Create Date: 2026-11-30 11:52:39.657128
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0003_index"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_rater",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_rater")),
        sa.UniqueConstraint("body", "region_code", "unit_uscc", name="uq_index_rater_body_region_unit"),
    )
    with op.batch_alter_table("index_rater", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_index_rater_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_index_rater_unit_uscc"), ["unit_uscc"], unique=False)

    op.create_table(
        "index_closure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("framework_version", sa.Integer(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("leniency", sa.JSON(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["index_framework.id"], name=op.f("fk_index_closure_framework_id_index_framework")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_closure")),
        sa.UniqueConstraint("framework_id", "period", "region_code", name="uq_index_closure_framework_period_region"),
    )
    with op.batch_alter_table("index_closure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_index_closure_framework_id"), ["framework_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_index_closure_region_code"), ["region_code"], unique=False)

    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_unit", sa.String(length=18), nullable=True))

    with op.batch_alter_table("index_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw_value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("reliability", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("raters", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("index_result", schema=None) as batch_op:
        batch_op.drop_column("raters")
        batch_op.drop_column("reliability")
        batch_op.drop_column("raw_value")

    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.drop_column("entered_unit")

    with op.batch_alter_table("index_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_closure_region_code"))
        batch_op.drop_index(batch_op.f("ix_index_closure_framework_id"))

    op.drop_table("index_closure")
    with op.batch_alter_table("index_rater", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_rater_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_index_rater_region_code"))

    op.drop_table("index_rater")
