"""the register and the unit figures per region

A register entry is keyed on (region_code, dedupe_key): two regions' findings of one rule and
subject never share an entry. Existing keys gain their region prefix (``130302:FUNDS-…``, as
``sunlight.warnings.region_key`` writes them now). ``unit_month`` keeps one row per region a
unit's figures were reported in (it kept the latest event's region and summed every region).

The downgrade merges the per-region rows back into one per unit and month (the latest region
code wins, as before) and keeps the region-scoped keys (still unique; opaque to older code).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status IN ('open', 'in_disposition')")


def upgrade() -> None:
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_index("uq_warning_active_dedupe_key", postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    op.execute(
        "UPDATE warning SET dedupe_key = region_code || ':' || dedupe_key WHERE dedupe_key NOT LIKE region_code || ':%'"
    )
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.create_index(
            "uq_warning_active_region_code_dedupe_key",
            ["region_code", "dedupe_key"],
            unique=True,
            postgresql_where=ACTIVE,
            sqlite_where=ACTIVE,
        )
    with op.batch_alter_table("unit_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_month_region_code"))
        batch_op.drop_constraint("pk_unit_month", type_="primary")
        batch_op.create_primary_key("pk_unit_month", ["unit_uscc", "month", "region_code"])


def downgrade() -> None:
    op.create_table(
        "unit_month_merged",
        sa.Column("unit_uscc", sa.String(length=18), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "warnings_blue",
                "warnings_orange",
                "warnings_red",
                "funds_warnings",
                "complaints",
                "cases_concluded",
                "cases_on_time",
            )
        ),
    )
    op.execute(
        "INSERT INTO unit_month_merged (unit_uscc, month, region_code, warnings_blue, warnings_orange, "
        "warnings_red, funds_warnings, complaints, cases_concluded, cases_on_time) "
        "SELECT unit_uscc, month, MAX(region_code), SUM(warnings_blue), SUM(warnings_orange), SUM(warnings_red), "
        "SUM(funds_warnings), SUM(complaints), SUM(cases_concluded), SUM(cases_on_time) "
        "FROM unit_month GROUP BY unit_uscc, month"
    )
    op.execute("DELETE FROM unit_month")
    op.execute("INSERT INTO unit_month SELECT * FROM unit_month_merged")
    op.drop_table("unit_month_merged")
    with op.batch_alter_table("unit_month", schema=None) as batch_op:
        batch_op.drop_constraint("pk_unit_month", type_="primary")
        batch_op.create_primary_key("pk_unit_month", ["unit_uscc", "month"])
        batch_op.create_index(batch_op.f("ix_unit_month_region_code"), ["region_code"], unique=False)
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_index("uq_warning_active_region_code_dedupe_key", postgresql_where=ACTIVE, sqlite_where=ACTIVE)
        batch_op.create_index(
            "uq_warning_active_dedupe_key", ["dedupe_key"], unique=True, postgresql_where=ACTIVE, sqlite_where=ACTIVE
        )
