"""one register entry per key for its whole life; occurrences in one row per event; episodes; changed_at

A register entry is unique on (region_code, dedupe_key) whatever its status (it was unique among
the active ones only, so a raise after a dismissal or a conclusion made a second entry). Entries
that share a key are merged: the active one (else the latest seen) keeps its id and takes the
others' occurrences, dispositions and counts, and their earliest first sighting.

``warning.episodes`` counts distinct episodes (1 for every existing entry), ``warning.changed_at``
is the time of the entry's latest change (from its latest sighting or closing). An occurrence
row stands for ``count`` findings of one event, says what it did (``effect``; the first of an
entry ``registered``, the rest ``repeated``) and which episode it belongs to; a complaint that
raised a warning is a row with ``report_id``. An event is unique per warning (a complaint's event
may raise several warnings), a report too.

The downgrade drops the complaint rows and the new columns and restores the partial index; merged
entries stay merged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = sa.text("status IN ('open', 'in_disposition')")

warning = sa.table(
    "warning",
    sa.column("id", sa.Uuid()),
    sa.column("region_code", sa.String()),
    sa.column("dedupe_key", sa.String()),
    sa.column("status", sa.String()),
    sa.column("occurrences", sa.Integer()),
    sa.column("first_event_id", sa.String()),
    sa.column("first_seen_at", UTCDateTime()),
    sa.column("first_seen_month", sa.String()),
    sa.column("last_seen_at", UTCDateTime()),
    sa.column("closed_at", UTCDateTime()),
    sa.column("changed_at", UTCDateTime()),
)
occurrence = sa.table(
    "warning_occurrence", sa.column("warning_id", sa.Uuid()), sa.column("event_id", sa.String()), sa.column("effect")
)
disposition = sa.table("disposition", sa.column("warning_id", sa.Uuid()))


def _merge_duplicates() -> None:
    bind = op.get_bind()
    keys = bind.execute(
        sa.select(warning.c.region_code, warning.c.dedupe_key)
        .group_by(warning.c.region_code, warning.c.dedupe_key)
        .having(sa.func.count() > 1)
    ).all()
    for region_code, dedupe_key in keys:
        rows = bind.execute(
            sa.select(warning).where(warning.c.region_code == region_code, warning.c.dedupe_key == dedupe_key)
        ).all()
        keep = max(rows, key=lambda r: (r.status in ("open", "in_disposition"), r.last_seen_at, str(r.id)))
        first = min(rows, key=lambda r: r.first_seen_at)
        others = [r.id for r in rows if r.id != keep.id]
        bind.execute(sa.update(occurrence).where(occurrence.c.warning_id.in_(others)).values(warning_id=keep.id))
        bind.execute(sa.update(disposition).where(disposition.c.warning_id.in_(others)).values(warning_id=keep.id))
        bind.execute(sa.delete(warning).where(warning.c.id.in_(others)))
        bind.execute(
            sa.update(warning)
            .where(warning.c.id == keep.id)
            .values(
                occurrences=sum(r.occurrences for r in rows),
                first_event_id=first.first_event_id,
                first_seen_at=first.first_seen_at,
                first_seen_month=first.first_seen_month,
                last_seen_at=max(r.last_seen_at for r in rows),
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.add_column(sa.Column("episodes", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("changed_at", UTCDateTime(), nullable=True))
        batch_op.drop_index("uq_warning_active_region_code_dedupe_key", postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    _merge_duplicates()
    op.execute(
        "UPDATE warning SET changed_at = CASE WHEN closed_at IS NOT NULL AND closed_at > last_seen_at "
        "THEN closed_at ELSE last_seen_at END"
    )
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.alter_column("changed_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.alter_column("episodes", existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint("uq_warning_region_code_dedupe_key", ["region_code", "dedupe_key"])
        batch_op.create_index("ix_warning_first_seen_at_id", ["first_seen_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_warning_changed_at"), ["changed_at"], unique=False)

    with op.batch_alter_table("warning_occurrence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effect", sa.String(length=20), nullable=False, server_default="repeated"))
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("episode", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("report_id", sa.String(length=100), nullable=True))
        batch_op.drop_constraint("uq_warning_occurrence_event_id", type_="unique")
    op.execute(
        "UPDATE warning_occurrence SET effect = 'registered' WHERE event_id IN "
        "(SELECT first_event_id FROM warning WHERE warning.id = warning_occurrence.warning_id)"
    )
    with op.batch_alter_table("warning_occurrence", schema=None) as batch_op:
        batch_op.alter_column("effect", existing_type=sa.String(length=20), server_default=None)
        batch_op.alter_column("count", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("episode", existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint("uq_warning_occurrence_warning_id_event_id", ["warning_id", "event_id"])
        batch_op.create_unique_constraint("uq_warning_occurrence_warning_id_report_id", ["warning_id", "report_id"])


def downgrade() -> None:
    op.execute("DELETE FROM warning_occurrence WHERE report_id IS NOT NULL")
    with op.batch_alter_table("warning_occurrence", schema=None) as batch_op:
        batch_op.drop_constraint("uq_warning_occurrence_warning_id_report_id", type_="unique")
        batch_op.drop_constraint("uq_warning_occurrence_warning_id_event_id", type_="unique")
        batch_op.drop_column("report_id")
        batch_op.drop_column("episode")
        batch_op.drop_column("count")
        batch_op.drop_column("effect")
        batch_op.create_unique_constraint("uq_warning_occurrence_event_id", ["event_id"])
    with op.batch_alter_table("warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_changed_at"))
        batch_op.drop_index("ix_warning_first_seen_at_id")
        batch_op.drop_constraint("uq_warning_region_code_dedupe_key", type_="unique")
        batch_op.drop_column("changed_at")
        batch_op.drop_column("episodes")
        batch_op.create_index(
            "uq_warning_active_region_code_dedupe_key",
            ["region_code", "dedupe_key"],
            unique=True,
            postgresql_where=ACTIVE,
            sqlite_where=ACTIVE,
        )
