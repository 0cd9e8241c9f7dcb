"""The random draw of evaluation experts: commit, draw, replace, verify."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from tenders import draws
from tenders.deps import IdempotencyKeyDep, SessionDep, SettingsDep, TendersReader, TendersWriter
from tenders.errors import DrawState, InvalidTransition, NotAMember, PoolTooSmall
from tenders.schemas.draws import DrawIn, DrawOut, ReplacementIn, VerificationOut

router = APIRouter(prefix="/v1/tenders", tags=["expert draws"])


@router.post(
    "/tenders/{tender_id}/draws",
    status_code=201,
    operation_id="createTenderDraw",
    summary="Commit an expert draw: the seed's hash is published before anything is drawn",
    responses=problem_responses(NotFound, InvalidTransition, ForbiddenRegion),
)
async def commit_draw(
    tender_id: uuid.UUID,
    body: DrawIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> DrawOut:
    """A cryptographically random seed is made and kept; ``seed_sha256`` is its commitment. The pool is the experts
    registered before this moment."""
    return await draws.commit_draw(session, settings, who, tender_id, body, key=key)


@router.get(
    "/tenders/{tender_id}/draws",
    operation_id="listTenderDraws",
    summary="The expert draws of a tender",
    responses=problem_responses(NotFound),
)
async def list_draws(tender_id: uuid.UUID, session: SessionDep, who: TendersReader) -> Page[DrawOut]:
    """Oldest first (a tender has few draws: one page)."""
    return await draws.list_draws(session, who, tender_id)


@router.get("/draws/{draw_id}", operation_id="getTenderDraw", summary="One draw", responses=problem_responses(NotFound))
async def get_draw(draw_id: uuid.UUID, session: SessionDep, who: TendersReader) -> DrawOut:
    """Its commitment, and once drawn the seed, candidates, exclusions, order, committee and replacements."""
    return await draws.read_draw(session, who, draw_id)


@router.post(
    "/draws/{draw_id}/execution",
    operation_id="executeTenderDraw",
    summary="Make the draw and publish its seed",
    responses=problem_responses(NotFound, DrawState, PoolTooSmall, InvalidTransition),
)
async def execute_draw(
    draw_id: uuid.UUID, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> DrawOut:
    """The eligible experts (specialty, pool region, no conflict) shuffled by the committed seed; the first
    ``count`` sit on the committee, the rest are the reserve in order."""
    return await draws.execute_draw(session, settings, who, draw_id, key=key)


@router.post(
    "/draws/{draw_id}/replacements",
    status_code=201,
    operation_id="createTenderDrawReplacement",
    summary="Replace a drawn expert by the next in the drawn order",
    responses=problem_responses(NotFound, DrawState, NotAMember, PoolTooSmall),
)
async def replace(
    draw_id: uuid.UUID, body: ReplacementIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> DrawOut:
    """The reason is recorded; the replacement is the next unused expert of the reserve (verifiable)."""
    return await draws.replace_member(session, who, draw_id, body, key=key)


@router.get(
    "/draws/{draw_id}/verification",
    operation_id="verifyTenderDraw",
    summary="Replay the draw from its published seed and check it",
    responses=problem_responses(NotFound, DrawState),
)
async def verify(draw_id: uuid.UUID, session: SessionDep, who: TendersReader) -> VerificationOut:
    """SHA-256 of the seed equals the commitment; the seed replays the recorded order; every replacement took the
    next expert in order. ``algorithm`` on the draw says how to replay it by hand."""
    return await draws.verify(session, who, draw_id)
