"""catalogue cases steps warnings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 15:14:37.853850
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
        "approvals_warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=True),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("first_raised_at", UTCDateTime(), nullable=False),
        sa.Column("last_raised_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals_warning")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_approvals_warning_dedupe_key")),
    )
    with op.batch_alter_table("approvals_warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvals_warning_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_warning_last_raised_at"), ["last_raised_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_warning_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_warning_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_warning_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_warning_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "department",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_department_region_code_code")),
    )
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_department_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_department_uscc"), ["uscc"], unique=False)

    op.create_table(
        "step_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("batch_key", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_batch")),
        sa.UniqueConstraint("client_id", "batch_key", name=op.f("uq_step_batch_client_id_batch_key")),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("legal_days", sa.Integer(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("required_steps", sa.JSON(), nullable=False),
        sa.Column("four_eyes", sa.JSON(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("online_mandatory", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("promised_days <= legal_days", name=op.f("ck_item_promise_within_law")),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], name=op.f("fk_item_department_id_department")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_item_region_code_code")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_region_code"), ["region_code"], unique=False)

    op.create_table(
        "service_window",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_service_window_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_window")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_service_window_region_code_code")),
    )
    with op.batch_alter_table("service_window", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_window_region_code"), ["region_code"], unique=False)

    op.create_table(
        "approval_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("case_no", sa.String(length=100), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("window_code", sa.String(length=64), nullable=True),
        sa.Column("officer_code", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("concluded_at", UTCDateTime(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("used_days", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("promised_due_on", sa.Date(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("certificate_pending", sa.Boolean(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_approval_case_item_id_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_case")),
        sa.UniqueConstraint("region_code", "case_no", name=op.f("uq_approval_case_region_code_case_no")),
    )
    with op.batch_alter_table("approval_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_case_certificate_pending"), ["certificate_pending"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_officer_code"), ["officer_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_case_window_code"), ["window_code"], unique=False)

    op.create_table(
        "officer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("window_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], name=op.f("fk_officer_department_id_department")),
        sa.ForeignKeyConstraint(["window_id"], ["service_window.id"], name=op.f("fk_officer_window_id_service_window")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer")),
        sa.UniqueConstraint("region_code", "code", name=op.f("uq_officer_region_code_code")),
    )
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_region_code"), ["region_code"], unique=False)

    op.create_table(
        "case_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("officer_code", sa.String(length=64), nullable=True),
        sa.Column("window_code", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("out_of_order", sa.Boolean(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["approval_case.id"], name=op.f("fk_case_step_case_id_approval_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_step")),
    )
    with op.batch_alter_table("case_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_step_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_step_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_step_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_step_batch_id"))

    op.drop_table("case_step")
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_region_code"))

    op.drop_table("officer")
    with op.batch_alter_table("approval_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_case_window_code"))
        batch_op.drop_index(batch_op.f("ix_approval_case_status"))
        batch_op.drop_index(batch_op.f("ix_approval_case_region_code"))
        batch_op.drop_index(batch_op.f("ix_approval_case_officer_code"))
        batch_op.drop_index(batch_op.f("ix_approval_case_level"))
        batch_op.drop_index(batch_op.f("ix_approval_case_item_id"))
        batch_op.drop_index(batch_op.f("ix_approval_case_due_on"))
        batch_op.drop_index(batch_op.f("ix_approval_case_created_at"))
        batch_op.drop_index(batch_op.f("ix_approval_case_certificate_pending"))

    op.drop_table("approval_case")
    with op.batch_alter_table("service_window", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_window_region_code"))

    op.drop_table("service_window")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_region_code"))

    op.drop_table("item")
    op.drop_table("step_batch")
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_uscc"))
        batch_op.drop_index(batch_op.f("ix_department_region_code"))

    op.drop_table("department")
    with op.batch_alter_table("approvals_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_warning_subject_id"))
        batch_op.drop_index(batch_op.f("ix_approvals_warning_status"))
        batch_op.drop_index(batch_op.f("ix_approvals_warning_rule_id"))
        batch_op.drop_index(batch_op.f("ix_approvals_warning_region_code"))
        batch_op.drop_index(batch_op.f("ix_approvals_warning_last_raised_at"))
        batch_op.drop_index(batch_op.f("ix_approvals_warning_case_id"))

    op.drop_table("approvals_warning")
