"""Programme thresholds (阈值), set by the supervising side within bounds, every change kept."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from funds import supervision
from funds.deps import FundsReader, FundsSupervise, IdempotencyKeyDep, PageDep, SessionDep
from funds.errors import SelfCertification, ThresholdOutOfBounds, ThresholdsSupervised
from funds.schemas.programmes import ThresholdBoundOut, ThresholdChangeOut, ThresholdsIn

router = APIRouter(prefix="/v1/funds", tags=["programmes"])


@router.put(
    "/programmes/{programme_id}/thresholds",
    operation_id="setFundsProgrammeThresholds",
    summary="Set a programme's own rule thresholds (supervising side only; the change is kept)",
    responses=problem_responses(
        NotFound, ForbiddenRegion, SelfCertification, ThresholdsSupervised, ThresholdOutOfBounds
    ),
)
async def set_thresholds(
    programme_id: uuid.UUID, body: ThresholdsIn, session: SessionDep, who: FundsSupervise, key: IdempotencyKeyDep
) -> ThresholdChangeOut:
    """Replaces the programme's own thresholds (what is left out uses the deployment's settings), within the
    bounds of ``GET /v1/funds/threshold-bounds`` (no value may silence a rule), with a reason. Scope
    ``funds:supervise``, the programme's region within the token's, and the token's unit neither the
    programme's responsible unit nor one holding its money (403 ``…/self-certification``). Answers the
    change just recorded (the history is ``GET …/threshold-changes``)."""
    return await supervision.set_thresholds(session, who, programme_id, body, key=key)


@router.get(
    "/programmes/{programme_id}/threshold-changes",
    operation_id="listFundsThresholdChanges",
    summary="Who set the programme's thresholds, when, from what to what, and why",
    responses=problem_responses(NotFound),
)
async def threshold_changes(
    programme_id: uuid.UUID, session: SessionDep, who: FundsReader, page: PageDep
) -> Page[ThresholdChangeOut]:
    """Oldest first, paged on ``(recorded_at, id)`` (a change is never edited: pages never skip or repeat)."""
    return await supervision.threshold_changes(session, who, programme_id, page)


@router.get(
    "/threshold-bounds",
    operation_id="listFundsThresholdBounds",
    summary="The bounds of every programme threshold, with their sources",
)
async def threshold_bounds(who: FundsReader) -> Page[ThresholdBoundOut]:
    """Every bound in one page (a fixed list; ``next_cursor`` is always null)."""
    return Page[ThresholdBoundOut](items=supervision.threshold_bounds())
