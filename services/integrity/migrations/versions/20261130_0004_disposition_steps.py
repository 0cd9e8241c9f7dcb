"""disposition steps: the history of each disposition, backfilled

Every change of a disposition (opened, each response, each overdue escalation, the conclusion)
becomes a row of ``disposition_step``: who, when, what. The existing dispositions get their
steps from their own columns: opened; the (latest) response, the only one kept until now; one
step for the overdue escalations made, dated the first overdue day (midnight, China time), as
the job did not record when it ran; the conclusion. Backfilled steps say so
(``details.backfilled``). Texts are copied as they are stored (encrypted: a step's text shares
the encryption context of the disposition column it came from, so no key is needed here).

Downgrade drops the history; the dispositions keep their latest response and conclusion.

Revision ID: 0004
Revises: 0003_index
Create Date: 2026-11-30 12:01:41.976764
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op
from sunlight.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHINA = timezone(timedelta(hours=8))  # no daylight saving
JOB = "job:escalate-overdue"
BATCH = 1000

disposition = sa.table(
    "disposition",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("status", sa.String()),
    sa.column("assignee", sa.String()),
    sa.column("instructions", sa.Text()),
    sa.column("deadline_workdays", sa.Integer()),
    sa.column("deadline", sa.Date()),
    sa.column("freeze", sa.Boolean()),
    sa.column("holding", sa.Boolean()),
    sa.column("opened_at", UTCDateTime()),
    sa.column("opened_by", sa.String()),
    sa.column("response", sa.Text()),
    sa.column("responded_at", UTCDateTime()),
    sa.column("responded_by", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("conclusion", sa.Text()),
    sa.column("concluded_at", UTCDateTime()),
    sa.column("concluded_by", sa.String()),
    sa.column("overdue_since", sa.Date()),
    sa.column("escalations", sa.Integer()),
)


def upgrade() -> None:
    step = op.create_table(
        "disposition_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("disposition_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disposition_id"], ["disposition.id"], name=op.f("fk_disposition_step_disposition_id_disposition")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition_step")),
        sa.UniqueConstraint("disposition_id", "seq", name="uq_disposition_step_disposition_id_seq"),
    )
    assert step is not None
    rows: list[dict[str, Any]] = []
    for found in op.get_bind().execute(sa.select(disposition).order_by(disposition.c.opened_at)).mappings():
        rows.extend(_steps(found))
        if len(rows) >= BATCH:
            op.bulk_insert(step, rows)
            rows = []
    if rows:
        op.bulk_insert(step, rows)


def _steps(d: Any) -> list[dict[str, Any]]:
    """The steps one disposition's columns still tell, in order."""
    middle: list[tuple[datetime, dict[str, Any]]] = []
    if d["responded_at"] is not None:
        middle.append(
            (
                d["responded_at"],
                {
                    "kind": "response",
                    "status": "in_progress",
                    "by": d["responded_by"] or "unknown",
                    "at": d["responded_at"],
                    "text": d["response"],
                    "details": {"backfilled": True},
                },
            )
        )
    if d["escalations"] and d["overdue_since"] is not None:
        at = max(datetime.combine(d["overdue_since"], time(), CHINA).astimezone(UTC), d["opened_at"])
        answered = d["responded_at"] is not None and d["responded_at"] <= at
        details = {
            "escalations": d["escalations"],
            "overdue_since": d["overdue_since"].isoformat(),
            "deadline": d["deadline"].isoformat(),
            "backfilled": True,
        }
        middle.append(
            (
                at,
                {
                    "kind": "escalated_overdue",
                    "status": "in_progress" if answered else "open",
                    "by": JOB,
                    "at": at,
                    "text": None,
                    "details": details,
                },
            )
        )
    middle.sort(key=lambda pair: pair[0])
    opened = {
        "kind": "opened",
        "status": "open",
        "by": d["opened_by"],
        "at": d["opened_at"],
        "text": d["instructions"],
        "details": {
            "kind": d["kind"],
            "assignee": d["assignee"],
            "deadline": d["deadline"].isoformat(),
            "deadline_workdays": d["deadline_workdays"],
            "freeze": bool(d["freeze"]),
            "backfilled": True,
        },
    }
    steps = [opened, *(s for _, s in middle)]
    if d["concluded_at"] is not None:
        steps.append(
            {
                "kind": "concluded",
                "status": "concluded",
                "by": d["concluded_by"] or "unknown",
                "at": d["concluded_at"],
                "text": d["conclusion"],
                "details": {"outcome": d["outcome"], "holding": bool(d["holding"]), "backfilled": True},
            }
        )
    return [{"id": uuid.uuid4(), "disposition_id": d["id"], "seq": n, **s} for n, s in enumerate(steps, start=1)]


def downgrade() -> None:
    op.drop_table("disposition_step")
