"""one root node per programme, enforced by the database

Two requests adding a root at once both passed the check in add_node (each got the budget).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_node_root_programme_id",
        "node",
        ["programme_id"],
        unique=True,
        postgresql_where=sa.text("parent_id IS NULL"),
        sqlite_where=sa.text("parent_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_node_root_programme_id", table_name="node")
