"""Watch-list changes (名单变更): delisting an entry, and the record of every listing and delisting.

Loading entries stays in ``service.load_watch_list`` (it records a ``listed`` change per entry);
an entry is never deleted — it is delisted from a date, with a reason, so a payment screened while it
applied keeps its evidence. Region-scoped like the entries: an administrator changes the entries of its
regions only and reads the changes of its regions only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.errors import Conflict, InvalidInput
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from funds.models import WatchChange, WatchEntry
from funds.repository import supervision as supervision_repo
from funds.schemas.watchlist import DelistIn, WatchChangeOut, WatchEntryOut


class AlreadyDelisted(Conflict):
    slug, title = "already-delisted", "The entry was delisted already"


class DelistedBeforeListed(InvalidInput):
    slug, title = "delisted-before-listed", "An entry is delisted on or after the day it was listed"


def listed(entries: Sequence[WatchEntry], who: Principal) -> list[WatchChange]:
    return [
        WatchChange(
            entry_id=e.id,
            action="listed",
            watch_list=e.watch_list,
            region_code=e.region_code,
            effective_on=e.listed_on,
            reason=e.reason,
            changed_by=who.subject,
        )
        for e in entries
    ]


async def delist(
    session: AsyncSession, who: Principal, entry_id: uuid.UUID, body: DelistIn, *, key: IdempotencyKey | None = None
) -> WatchEntryOut:
    entry = who.visible(await supervision_repo.watch_entry(session, entry_id), "watch-list entry")
    who.ensure_can_write(entry.region_code)
    await idempotency.begin(session, who, key)
    entry = await supervision_repo.watch_entry(session, entry_id, for_update=True)
    assert entry is not None
    if entry.delisted_on is not None:
        raise AlreadyDelisted(f"delisted on {entry.delisted_on.isoformat()}")
    if body.delisted_on < entry.listed_on:
        raise DelistedBeforeListed(f"listed on {entry.listed_on.isoformat()}", field="delisted_on")
    entry.delisted_on = body.delisted_on
    session.add(
        WatchChange(
            entry_id=entry.id,
            action="delisted",
            watch_list=entry.watch_list,
            region_code=entry.region_code,
            effective_on=body.delisted_on,
            reason=body.reason,
            changed_by=who.subject,
        )
    )
    out = WatchEntryOut.model_validate(entry)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def changes(session: AsyncSession, who: Principal, page: PageParams) -> Page[WatchChangeOut]:
    rows = await supervision_repo.watch_changes(session, who.region_prefixes, page)
    return make_page(rows, page, lambda r: [r.recorded_at.isoformat(), str(r.id)], WatchChangeOut.model_validate)
