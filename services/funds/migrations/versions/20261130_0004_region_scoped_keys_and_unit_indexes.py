"""region-scoped warning keys, units by USCC

Every dedupe key now starts with its finding's region (``130302:FUNDS-…``,
``sunlight.warnings.region_key``): funds' warnings and holds are rewritten to match, so that
integrity's dispositions find them. Nodes and programmes are indexed by the unit they name
(a writer may name only units funds knows in its regions, or new ones).

The downgrade drops the indexes and keeps the region-scoped keys (still unique; opaque to
older code).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE hold SET dedupe_key = (SELECT w.region_code || ':' || w.dedupe_key FROM funds_warning w "
        "WHERE w.dedupe_key = hold.dedupe_key) "
        "WHERE EXISTS (SELECT 1 FROM funds_warning w WHERE w.dedupe_key = hold.dedupe_key "
        "AND w.dedupe_key NOT LIKE w.region_code || ':%')"
    )
    op.execute(
        "UPDATE funds_warning SET dedupe_key = region_code || ':' || dedupe_key "
        "WHERE dedupe_key NOT LIKE region_code || ':%'"
    )
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_node_unit_uscc"), ["unit_uscc"], unique=False)
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_responsible_uscc"), ["responsible_uscc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_responsible_uscc"))
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_unit_uscc"))
