"""infrastructure: outbox, inbox, dead letters, idempotency keys

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op
from sunlight.migrations import create_infra_tables, drop_infra_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_infra_tables(op)


def downgrade() -> None:
    drop_infra_tables(op)
