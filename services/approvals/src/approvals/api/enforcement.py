"""Enforcement (行政执法): powers with their discretion bands, penalty decisions checked against them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from approvals import enforcement
from approvals.deps import ApprovalsReader, ApprovalsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from approvals.errors import CorrectionMismatch, DuplicateCode, UnknownBand, UnknownDepartment, UnknownPower
from approvals.schemas.enforcement import EnforcementPowerIn, EnforcementPowerOut, PenaltyIn, PenaltyOut

router = APIRouter(prefix="/v1/approvals", tags=["enforcement"])


@router.post(
    "/enforcement-powers",
    status_code=201,
    operation_id="createApprovalsEnforcementPower",
    summary="Add an enforcement power (执法事项) with its discretion bands (裁量基准)",
    responses=problem_responses(DuplicateCode, UnknownDepartment, ForbiddenRegion),
)
async def create_power(
    body: EnforcementPowerIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep
) -> EnforcementPowerOut:
    """Each band gives, for a fact pattern (情节), the penalty kinds allowed and the fine's range in fen. A power
    of a region serves the regions below it (a city's standard applies in its districts)."""
    return await enforcement.create_power(session, who, body, key=key)


@router.get(
    "/enforcement-powers",
    operation_id="listApprovalsEnforcementPowers",
    summary="Enforcement powers in the caller's regions, newest first",
)
async def list_powers(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[EnforcementPowerOut]:
    return await enforcement.list_powers(session, who, page)


@router.get(
    "/enforcement-powers/{power_id}",
    operation_id="getApprovalsEnforcementPower",
    summary="An enforcement power and its bands",
    responses=problem_responses(NotFound),
)
async def get_power(power_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> EnforcementPowerOut:
    return await enforcement.get_power(session, who, power_id)


@router.post(
    "/penalties",
    status_code=201,
    operation_id="recordApprovalsPenalty",
    summary="Record a penalty decision (行政处罚决定); checked against its discretion band",
    responses=problem_responses(
        DuplicateCode, UnknownPower, UnknownBand, CorrectionMismatch, NotFound, ForbiddenRegion
    ),
)
async def record_penalty(
    body: PenaltyIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> PenaltyOut:
    """A decision outside its band is **recorded** (201, ``within_band: false``, ``departures`` say how) and
    raises APPROVALS-PENALTY-OUTSIDE-BAND — red without a stated ``reason``, orange with one — to the integrity
    register: supervision warns, the bureau decides. ``corrects`` names an earlier decision this one changes; a
    correction within its band ends the escalation of the earlier decision's warning."""
    return await enforcement.record_penalty(session, settings, who, body, key=key)


@router.get(
    "/penalties",
    operation_id="listApprovalsPenalties",
    summary="Penalty decisions in the caller's regions, newest first",
)
async def list_penalties(
    session: SessionDep,
    who: ApprovalsReader,
    page: PageDep,
    power_id: Annotated[uuid.UUID | None, Query(description="only this power's decisions")] = None,
    officer_code: Annotated[str | None, Query(min_length=1, max_length=64, description="only this officer's")] = None,
    within_band: Annotated[bool | None, Query(description="only decisions within (true) or outside (false))")] = None,
) -> Page[PenaltyOut]:
    return await enforcement.list_penalties(
        session, who, page, power_id=power_id, officer_code=officer_code, within_band=within_band
    )


@router.get(
    "/penalties/{penalty_id}",
    operation_id="getApprovalsPenalty",
    summary="A penalty decision, with its band and how it departs from it",
    responses=problem_responses(NotFound),
)
async def get_penalty(penalty_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> PenaltyOut:
    return await enforcement.get_penalty(session, who, penalty_id)
