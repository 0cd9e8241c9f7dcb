"""funds_warning.fingerprint: what funds last sent for a key, so a periodic scan resends only new evidence

Integrity owns a warning's state; funds keeps what it has sent. A scan's finding is sent again only
when its level or material evidence changed (alerts.Finding.fingerprint), not whenever the warning
was closed in the register.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("funds_warning") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("funds_warning") as batch:
        batch.drop_column("fingerprint")
