"""Programmes (专项资金项目), their node trees, and their trace and funnel (资金追溯)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page, page_sorted

from funds import service, trace
from funds.deps import FundsReader, FundsWriter, IdempotencyKeyDep, PageDep, SessionDep
from funds.errors import (
    DuplicateCode,
    NotAChild,
    RegionOutsideParent,
    RootExists,
    SelfCertification,
    ThresholdOutOfBounds,
    ThresholdsSupervised,
)
from funds.schemas.nodes import NodeIn, NodeOut
from funds.schemas.programmes import ProgrammeIn, ProgrammeOut
from funds.schemas.trace import FunnelOut, TraceOut
from funds.service import TierOrder

router = APIRouter(prefix="/v1/funds/programmes", tags=["programmes"])


@router.post(
    "",
    operation_id="createFundsProgramme",
    status_code=201,
    summary="Create a programme",
    responses=problem_responses(DuplicateCode, ThresholdsSupervised, SelfCertification, ThresholdOutOfBounds),
)
async def create_programme(
    body: ProgrammeIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep
) -> ProgrammeOut:
    """A programme with its allowed expenditure categories, its budget lines (which add up to the budget) and,
    from the supervising side only (scope ``funds:supervise``; else 403 ``…/thresholds-supervised``), its own
    thresholds within their bounds."""
    return await service.create_programme(session, who, body, key=key)


@router.get("", operation_id="listFundsProgrammes", summary="Programmes in the caller's regions, newest first")
async def list_programmes(
    session: SessionDep,
    who: FundsReader,
    page: PageDep,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
) -> Page[ProgrammeOut]:
    return await service.list_programmes(
        session, who, page, fiscal_year=fiscal_year, category=category, region_code=region_code
    )


@router.get(
    "/{programme_id}", operation_id="getFundsProgramme", summary="One programme", responses=problem_responses(NotFound)
)
async def get_programme(programme_id: uuid.UUID, session: SessionDep, who: FundsReader) -> ProgrammeOut:
    return await service.read_programme(session, who, programme_id)


@router.post(
    "/{programme_id}/nodes",
    operation_id="createFundsNode",
    status_code=201,
    summary="Add a node to the programme's tree",
    responses=problem_responses(NotFound, RootExists, RegionOutsideParent, NotAChild, TierOrder),
)
async def create_node(
    programme_id: uuid.UUID, body: NodeIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep
) -> NodeOut:
    """The first node (no ``parent_id``) is the root and receives the whole budget, as quota and as cash."""
    return await service.create_node(session, who, programme_id, body, key=key)


@router.get(
    "/{programme_id}/nodes",
    operation_id="listFundsNodes",
    summary="The programme's nodes with their balances",
    responses=problem_responses(NotFound),
)
async def list_nodes(programme_id: uuid.UUID, session: SessionDep, who: FundsReader, page: PageDep) -> Page[NodeOut]:
    """In the order they were created (a parent before its children), paged on ``(created_at, id)``, which never
    change: pages never skip or repeat, and a node added while a client pages comes on the last page."""
    nodes = await service.list_nodes(session, who, programme_id)
    return page_sorted(nodes, page, lambda n: (n.created_at, n.id), service.node_out, (datetime, uuid.UUID))


@router.get(
    "/{programme_id}/trace",
    operation_id="traceFundsProgramme",
    summary="The whole chain: received, passed on, spent and idle per node and per tier",
    responses=problem_responses(NotFound),
)
async def trace_programme(programme_id: uuid.UUID, session: SessionDep, who: FundsReader) -> TraceOut:
    """``conserved`` is true when every node's counters equal what its movements add up to and every parent
    passed on exactly what its children received."""
    return await trace.trace(session, who, programme_id)


@router.get(
    "/{programme_id}/funnel",
    operation_id="getFundsProgrammeFunnel",
    summary="Budget → allocated → disbursed → spent → accepted → audited",
    responses=problem_responses(NotFound),
)
async def funnel(programme_id: uuid.UUID, session: SessionDep, who: FundsReader) -> FunnelOut:
    return await trace.funnel(session, who, programme_id)
