"""enforcement powers, penalty decisions, dispositions seen, log imports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 18:49:26.471069
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("bytes_received", sa.BigInteger(), nullable=False),
        sa.Column("gzip", sa.Boolean(), nullable=False),
        sa.Column("traces", sa.Integer(), nullable=False),
        sa.Column("events_read", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("warnings_raised", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_import")),
    )
    with op.batch_alter_table("log_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_import_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_log_import_region_code"), ["region_code"], unique=False)

    op.create_table(
        "enforcement_power",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_enforcement_power_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_power")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_enforcement_power_region_code_code")),
    )
    with op.batch_alter_table("enforcement_power", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_power_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_enforcement_power_region_code"), ["region_code"], unique=False)

    op.create_table(
        "penalty_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("decision_no", sa.String(length=100), nullable=False),
        sa.Column("power_id", sa.Uuid(), nullable=False),
        sa.Column("band_code", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("fine_fen", sa.BigInteger(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("officer_code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("band", sa.JSON(), nullable=False),
        sa.Column("departures", sa.JSON(), nullable=False),
        sa.Column("within_band", sa.Boolean(), nullable=False),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("corrected_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["penalty_decision.id"], name=op.f("fk_penalty_decision_corrects_id_penalty_decision")
        ),
        sa.ForeignKeyConstraint(
            ["power_id"], ["enforcement_power.id"], name=op.f("fk_penalty_decision_power_id_enforcement_power")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_decision")),
        sa.UniqueConstraint("region_code", "decision_no", name=op.f("uq_penalty_decision_region_code_decision_no")),
    )
    with op.batch_alter_table("penalty_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalty_decision_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_penalty_decision_officer_code"), ["officer_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_penalty_decision_power_id"), ["power_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_penalty_decision_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_penalty_decision_within_band"), ["within_band"], unique=False)

    with op.batch_alter_table("approvals_warning", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disposition", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("disposed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("correct_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("integrity_warning_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_approvals_warning_correct_by"), ["correct_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("approvals_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_warning_correct_by"))
        batch_op.drop_column("integrity_warning_id")
        batch_op.drop_column("correct_by")
        batch_op.drop_column("disposed_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("disposition")

    with op.batch_alter_table("penalty_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_decision_within_band"))
        batch_op.drop_index(batch_op.f("ix_penalty_decision_region_code"))
        batch_op.drop_index(batch_op.f("ix_penalty_decision_power_id"))
        batch_op.drop_index(batch_op.f("ix_penalty_decision_officer_code"))
        batch_op.drop_index(batch_op.f("ix_penalty_decision_created_at"))

    op.drop_table("penalty_decision")
    with op.batch_alter_table("enforcement_power", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_power_region_code"))
        batch_op.drop_index(batch_op.f("ix_enforcement_power_created_at"))

    op.drop_table("enforcement_power")
    with op.batch_alter_table("log_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_import_region_code"))
        batch_op.drop_index(batch_op.f("ix_log_import_created_at"))

    op.drop_table("log_import")
