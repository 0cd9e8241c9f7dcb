"""the imported processes are listed newest first: an index on updated_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ocds_process") as batch_op:
        batch_op.create_index(batch_op.f("ix_ocds_process_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ocds_process") as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocds_process_updated_at"))
