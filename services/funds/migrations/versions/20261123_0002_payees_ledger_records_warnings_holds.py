"""payees ledger records warnings holds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:13:12.396113
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
        "funds_warning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=True),
        sa.Column("programme_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=2000), nullable=True),
        sa.Column("integrity_warning_id", sa.String(length=100), nullable=True),
        sa.Column("first_raised_at", UTCDateTime(), nullable=False),
        sa.Column("last_raised_at", UTCDateTime(), nullable=False),
        sa.Column("disposed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds_warning")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_funds_warning_dedupe_key")),
    )
    with op.batch_alter_table("funds_warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funds_warning_last_raised_at"), ["last_raised_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_warning_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_warning_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_warning_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_warning_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_funds_warning_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold")),
        sa.UniqueConstraint(
            "subject_kind", "subject_id", "dedupe_key", name=op.f("uq_hold_subject_kind_subject_id_dedupe_key")
        ),
    )
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hold_dedupe_key"), ["dedupe_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_hold_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "movement_batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("batch_key", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement_batch")),
        sa.UniqueConstraint("client_id", "batch_key", name=op.f("uq_movement_batch_client_id_batch_key")),
    )
    op.create_table(
        "payee",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("identity", sa.String(length=100), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("external_id", sa.String(length=80), nullable=True),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("name_cipher", sa.String(length=600), nullable=True),
        sa.Column("name_masked", sa.String(length=200), nullable=False),
        sa.Column("account_cipher", sa.String(length=600), nullable=True),
        sa.Column("account_tail", sa.String(length=4), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payee")),
        sa.UniqueConstraint("identity", name=op.f("uq_payee_identity")),
    )
    with op.batch_alter_table("payee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payee_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_payee_uscc"), ["uscc"], unique=False)

    op.create_table(
        "watch_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("watch_list", sa.String(length=20), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_entry")),
    )
    with op.batch_alter_table("watch_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watch_entry_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_watch_entry_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_watch_entry_uscc"), ["uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_watch_entry_watch_list"), ["watch_list"], unique=False)

    op.create_table(
        "acceptance",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("inspector_unit", sa.String(length=200), nullable=False),
        sa.Column("inspector_uscc", sa.String(length=18), nullable=True),
        sa.Column("findings", sa.String(length=4000), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_acceptance_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance")),
    )
    with op.batch_alter_table("acceptance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acceptance_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acceptance_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_acceptance_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "audit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("auditor", sa.String(length=200), nullable=False),
        sa.Column("audited_on", sa.Date(), nullable=False),
        sa.Column("conclusion", sa.String(length=4000), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_audit_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "budget_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("spent_fen >= 0 AND spent_fen <= amount_fen", name=op.f("ck_budget_line_within_amount")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_budget_line_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint("programme_id", "code", name=op.f("uq_budget_line_programme_id_code")),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_line_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "audit_finding",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("audit_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("rectify_by", sa.Date(), nullable=False),
        sa.Column("rectified_on", sa.Date(), nullable=True),
        sa.Column("rectification", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["audit.id"], name=op.f("fk_audit_finding_audit_id_audit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_finding")),
    )
    with op.batch_alter_table("audit_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_finding_audit_id"), ["audit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_finding_rectify_by"), ["rectify_by"], unique=False)

    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=12), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("payee_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("budget_line_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("refund_of_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("refunded_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("batch_id", sa.Uuid(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_movement_refund_within_amount"), "refunded_fen >= 0 AND refunded_fen <= amount_fen"
        )
        batch_op.create_index(batch_op.f("ix_movement_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_occurred_on"), ["occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_payee_id"), ["payee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_refund_of_id"), ["refund_of_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movement_region_code"), ["region_code"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_movement_payee_id_payee"), "payee", ["payee_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_movement_batch_id_movement_batch"), "movement_batch", ["batch_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_movement_budget_line_id_budget_line"), "budget_line", ["budget_line_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_movement_refund_of_id_movement"), "movement", ["refund_of_id"], ["id"]
        )

    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disbursed_in_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("disbursed_out_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("spent_fen", sa.BigInteger(), nullable=False, server_default="0"))
    # roots hold their budget in cash too (before this revision only quota was kept)
    op.execute("UPDATE node SET disbursed_in_fen = received_fen WHERE parent_id IS NULL")
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_node_quota_conserved"), "spent_fen >= 0 AND passed_on_fen + spent_fen <= received_fen"
        )
        batch_op.create_check_constraint(
            op.f("ck_node_cash_conserved"),
            "disbursed_out_fen >= 0 AND disbursed_out_fen + spent_fen <= disbursed_in_fen",
        )
        batch_op.create_check_constraint(
            op.f("ck_node_cash_within_quota"), "disbursed_in_fen >= 0 AND disbursed_in_fen <= received_fen"
        )

    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_approved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("allowed_categories", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column("thresholds", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table("refused_movement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=12), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("payee_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("batch_key", sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f("ix_refused_movement_region_code"), ["region_code"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_refused_movement_payee_id_payee"), "payee", ["payee_id"], ["id"])

    # movements and refusals carry the region of the node they leave (or reach, for the budget)
    op.execute(
        "UPDATE movement SET region_code = (SELECT node.region_code FROM node "
        "WHERE node.id = COALESCE(movement.from_node_id, movement.to_node_id))"
    )
    op.execute(
        "UPDATE refused_movement SET region_code = (SELECT node.region_code FROM node "
        "WHERE node.id = COALESCE(refused_movement.from_node_id, refused_movement.to_node_id))"
    )


def downgrade() -> None:
    with op.batch_alter_table("refused_movement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_refused_movement_payee_id_payee"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_refused_movement_region_code"))
        batch_op.drop_column("batch_key")
        batch_op.drop_column("payee_id")
        batch_op.drop_column("region_code")

    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("thresholds")
        batch_op.drop_column("budget_approved_on")
        batch_op.drop_column("allowed_categories")

    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_node_cash_within_quota"), type_="check")
        batch_op.drop_constraint(op.f("ck_node_cash_conserved"), type_="check")
        batch_op.drop_constraint(op.f("ck_node_quota_conserved"), type_="check")
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_column("spent_fen")
        batch_op.drop_column("disbursed_out_fen")
        batch_op.drop_column("disbursed_in_fen")

    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_movement_refund_within_amount"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_movement_refund_of_id_movement"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_movement_budget_line_id_budget_line"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_movement_batch_id_movement_batch"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_movement_payee_id_payee"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_movement_region_code"))
        batch_op.drop_index(batch_op.f("ix_movement_refund_of_id"))
        batch_op.drop_index(batch_op.f("ix_movement_payee_id"))
        batch_op.drop_index(batch_op.f("ix_movement_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_movement_batch_id"))
        batch_op.drop_column("batch_id")
        batch_op.drop_column("refunded_fen")
        batch_op.drop_column("refund_of_id")
        batch_op.drop_column("final")
        batch_op.drop_column("budget_line_id")
        batch_op.drop_column("category")
        batch_op.drop_column("payee_id")
        batch_op.drop_column("region_code")

    with op.batch_alter_table("audit_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_finding_rectify_by"))
        batch_op.drop_index(batch_op.f("ix_audit_finding_audit_id"))

    op.drop_table("audit_finding")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_programme_id"))

    op.drop_table("budget_line")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_region_code"))
        batch_op.drop_index(batch_op.f("ix_audit_programme_id"))

    op.drop_table("audit")
    with op.batch_alter_table("acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acceptance_subject_id"))
        batch_op.drop_index(batch_op.f("ix_acceptance_region_code"))
        batch_op.drop_index(batch_op.f("ix_acceptance_programme_id"))

    op.drop_table("acceptance")
    with op.batch_alter_table("watch_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watch_entry_watch_list"))
        batch_op.drop_index(batch_op.f("ix_watch_entry_uscc"))
        batch_op.drop_index(batch_op.f("ix_watch_entry_region_code"))
        batch_op.drop_index(batch_op.f("ix_watch_entry_id_hash"))

    op.drop_table("watch_entry")
    with op.batch_alter_table("payee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payee_uscc"))
        batch_op.drop_index(batch_op.f("ix_payee_id_hash"))

    op.drop_table("payee")
    op.drop_table("movement_batch")
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_subject_id"))
        batch_op.drop_index(batch_op.f("ix_hold_dedupe_key"))

    op.drop_table("hold")
    with op.batch_alter_table("funds_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funds_warning_subject_id"))
        batch_op.drop_index(batch_op.f("ix_funds_warning_status"))
        batch_op.drop_index(batch_op.f("ix_funds_warning_rule_id"))
        batch_op.drop_index(batch_op.f("ix_funds_warning_region_code"))
        batch_op.drop_index(batch_op.f("ix_funds_warning_programme_id"))
        batch_op.drop_index(batch_op.f("ix_funds_warning_last_raised_at"))

    op.drop_table("funds_warning")
