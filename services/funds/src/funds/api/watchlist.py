"""Watch lists (比对名单): debarred organisations, registered officials and their relatives."""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, problem_responses
from sunlight.pagination import Page

from funds import service
from funds.deps import FundsAdmin, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from funds.schemas import WatchEntryOut, WatchListIn, WatchListOut

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
    entry applied raise FUNDS-PAYEE-INELIGIBLE at once; later payments are screened as they are recorded."""
    return await service.load_watch_list(session, settings, who, body, key=key)


@router.get(
    "", operation_id="listFundsWatchList", summary="Watch-list entries in the caller's regions (no personal data)"
)
async def list_watch_entries(session: SessionDep, who: FundsAdmin, page: PageDep) -> Page[WatchEntryOut]:
    return await service.list_watch_entries(session, who, page)
