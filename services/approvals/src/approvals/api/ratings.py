"""Satisfaction ratings of cases (好差评) and the error-correction library (纠错库)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import Conflict, ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from approvals import ratings
from approvals.deps import (
    ApprovalsAdmin,
    ApprovalsReader,
    ApprovalsWriter,
    IdempotencyKeyDep,
    PageDep,
    SessionDep,
    SettingsDep,
)
from approvals.ratings import NoAppeal, RatingExists
from approvals.schemas.cases import AppealDecisionIn, AppealIn, ErrorIn, ErrorOut, RatingIn, RatingOut, RectificationIn

router = APIRouter(prefix="/v1/approvals", tags=["ratings"])


@router.post(
    "/cases/{case_id}/rating",
    status_code=201,
    operation_id="createApprovalsRating",
    summary="Rate a case (好差评, 1–5; once per case)",
    responses=problem_responses(NotFound, RatingExists),
)
async def rate_case(
    case_id: uuid.UUID, body: RatingIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> RatingOut:  # fmt: skip
    """A bad rating (1–2) gets ``rectify_by``: ``rating_rectify_days`` working days later."""
    return await ratings.rate(session, settings, who, case_id, body, key=key)


@router.get(
    "/cases/{case_id}/rating",
    operation_id="getApprovalsRating",
    summary="A case's rating",
    responses=problem_responses(NotFound),
)
async def get_rating(case_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> RatingOut:
    return await ratings.get_rating(session, who, case_id)


@router.post(
    "/cases/{case_id}/rating/rectification",
    operation_id="rectifyApprovalsRating",
    summary="Record the rectification of a bad rating",
    responses=problem_responses(NotFound, ForbiddenRegion),
)
async def rectify(
    case_id: uuid.UUID, body: RectificationIn, session: SessionDep, who: ApprovalsWriter, settings: SettingsDep
) -> RatingOut:
    """One made after ``rectify_by`` raises APPROVALS-BAD-RATING-UNRECTIFIED (with the days it was late)."""
    return await ratings.rectify(session, settings, who, case_id, body)


@router.post(
    "/cases/{case_id}/rating/appeal",
    operation_id="appealApprovalsRating",
    summary="Appeal a rating as mistaken or malicious (held while pending)",
    responses=problem_responses(NotFound, Conflict, ForbiddenRegion),
)
async def appeal(case_id: uuid.UUID, body: AppealIn, session: SessionDep, who: ApprovalsWriter) -> RatingOut:
    return await ratings.appeal(session, who, case_id, body)


@router.post(
    "/cases/{case_id}/rating/appeal/decision",
    operation_id="decideApprovalsRatingAppeal",
    summary="Decide a rating's appeal: upheld clears it, rejected leaves it to be rectified",
    responses=problem_responses(NotFound, NoAppeal, ForbiddenRegion),
)
async def decide_appeal(
    case_id: uuid.UUID, body: AppealDecisionIn, session: SessionDep, who: ApprovalsAdmin
) -> RatingOut:
    return await ratings.decide_appeal(session, who, case_id, body)


@router.post(
    "/errors",
    status_code=201,
    operation_id="createApprovalsError",
    summary="Record an error in handling a case, and its correction (纠错库)",
    responses=problem_responses(NotFound, ForbiddenRegion),
)
async def record_error(
    body: ErrorIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> ErrorOut:
    """The same error by one window ``errors_repeat_count`` times within ``errors_window_days`` raises
    APPROVALS-REPEATED-ERRORS."""
    return await ratings.record_error(session, settings, who, body, key=key)


@router.get("/errors", operation_id="listApprovalsErrors", summary="The error-correction library, newest first")
async def list_errors(
    session: SessionDep,
    who: ApprovalsReader,
    page: PageDep,
    window_code: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    error_code: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Page[ErrorOut]:
    return await ratings.list_errors(session, who, page, window_code=window_code, error_code=error_code)
