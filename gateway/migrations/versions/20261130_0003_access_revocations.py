"""access revocations: tokens of a disabled or deleted account, or one whose secret changed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 13:35:00
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
        "revocation",
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_revocation")),
    )
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revocation_revoked_at"), ["revoked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocation_revoked_at"))
    op.drop_table("revocation")
