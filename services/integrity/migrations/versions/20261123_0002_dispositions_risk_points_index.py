"""dispositions, occurrences, risk points, integrity index, unit aggregates

The register gains its history (warning_occurrence), dispositions, the risk-point catalogue
and its rule links; the index gains frameworks, subjects, scores and results; the computed
indicators read per-unit, per-month figures (unit_month).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:09:01.559856
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
        "index_framework",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_framework")),
        sa.UniqueConstraint("code", name=op.f("uq_index_framework_code")),
    )
    op.create_table(
        "index_subject",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("peer_group", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_subject")),
        sa.UniqueConstraint("kind", "code", name="uq_index_subject_kind_code"),
    )
    with op.batch_alter_table("index_subject", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_index_subject_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_index_subject_unit_uscc"), ["unit_uscc"], unique=False)

    op.create_table(
        "risk_point",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("post", sa.String(length=200), nullable=False),
        sa.Column("power", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=True),
        sa.Column("risk_level", sa.String(length=10), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_point")),
        sa.UniqueConstraint("code", name=op.f("uq_risk_point_code")),
    )
    with op.batch_alter_table("risk_point", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_point_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_point_risk_level"), ["risk_level"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_point_unit_uscc"), ["unit_uscc"], unique=False)

    op.create_table(
        "unit_month",
        sa.Column("unit_uscc", sa.String(length=18), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("warnings_blue", sa.Integer(), nullable=False),
        sa.Column("warnings_orange", sa.Integer(), nullable=False),
        sa.Column("warnings_red", sa.Integer(), nullable=False),
        sa.Column("funds_warnings", sa.Integer(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("cases_concluded", sa.Integer(), nullable=False),
        sa.Column("cases_on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_uscc", "month", name=op.f("pk_unit_month")),
    )
    with op.batch_alter_table("unit_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_month_region_code"), ["region_code"], unique=False)

    op.create_table(
        "assessment_score",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("rater", sa.String(length=20), nullable=False),
        sa.Column("indicator", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["index_framework.id"], name=op.f("fk_assessment_score_framework_id_index_framework")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["index_subject.id"], name=op.f("fk_assessment_score_subject_id_index_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_score")),
        sa.UniqueConstraint(
            "framework_id", "period", "subject_id", "rater", "indicator", name="uq_assessment_score_sheet_indicator"
        ),
    )
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_score_framework_id_period", ["framework_id", "period"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_score_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "index_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("se", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("computed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["index_framework.id"], name=op.f("fk_index_result_framework_id_index_framework")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["index_subject.id"], name=op.f("fk_index_result_subject_id_index_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_result")),
        sa.UniqueConstraint("framework_id", "period", "subject_id", name="uq_index_result_framework_period_subject"),
    )
    with op.batch_alter_table("index_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_index_result_framework_id_period_value", ["framework_id", "period", "value"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_index_result_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_index_result_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "risk_point_rule",
        sa.Column("risk_point_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_point_id"], ["risk_point.id"], name=op.f("fk_risk_point_rule_risk_point_id_risk_point")
        ),
        sa.PrimaryKeyConstraint("risk_point_id", "rule_id", name=op.f("pk_risk_point_rule")),
    )
    with op.batch_alter_table("risk_point_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_point_rule_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "disposition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("unit_uscc", sa.String(length=18), nullable=True),
        sa.Column("assignee", sa.String(length=100), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("deadline_workdays", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("freeze", sa.Boolean(), nullable=False),
        sa.Column("holding", sa.Boolean(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("responded_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("concluded_at", UTCDateTime(), nullable=True),
        sa.Column("concluded_by", sa.String(length=200), nullable=True),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["warning_id"], ["warning.id"], name=op.f("fk_disposition_warning_id_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition")),
    )
    with op.batch_alter_table("disposition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposition_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_disposition_region_code"), ["region_code"], unique=False)
        batch_op.create_index(
            "ix_disposition_status_deadline_region_code", ["status", "deadline", "region_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disposition_warning_id"), ["warning_id"], unique=False)
        batch_op.create_index(
            "uq_disposition_active_warning_id",
            ["warning_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('open', 'in_progress')"),
            sqlite_where=sa.text("status IN ('open', 'in_progress')"),
        )

    op.create_table(
        "warning_occurrence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["warning_id"], ["warning.id"], name=op.f("fk_warning_occurrence_warning_id_warning")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_occurrence")),
        sa.UniqueConstraint("event_id", name=op.f("uq_warning_occurrence_event_id")),
    )
    with op.batch_alter_table("warning_occurrence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_warning_occurrence_occurred_at_region_code",
            ["occurred_at", "region_code", "rule_id", "warning_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_warning_occurrence_warning_id"), ["warning_id"], unique=False)

    # the register's new columns; the rows already there get their source level and month (China time) first
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_level", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("first_seen_month", sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column("risk_point_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("dismissal_reason", sa.String(length=2000), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE warning SET source_level = level, "
            "first_seen_month = to_char(first_seen_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
        )
    else:
        op.execute(
            "UPDATE warning SET source_level = level, first_seen_month = strftime('%Y-%m', first_seen_at, '+8 hours')"
        )
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.alter_column("source_level", existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column("first_seen_month", existing_type=sa.String(length=7), nullable=False)
        batch_op.create_index(
            "ix_warning_region_code_first_seen_month_level", ["region_code", "first_seen_month", "level"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_warning_risk_point_id"), ["risk_point_id"], unique=False)
        batch_op.create_index("ix_warning_status_region_code_level", ["status", "region_code", "level"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_subject_id"), ["subject_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_warning_risk_point_id_risk_point"), "risk_point", ["risk_point_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_warning_risk_point_id_risk_point"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_warning_subject_id"))
        batch_op.drop_index("ix_warning_status_region_code_level")
        batch_op.drop_index(batch_op.f("ix_warning_risk_point_id"))
        batch_op.drop_index("ix_warning_region_code_first_seen_month_level")
        batch_op.drop_column("dismissal_reason")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("risk_point_id")
        batch_op.drop_column("first_seen_month")
        batch_op.drop_column("source_level")

    with op.batch_alter_table("warning_occurrence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_occurrence_warning_id"))
        batch_op.drop_index("ix_warning_occurrence_occurred_at_region_code")

    op.drop_table("warning_occurrence")
    with op.batch_alter_table("disposition", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_disposition_active_warning_id",
            postgresql_where=sa.text("status IN ('open', 'in_progress')"),
            sqlite_where=sa.text("status IN ('open', 'in_progress')"),
        )
        batch_op.drop_index(batch_op.f("ix_disposition_warning_id"))
        batch_op.drop_index("ix_disposition_status_deadline_region_code")
        batch_op.drop_index(batch_op.f("ix_disposition_region_code"))
        batch_op.drop_index(batch_op.f("ix_disposition_assignee"))

    op.drop_table("disposition")
    with op.batch_alter_table("risk_point_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_point_rule_rule_id"))

    op.drop_table("risk_point_rule")
    with op.batch_alter_table("index_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_result_subject_id"))
        batch_op.drop_index(batch_op.f("ix_index_result_region_code"))
        batch_op.drop_index("ix_index_result_framework_id_period_value")

    op.drop_table("index_result")
    with op.batch_alter_table("assessment_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_score_subject_id"))
        batch_op.drop_index("ix_assessment_score_framework_id_period")

    op.drop_table("assessment_score")
    with op.batch_alter_table("unit_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_month_region_code"))

    op.drop_table("unit_month")
    with op.batch_alter_table("risk_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_point_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_risk_point_risk_level"))
        batch_op.drop_index(batch_op.f("ix_risk_point_region_code"))

    op.drop_table("risk_point")
    with op.batch_alter_table("index_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_index_subject_unit_uscc"))
        batch_op.drop_index(batch_op.f("ix_index_subject_region_code"))

    op.drop_table("index_subject")
    op.drop_table("index_framework")
