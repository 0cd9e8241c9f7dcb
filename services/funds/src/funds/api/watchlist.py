"""Watch lists (比对名单): debarred organisations, registered officials and their relatives."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from funds import service, watch
from funds.deps import FundsAdmin, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from funds.schemas.watchlist import DelistIn, WatchChangeOut, WatchEntryOut, WatchListIn, WatchListOut
from funds.watch import AlreadyDelisted, DelistedBeforeListed

router = APIRouter(prefix="/v1/funds/watchlist", tags=["watch lists"])


@router.post(
    "",
    operation_id="loadFundsWatchList",
    status_code=201,
    summary="Load watch-list entries",
    responses=problem_responses(ForbiddenRegion),
)
async def load_watch_list(
    body: WatchListIn, session: SessionDep, who: FundsAdmin, key: IdempotencyKeyDep, settings: SettingsDep
) -> WatchListOut:
    """Persons are given by resident ID and kept only as its keyed hash. Payees already paid while an
    entry applied raise FUNDS-PAYEE-INELIGIBLE at once; later payments are screened as they are recorded.
    Each entry's listing is kept (``GET /v1/funds/watchlist/changes``)."""
    return await service.load_watch_list(session, settings, who, body, key=key)


@router.get(
    "", operation_id="listFundsWatchList", summary="Watch-list entries in the caller's regions (no personal data)"
)
async def list_watch_entries(session: SessionDep, who: FundsAdmin, page: PageDep) -> Page[WatchEntryOut]:
    return await service.list_watch_entries(session, who, page)


@router.post(
    "/{entry_id}/delisting",
    operation_id="delistFundsWatchlistEntry",
    summary="Delist an entry from a day, with a reason (kept)",
    responses=problem_responses(NotFound, ForbiddenRegion, AlreadyDelisted, DelistedBeforeListed),
)
async def delist(
    entry_id: uuid.UUID, body: DelistIn, session: SessionDep, who: FundsAdmin, key: IdempotencyKeyDep
) -> WatchEntryOut:
    """From ``delisted_on`` the entry no longer applies to payments; earlier payments keep their findings. An
    entry of another region does not exist for the caller (404)."""
    return await watch.delist(session, who, entry_id, body, key=key)


@router.get(
    "/changes",
    operation_id="listFundsWatchlistChanges",
    summary="Who listed or delisted which entry, when and why, newest first",
)
async def watch_changes(session: SessionDep, who: FundsAdmin, page: PageDep) -> Page[WatchChangeOut]:
    return await watch.changes(session, who, page)
