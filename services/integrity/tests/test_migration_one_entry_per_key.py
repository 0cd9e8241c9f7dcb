"""Migration 0006: entries the old register made twice for one key (after a conclusion) become one."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from integrity.app import MIGRATIONS
from sqlalchemy.ext.asyncio import create_async_engine
from sunlight.db import UTCDateTime
from sunlight.migrations import upgrade
from sunlight.testing import Backend

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
KEY = "130302:FUNDS-OVERSPEND:funds:node:n-1"

warning = sa.table(
    "warning",
    *(sa.column(c, sa.String()) for c in ("rule_id", "level", "source_level", "title", "service", "subject_kind")),
    *(sa.column(c, sa.String()) for c in ("subject_id", "region_code", "dedupe_key", "status", "first_event_id")),
    *(sa.column(c, sa.String()) for c in ("last_event_id", "first_seen_month")),
    sa.column("id", sa.Uuid()),
    sa.column("evidence", sa.JSON()),
    sa.column("occurrences", sa.Integer()),
    *(sa.column(c, UTCDateTime()) for c in ("first_seen_at", "last_seen_at", "registered_at", "closed_at")),
)
occurrence = sa.table(
    "warning_occurrence",
    *(sa.column(c, sa.String()) for c in ("event_id", "rule_id", "level", "region_code")),
    sa.column("id", sa.Uuid()),
    sa.column("warning_id", sa.Uuid()),
    sa.column("evidence", sa.JSON()),
    sa.column("occurred_at", UTCDateTime()),
    sa.column("received_at", UTCDateTime()),
)
disposition = sa.table(
    "disposition",
    *(sa.column(c, sa.String()) for c in ("kind", "status", "rule_id", "region_code", "assignee", "opened_by")),
    sa.column("id", sa.Uuid()),
    sa.column("warning_id", sa.Uuid()),
    sa.column("deadline_workdays", sa.Integer()),
    sa.column("deadline", sa.Date()),
    sa.column("freeze", sa.Boolean()),
    sa.column("holding", sa.Boolean()),
    sa.column("escalations", sa.Integer()),
    sa.column("opened_at", UTCDateTime()),
)


def _entry(ident: uuid.UUID, event: str, *, status: str, at: datetime, closed: datetime | None) -> dict[str, object]:
    return {"id": ident, "rule_id": "FUNDS-OVERSPEND", "level": "red", "source_level": "red", "title": "Overspend",
            "service": "funds", "subject_kind": "node", "subject_id": "n-1", "region_code": "130302",
            "dedupe_key": KEY, "status": status, "first_event_id": event, "last_event_id": event,
            "first_seen_month": at.strftime("%Y-%m"), "evidence": {"event": event}, "occurrences": 2,
            "first_seen_at": at, "last_seen_at": at, "registered_at": at, "closed_at": closed}  # fmt: skip


async def test_two_entries_of_one_key_are_merged_into_the_active_one(backend: Backend):
    url = await backend.empty_database("integrity")
    await asyncio.to_thread(upgrade, MIGRATIONS, url, "0005")
    old, new = uuid.uuid4(), uuid.uuid4()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(warning), [
                _entry(old, "e-1", status="closed", at=T0, closed=T0 + timedelta(days=1)),
                _entry(new, "e-3", status="open", at=T0 + timedelta(days=2), closed=None),
            ])  # fmt: skip
            await conn.execute(sa.insert(occurrence), [
                {"id": uuid.uuid4(), "warning_id": w, "event_id": e, "rule_id": "FUNDS-OVERSPEND", "level": "red",
                 "region_code": "130302", "evidence": {}, "occurred_at": T0, "received_at": T0}
                for w, e in ((old, "e-1"), (old, "e-2"), (new, "e-3"), (new, "e-4"))
            ])  # fmt: skip
            await conn.execute(sa.insert(disposition).values(
                id=uuid.uuid4(), warning_id=old, kind="reminder_talk", status="concluded", rule_id="FUNDS-OVERSPEND",
                region_code="130302", assignee="a", opened_by="x", deadline_workdays=5, deadline=date(2026, 3, 9),
                freeze=False, holding=False, escalations=0, opened_at=T0))  # fmt: skip
        await asyncio.to_thread(upgrade, MIGRATIONS, url)
        async with engine.connect() as conn:
            rows = await conn.execute(sa.text("SELECT id, status, occurrences, first_event_id, episodes FROM warning"))
            [(ident, status, occurrences, first_event, episodes)] = rows.all()
            assert uuid.UUID(str(ident)) == new and status == "open" and occurrences == 4 and episodes == 1
            assert first_event == "e-1", "the earliest sighting is the entry's first"
            owners = (await conn.execute(sa.text("SELECT DISTINCT warning_id FROM warning_occurrence"))).all()
            assert [uuid.UUID(str(w)) for (w,) in owners] == [new]
            effects = dict((await conn.execute(sa.text("SELECT event_id, effect FROM warning_occurrence"))).all())
            assert effects == {"e-1": "registered", "e-2": "repeated", "e-3": "repeated", "e-4": "repeated"}
            [(owner,)] = (await conn.execute(sa.text("SELECT warning_id FROM disposition"))).all()
            assert uuid.UUID(str(owner)) == new, "the concluded disposition stays in the entry's history"
    finally:
        await engine.dispose()
