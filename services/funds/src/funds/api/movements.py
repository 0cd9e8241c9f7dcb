"""The ledger of movements (资金拨付)."""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses

from funds import service
from funds.deps import FundsWriter, IdempotencyKeyDep, SessionDep
from funds.errors import NotAChild, Overspend
from funds.schemas import MovementIn, MovementOut

router = APIRouter(prefix="/v1/funds/movements", tags=["movements"])


@router.post(
    "",
    status_code=201,
    summary="Record a movement (allocate from a node to a child)",
    responses=problem_responses(Overspend, NotAChild, NotFound),
)
async def record_movement(
    body: MovementIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep
) -> MovementOut:
    """Refused with 409 ``…/overspend`` (and ``available_fen``) when the source holds too little;
    the refused attempt is recorded and raises the red warning FUNDS-OVERSPEND."""
    return await service.record_movement(session, who, body, key=key)
