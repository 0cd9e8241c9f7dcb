"""Programmes (专项资金项目) and their node trees."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses

from funds import service
from funds.deps import FundsReader, FundsWriter, IdempotencyKeyDep, SessionDep
from funds.errors import DuplicateCode, NotAChild, RegionOutsideParent, RootExists
from funds.schemas import NodeIn, NodeOut, ProgrammeIn, ProgrammeOut

router = APIRouter(prefix="/v1/funds/programmes", tags=["programmes"])


@router.post("", status_code=201, summary="Create a programme", responses=problem_responses(DuplicateCode))
async def create_programme(
    body: ProgrammeIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep
) -> ProgrammeOut:
    return await service.create_programme(session, who, body, key=key)


@router.get("/{programme_id}", summary="One programme", responses=problem_responses(NotFound))
async def get_programme(programme_id: uuid.UUID, session: SessionDep, who: FundsReader) -> ProgrammeOut:
    return ProgrammeOut.model_validate(await service.get_programme(session, who, programme_id))


@router.post(
    "/{programme_id}/nodes",
    status_code=201,
    summary="Add a node to the programme's tree",
    responses=problem_responses(NotFound, RootExists, RegionOutsideParent, NotAChild),
)
async def create_node(
    programme_id: uuid.UUID, body: NodeIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep
) -> NodeOut:
    return await service.create_node(session, who, programme_id, body, key=key)


@router.get(
    "/{programme_id}/nodes", summary="The programme's nodes with their balances", responses=problem_responses(NotFound)
)
async def list_nodes(programme_id: uuid.UUID, session: SessionDep, who: FundsReader) -> list[NodeOut]:
    return [NodeOut.model_validate(n) for n in await service.list_nodes(session, who, programme_id)]
