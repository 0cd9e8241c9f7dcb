"""public clients, refresh token client and session end

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 11:53:49.701766
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("session_expires_at", UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_refresh_token_client_id"), ["client_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_client_id"))
        batch_op.drop_column("session_expires_at")
        batch_op.drop_column("client_id")

    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_column("public")
