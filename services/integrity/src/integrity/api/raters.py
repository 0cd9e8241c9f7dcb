"""Evaluating bodies' units (评估主体): which unit is which body for the subjects of a region."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import USCC, RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page, page_sorted

from integrity import assessments
from integrity.deps import IdempotencyKeyDep, IntegrityAdmin, IntegrityReader, NowDep, PageDep, SessionDep
from integrity.errors import RaterExists
from integrity.schemas.assessments import RaterIn, RaterOut

router = APIRouter(prefix="/v1/integrity/evaluating-bodies", tags=["integrity index"])


@router.post(
    "",
    operation_id="registerIntegrityEvaluatingBody",
    status_code=201,
    summary="Register a unit as an evaluating body for a region",
    responses=problem_responses(RaterExists),
)
async def register_rater(
    body: RaterIn, session: SessionDep, who: IntegrityAdmin, key: IdempotencyKeyDep, now: NowDep
) -> RaterOut:
    """Principals whose token names the unit (the ``unit`` claim, from the client's or user's unit) enter
    that body's sheets for the subjects of the region and below; nobody else does."""
    return await assessments.register_rater(session, who, body, now=now, key=key)


@router.get(
    "",
    operation_id="listIntegrityEvaluatingBodies",
    summary="Units registered as evaluating bodies in the caller's regions",
)
async def list_raters(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    body: Annotated[str | None, Query(max_length=20)] = None,
    unit_uscc: USCC | None = None,
) -> Page[RaterOut]:
    """Oldest registration first, paged on ``(registered_at, id)``, which never change."""
    raters = await assessments.list_raters(session, who, region_code=region_code, body=body, unit_uscc=unit_uscc)
    return page_sorted(raters, page, lambda r: (r.registered_at, r.id), lambda r: r, (datetime, uuid.UUID))


@router.delete(
    "/{rater_id}",
    operation_id="removeIntegrityEvaluatingBody",
    status_code=204,
    summary="Unregister a unit as an evaluating body",
    responses=problem_responses(NotFound),
)
async def remove_rater(rater_id: uuid.UUID, session: SessionDep, who: IntegrityAdmin) -> None:
    await assessments.remove_rater(session, who, rater_id)
