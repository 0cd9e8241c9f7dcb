"""OCDS imports and the processes they stored

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 19:40:00
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
        "ocds_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_import")),
    )
    with op.batch_alter_table("ocds_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_import_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_ocds_import_created_at"), ["created_at"], unique=False)
    op.create_table(
        "ocds_process",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("ocid", sa.String(length=200), nullable=False),
        sa.Column("release_ids", sa.JSON(), nullable=False),
        sa.Column("compiled", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocds_process")),
        sa.UniqueConstraint("region_code", "ocid", name=op.f("uq_ocds_process_region_code_ocid")),
    )
    with op.batch_alter_table("ocds_process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_process_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_ocds_process_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_table("ocds_process")
    op.drop_table("ocds_import")
