"""movement invoice_no: the supplier's invoice number, the strong key of FUNDS-DUPLICATE-PAYMENT

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("movement") as batch:
        batch.add_column(sa.Column("invoice_no", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_movement_invoice_no"), ["invoice_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("movement") as batch:
        batch.drop_index(batch.f("ix_movement_invoice_no"))
        batch.drop_column("invoice_no")
