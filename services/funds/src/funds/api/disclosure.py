"""Public disclosure (信息公开): no token needed; the gateway rate-limits these per IP."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from funds import disclosure
from funds.deps import PageDep, SessionDep
from funds.schemas.disclosure import PublicPayment, PublicProgramme, PublicProgrammeDetail

router = APIRouter(prefix="/v1/funds/public", tags=["public disclosure"])


@router.get("/programmes", operation_id="listPublicFundsProgrammes", summary="Programmes, newest first (public)")
async def list_programmes(
    session: SessionDep,
    page: PageDep,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[PublicProgramme]:
    return await disclosure.list_programmes(
        session, page, region_code=region_code, fiscal_year=fiscal_year, category=category
    )


@router.get(
    "/programmes/{programme_id}",
    operation_id="getPublicFundsProgramme",
    summary="A programme and its allocations down to township level (public)",
    responses=problem_responses(NotFound),
)
async def programme_detail(programme_id: uuid.UUID, session: SessionDep) -> PublicProgrammeDetail:
    return await disclosure.programme_detail(session, programme_id)


@router.get(
    "/programmes/{programme_id}/payments",
    operation_id="listPublicFundsPayments",
    summary="A programme's payments with masked payees (public)",
    responses=problem_responses(NotFound),
)
async def payments(programme_id: uuid.UUID, session: SessionDep, page: PageDep) -> Page[PublicPayment]:
    """Organisations by name and USCC; persons by a partly hidden name, never an ID number or account."""
    return await disclosure.payments(session, programme_id, page)
