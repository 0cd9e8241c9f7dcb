"""Analyses of one node (资金节点)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import InvalidInput, NotFound, problem_responses

from funds import trace
from funds.deps import FundsReader, SessionDep
from funds.schemas.trace import BenfordOut

router = APIRouter(prefix="/v1/funds/nodes", tags=["nodes"])


@router.get(
    "/{node_id}/benford",
    operation_id="getFundsNodeBenford",
    summary="First digits of the node's payments against Benford's law",
    responses=problem_responses(NotFound, InvalidInput),
)
async def benford(
    node_id: uuid.UUID,
    session: SessionDep,
    who: FundsReader,
    from_: Annotated[date, Query(alias="from", description="first day (inclusive)")],
    to: Annotated[date, Query(description="last day (exclusive)")],
) -> BenfordOut:
    """Mean absolute deviation with Nigrini's conformity class, and the chi-square statistic (8 df)."""
    return await trace.benford_of(session, who, node_id, start=from_, end=to)
