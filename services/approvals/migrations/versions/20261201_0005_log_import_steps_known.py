"""log imports count the steps they found already stored

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("log_import") as batch:
        batch.add_column(sa.Column("steps_known", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("log_import") as batch:
        batch.drop_column("steps_known")
