"""funds_warning.status speaks integrity's vocabulary (open, in_disposition, closed, dismissed)

Funds' view of a warning used to keep the latest disposition's status (open, in_progress, concluded); it
now keeps the register entry's status as integrity reports it, so ``status`` means the same in both
services. An outcome that is not one of integrity's (free text from before) is dropped.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE funds_warning SET outcome = NULL WHERE outcome IS NOT NULL AND outcome NOT IN "
        "('no_issue', 'corrected', 'accountability', 'referred', 'escalated')"
    )
    op.execute(
        "UPDATE funds_warning SET disposition = NULL WHERE disposition IS NOT NULL AND disposition NOT IN "
        "('reminder_talk', 'inquiry', 'supervision_recommendation', 'direct_review', 'case')"
    )
    op.execute(
        "UPDATE funds_warning SET status = CASE"
        " WHEN status = 'concluded' AND outcome = 'escalated' THEN 'open'"
        " WHEN status = 'concluded' THEN 'closed'"
        " WHEN status IN ('in_progress', 'open') AND disposition IS NOT NULL THEN 'in_disposition'"
        " ELSE status END"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE funds_warning SET status = CASE"
        " WHEN status = 'closed' THEN 'concluded'"
        " WHEN status = 'in_disposition' THEN 'in_progress'"
        " ELSE status END"
    )
