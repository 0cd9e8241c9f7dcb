"""Risk points (廉政风险点) per post and power, with their controls; the heat map of realised risks."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import USCC, RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from integrity import riskpoints
from integrity.deps import IdempotencyKeyDep, IntegrityAdmin, IntegrityReader, NowDep, PageDep, SessionDep
from integrity.errors import RiskPointExists
from integrity.models import RiskLevel
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.riskpoints import HeatCell, RiskPointIn, RiskPointOut, RiskPointUpdate

router = APIRouter(prefix="/v1/integrity/risk-points", tags=["risk points"])

Region = Annotated[RegionCode | None, Query(description="this region and everything below it")]


@router.get("", operation_id="listIntegrityRiskPoints", summary="The risk-point catalogue in the caller's regions")
async def list_risk_points(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    region_code: Region = None,
    unit_uscc: USCC | None = None,
    risk_level: RiskLevel | None = None,
    rule_id: Annotated[str | None, Query(max_length=64, description="risk points this rule realises")] = None,
) -> Page[RiskPointOut]:
    return await riskpoints.list_risk_points(
        session, who, page, region_code=region_code, unit_uscc=unit_uscc, risk_level=risk_level, rule_id=rule_id
    )


@router.post(
    "",
    operation_id="createIntegrityRiskPoint",
    status_code=201,
    summary="Add a risk point",
    responses=problem_responses(RiskPointExists),
)
async def create_risk_point(
    body: RiskPointIn, session: SessionDep, who: IntegrityAdmin, key: IdempotencyKeyDep, now: NowDep
) -> RiskPointOut:
    """Warnings of its ``rule_ids`` in its region (and unit, if given) link to it from now on; the active and
    past ones that link to no risk point yet are linked at once."""
    return await riskpoints.create_risk_point(session, who, body, now=now, key=key)


@router.get(
    "/heatmap",
    operation_id="getIntegrityRiskHeatmap",
    summary="Realised risks per unit and risk point in a period (heat-map data)",
)
async def heatmap(
    session: SessionDep,
    who: IntegrityReader,
    period: Annotated[str, Query(pattern=PERIOD, examples=["2026", "2026-Q1"])],
    region_code: Region = None,
) -> Page[HeatCell]:
    """Every cell in one page (bounded by units × risk points; ``next_cursor`` is always null)."""
    return Page[HeatCell](items=await riskpoints.heatmap(session, who, period=period, region_code=region_code))


@router.get("/{risk_point_id}", operation_id="getIntegrityRiskPoint", summary="One risk point")
async def get_risk_point(risk_point_id: uuid.UUID, session: SessionDep, who: IntegrityReader) -> RiskPointOut:
    return await riskpoints.get_risk_point(session, who, risk_point_id)


@router.patch(
    "/{risk_point_id}",
    operation_id="updateIntegrityRiskPoint",
    summary="Change a risk point",
    responses=problem_responses(NotFound),
)
async def update_risk_point(
    risk_point_id: uuid.UUID, body: RiskPointUpdate, session: SessionDep, who: IntegrityAdmin, now: NowDep
) -> RiskPointOut:
    return await riskpoints.update_risk_point(session, who, risk_point_id, body, now=now)
