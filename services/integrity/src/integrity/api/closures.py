"""Closing a period of the integrity index in a region (结果发布): its results stay as published."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page, page_sorted

from integrity import results
from integrity.deps import IdempotencyKeyDep, IntegrityAdmin, IntegrityReader, NowDep, PageDep, SessionDep, SettingsDep
from integrity.errors import PeriodClosed
from integrity.schemas.assessments import ClosureIn, ClosureOut

router = APIRouter(prefix="/v1/integrity/frameworks", tags=["integrity index"])


@router.post(
    "/{code}/closures",
    operation_id="closeIntegrityPeriod",
    status_code=201,
    summary="Close a period in a region: compute it a last time and publish its results",
    responses=problem_responses(NotFound, PeriodClosed),
)
async def close_period(
    code: str,
    body: ClosureIn,
    session: SessionDep,
    who: IntegrityAdmin,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
    now: NowDep,
) -> ClosureOut:
    """After it, sheets of the period are refused there (``period-closed``) and computations leave its
    results alone, whatever is edited (the framework included). The bodies' leniency measured on the
    period's scores is frozen with it: the baseline of later periods when a framework corrects leniency."""
    return await results.close_period(session, who, code, body, settings=settings, now=now, key=key)


@router.get(
    "/{code}/closures",
    operation_id="listIntegrityClosures",
    summary="The framework's closed periods in the caller's regions",
)
async def list_closures(code: str, session: SessionDep, who: IntegrityReader, page: PageDep) -> Page[ClosureOut]:
    """Oldest first, paged on ``(closed_at, id)`` (a closure is never edited: pages never skip or repeat)."""
    closures = await results.list_closures(session, who, code)
    return page_sorted(closures, page, lambda c: (c.closed_at, c.id), lambda c: c, (datetime, uuid.UUID))
