"""registers, tender lifecycle, draws, findings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 15:15:09.142891
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
        "debarment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debarment")),
    )
    with op.batch_alter_table("debarment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_debarment_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_debarment_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "enterprise",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("phone_cipher", sa.String(length=600), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("address_cipher", sa.String(length=1200), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("uscc", name=op.f("uq_enterprise_uscc")),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_address_hash"), ["address_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_phone_hash"), ["phone_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_region_code"), ["region_code"], unique=False)

    op.create_table(
        "finding",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("subject_kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_raised_at", UTCDateTime(), nullable=False),
        sa.Column("last_raised_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_finding_dedupe_key")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_first_raised_at"), ["first_raised_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_finding_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_uscc", sa.String(length=18), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("estimate_fen", sa.BigInteger(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("funding_source", sa.String(length=30), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("code", name=op.f("uq_project_code")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_owner_uscc"), ["owner_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_region_code"), ["region_code"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("name_cipher", sa.String(length=600), nullable=False),
        sa.Column("name_masked", sa.String(length=200), nullable=False),
        sa.Column("phone_cipher", sa.String(length=600), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_tail", sa.String(length=4), nullable=True),
        sa.Column("address_cipher", sa.String(length=1200), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("specialties", sa.JSON(), nullable=False),
        sa.Column("employer_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["enterprise.id"], name=op.f("fk_person_employer_id_enterprise")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_person_id_hash")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_address_hash"), ["address_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_phone_hash"), ["phone_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_region_code"), ["region_code"], unique=False)

    op.create_table(
        "qualification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("certificate_no", sa.String(length=80), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_qualification_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
    )
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qualification_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "tender",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("procedure", sa.String(length=30), nullable=False),
        sa.Column("estimate_fen", sa.BigInteger(), nullable=False),
        sa.Column("ceiling_fen", sa.BigInteger(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("required_qualification", sa.String(length=80), nullable=True),
        sa.Column("required_grade", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("owner_uscc", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("ceiling_fen IS NULL OR ceiling_fen > 0", name=op.f("ck_tender_positive_ceiling")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_tender_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender")),
        sa.UniqueConstraint("code", name=op.f("uq_tender_code")),
    )
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_owner_uscc"), ["owner_uscc"], unique=False)
        batch_op.create_index(batch_op.f("ix_tender_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tender_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_tender_status"), ["status"], unique=False)

    op.create_table(
        "draw",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("specialty", sa.String(length=80), nullable=False),
        sa.Column("pool_region", sa.String(length=12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed_sha256", sa.String(length=64), nullable=False),
        sa.Column("seed_cipher", sa.String(length=600), nullable=False),
        sa.Column("seed_hex", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("committed_at", UTCDateTime(), nullable=False),
        sa.Column("drawn_at", UTCDateTime(), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("exclusions", sa.JSON(), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_draw_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw")),
    )
    with op.batch_alter_table("draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draw_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_draw_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "enterprise_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_enterprise_link_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_enterprise_link_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_link")),
        sa.UniqueConstraint(
            "enterprise_id", "person_id", "role", name=op.f("uq_enterprise_link_enterprise_id_person_id_role")
        ),
    )
    with op.batch_alter_table("enterprise_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_link_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_link_person_id"), ["person_id"], unique=False)

    op.create_table(
        "lot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("estimate_fen", sa.BigInteger(), nullable=False),
        sa.Column("ceiling_fen", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_lot_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_lot_tender_id_number")),
    )
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "refused_bid",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_refused_bid_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_refused_bid_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refused_bid")),
    )
    with op.batch_alter_table("refused_bid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refused_bid_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_refused_bid_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "registration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("registered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_registration_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_registration_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint("tender_id", "enterprise_id", name=op.f("uq_registration_tender_id_enterprise_id")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registration_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "bid",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("project_manager_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("disqualification", sa.String(length=300), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("price_fen > 0", name=op.f("ck_bid_positive_price")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], name=op.f("fk_bid_enterprise_id_enterprise")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_bid_lot_id_lot")),
        sa.ForeignKeyConstraint(["project_manager_id"], ["person.id"], name=op.f("fk_bid_project_manager_id_person")),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_bid_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid")),
        sa.UniqueConstraint("lot_id", "enterprise_id", name=op.f("uq_bid_lot_id_enterprise_id")),
    )
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bid_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_file_sha256"), ["file_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_ip_hash"), ["ip_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_bid_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "evaluation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("benchmark_fen", sa.BigInteger(), nullable=True),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("outliers", sa.JSON(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_evaluation_lot_id_lot")),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_evaluation_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint("lot_id", name=op.f("uq_evaluation_lot_id")),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "replacement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("draw_id", sa.Uuid(), nullable=False),
        sa.Column("replaced_id", sa.Uuid(), nullable=False),
        sa.Column("replacement_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["draw.id"], name=op.f("fk_replacement_draw_id_draw")),
        sa.ForeignKeyConstraint(["replaced_id"], ["person.id"], name=op.f("fk_replacement_replaced_id_person")),
        sa.ForeignKeyConstraint(["replacement_id"], ["person.id"], name=op.f("fk_replacement_replacement_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replacement")),
    )
    with op.batch_alter_table("replacement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replacement_draw_id"), ["draw_id"], unique=False)

    op.create_table(
        "award",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_award_bid_id_bid")),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], name=op.f("fk_award_enterprise_id_enterprise")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_award_lot_id_lot")),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_award_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award")),
        sa.UniqueConstraint("lot_id", name=op.f("uq_award_lot_id")),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_award_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "expert_score",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["bid.id"], name=op.f("fk_expert_score_bid_id_bid")),
        sa.ForeignKeyConstraint(
            ["evaluation_id"], ["evaluation.id"], name=op.f("fk_expert_score_evaluation_id_evaluation")
        ),
        sa.ForeignKeyConstraint(["expert_id"], ["person.id"], name=op.f("fk_expert_score_expert_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_score")),
        sa.UniqueConstraint(
            "evaluation_id", "expert_id", "bid_id", name=op.f("uq_expert_score_evaluation_id_expert_id_bid_id")
        ),
    )
    with op.batch_alter_table("expert_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_score_evaluation_id"), ["evaluation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expert_score_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("award_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("approved_changes_fen", sa.BigInteger(), nullable=False),
        sa.Column("settled_fen", sa.BigInteger(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"], name=op.f("fk_contract_award_id_award")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_contract_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"], name=op.f("fk_contract_tender_id_tender")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("award_id", name=op.f("uq_contract_award_id")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contract_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_contract_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "change_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("ordered_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_change_order_contract_id_contract")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_order")),
    )
    with op.batch_alter_table("change_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_order_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_order_region_code"), ["region_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("change_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_order_region_code"))
        batch_op.drop_index(batch_op.f("ix_change_order_contract_id"))

    op.drop_table("change_order")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_tender_id"))
        batch_op.drop_index(batch_op.f("ix_contract_region_code"))
        batch_op.drop_index(batch_op.f("ix_contract_enterprise_id"))

    op.drop_table("contract")
    with op.batch_alter_table("expert_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_score_expert_id"))
        batch_op.drop_index(batch_op.f("ix_expert_score_evaluation_id"))

    op.drop_table("expert_score")
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_award_tender_id"))
        batch_op.drop_index(batch_op.f("ix_award_region_code"))
        batch_op.drop_index(batch_op.f("ix_award_enterprise_id"))

    op.drop_table("award")
    with op.batch_alter_table("replacement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replacement_draw_id"))

    op.drop_table("replacement")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_tender_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_region_code"))

    op.drop_table("evaluation")
    with op.batch_alter_table("bid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bid_tender_id"))
        batch_op.drop_index(batch_op.f("ix_bid_region_code"))
        batch_op.drop_index(batch_op.f("ix_bid_lot_id"))
        batch_op.drop_index(batch_op.f("ix_bid_ip_hash"))
        batch_op.drop_index(batch_op.f("ix_bid_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_bid_enterprise_id"))

    op.drop_table("bid")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_tender_id"))
        batch_op.drop_index(batch_op.f("ix_registration_enterprise_id"))

    op.drop_table("registration")
    with op.batch_alter_table("refused_bid", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refused_bid_tender_id"))
        batch_op.drop_index(batch_op.f("ix_refused_bid_region_code"))

    op.drop_table("refused_bid")
    with op.batch_alter_table("lot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_tender_id"))

    op.drop_table("lot")
    with op.batch_alter_table("enterprise_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_link_person_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_link_enterprise_id"))

    op.drop_table("enterprise_link")
    with op.batch_alter_table("draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draw_tender_id"))
        batch_op.drop_index(batch_op.f("ix_draw_region_code"))

    op.drop_table("draw")
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_status"))
        batch_op.drop_index(batch_op.f("ix_tender_region_code"))
        batch_op.drop_index(batch_op.f("ix_tender_project_id"))
        batch_op.drop_index(batch_op.f("ix_tender_owner_uscc"))

    op.drop_table("tender")
    with op.batch_alter_table("qualification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualification_enterprise_id"))

    op.drop_table("qualification")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_region_code"))
        batch_op.drop_index(batch_op.f("ix_person_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_person_employer_id"))
        batch_op.drop_index(batch_op.f("ix_person_address_hash"))

    op.drop_table("person")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_region_code"))
        batch_op.drop_index(batch_op.f("ix_project_owner_uscc"))

    op.drop_table("project")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_tender_id"))
        batch_op.drop_index(batch_op.f("ix_finding_rule_id"))
        batch_op.drop_index(batch_op.f("ix_finding_region_code"))
        batch_op.drop_index(batch_op.f("ix_finding_first_raised_at"))

    op.drop_table("finding")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_region_code"))
        batch_op.drop_index(batch_op.f("ix_enterprise_phone_hash"))
        batch_op.drop_index(batch_op.f("ix_enterprise_address_hash"))

    op.drop_table("enterprise")
    with op.batch_alter_table("debarment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_debarment_subject_id"))
        batch_op.drop_index(batch_op.f("ix_debarment_region_code"))

    op.drop_table("debarment")
