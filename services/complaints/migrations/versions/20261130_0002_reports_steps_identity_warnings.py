"""reports steps identity warnings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 15:15:12.127539
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
    op.create_table(
        "complaints_warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_raised_at", UTCDateTime(), nullable=False),
        sa.Column("last_raised_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints_warning")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_complaints_warning_dedupe_key")),
    )
    with op.batch_alter_table("complaints_warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_warning_last_raised_at"), ["last_raised_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_warning_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_warning_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_warning_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "identity_access",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("accessed_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_access")),
    )
    with op.batch_alter_table("identity_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_access_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_access_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_access_report_id"), ["report_id"], unique=False)

    op.create_table(
        "identity_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_request")),
    )
    with op.batch_alter_table("identity_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_request_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_request_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identity_request_requested_at"), ["requested_at"], unique=False)

    op.create_table(
        "import_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("batch_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("owner", "batch_key", name=op.f("uq_import_batch_owner_batch_key")),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_service", sa.String(length=20), nullable=True),
        sa.Column("subject_ref_kind", sa.String(length=20), nullable=True),
        sa.Column("subject_ref_id", sa.String(length=100), nullable=True),
        sa.Column("subject_unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("subject_key", sa.String(length=120), nullable=True),
        sa.Column("content_sealed", sa.Text(), nullable=True),
        sa.Column("identity_sealed", sa.Text(), nullable=True),
        sa.Column("receipt_lookup", sa.String(length=64), nullable=True),
        sa.Column("receipt_hash", sa.String(length=200), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("accept_due", sa.Date(), nullable=False),
        sa.Column("conclude_due", sa.Date(), nullable=True),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("extended_days", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("concluded_at", UTCDateTime(), nullable=True),
        sa.Column("replied_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("handling_unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=True),
        sa.Column("group_locked", sa.Boolean(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("receipt_lookup", name=op.f("uq_report_receipt_lookup")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_filed_at"), ["filed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_handling_unit_uscc"), ["handling_unit_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_subject_key"), ["subject_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_subject_unit_uscc"), ["subject_unit_uscc"], unique=False)

    op.create_table(
        "report_band",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=40), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "position", name=op.f("pk_report_band")),
    )
    with op.batch_alter_table("report_band", schema=None) as batch_op:
        batch_op.create_index("ix_report_band_band_filed", ["band", "filed_at"], unique=False)

    op.create_table(
        "report_key",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("wrapped", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_key")),
    )
    op.create_table(
        "report_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("visible_to_reporter", sa.Boolean(), nullable=False),
        sa.Column("note_sealed", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_step")),
    )
    with op.batch_alter_table("report_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_step_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_step_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_step_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_step_at"))

    op.drop_table("report_step")
    op.drop_table("report_key")
    with op.batch_alter_table("report_band", schema=None) as batch_op:
        batch_op.drop_index("ix_report_band_band_filed")

    op.drop_table("report_band")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_subject_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_report_subject_key"))
        batch_op.drop_index(batch_op.f("ix_report_status"))
        batch_op.drop_index(batch_op.f("ix_report_region_code"))
        batch_op.drop_index(batch_op.f("ix_report_handling_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_report_group_id"))
        batch_op.drop_index(batch_op.f("ix_report_filed_at"))
        batch_op.drop_index(batch_op.f("ix_report_category"))

    op.drop_table("report")
    op.drop_table("import_batch")
    with op.batch_alter_table("identity_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_request_requested_at"))
        batch_op.drop_index(batch_op.f("ix_identity_request_report_id"))
        batch_op.drop_index(batch_op.f("ix_identity_request_region_code"))

    op.drop_table("identity_request")
    with op.batch_alter_table("identity_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_access_report_id"))
        batch_op.drop_index(batch_op.f("ix_identity_access_region_code"))
        batch_op.drop_index(batch_op.f("ix_identity_access_at"))

    op.drop_table("identity_access")
    with op.batch_alter_table("complaints_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_warning_rule_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_warning_report_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_warning_region_code"))
        batch_op.drop_index(batch_op.f("ix_complaints_warning_last_raised_at"))

    op.drop_table("complaints_warning")
