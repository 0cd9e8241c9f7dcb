"""Performance scores (绩效考评) per department, window and officer, with ranking and trend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from approvals import performance
from approvals.deps import ApprovalsReader, PageDep, SessionDep, SettingsDep
from approvals.performance import BadPeriod
from approvals.schemas.performance import PERIOD_PATTERN, UNIT_CODE, PerformanceLevel, PerformanceOut, TrendOut

router = APIRouter(prefix="/v1/approvals", tags=["performance"])

Period = Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY, YYYY-MM or YYYY-Qn (the deployment's zone)")]


@router.get(
    "/performance",
    operation_id="listApprovalsPerformance",
    summary="Units of one level ranked by their score for a period",
    responses=problem_responses(BadPeriod),
)
async def list_performance(
    session: SessionDep,
    who: ApprovalsReader,
    settings: SettingsDep,
    page: PageDep,
    level: Annotated[PerformanceLevel, Query(description="department, window or officer")],
    period: Period,
    region_code: Annotated[RegionCode | None, Query(description="only units in this region (and below)")] = None,
) -> Page[PerformanceOut]:
    """Recomputed from the stored cases, ratings and warnings on every call (see ``performance.py`` for each
    figure); only units in the token's regions are ranked. ``change`` compares with the period before."""
    return await performance.ranking(session, settings, who, page, level=level, period=period, region_code=region_code)


@router.get(
    "/performance/{level}/{region_code}/{code}/trend",
    operation_id="getApprovalsPerformanceTrend",
    summary="One unit's score over the last periods, and its slope",
    responses=problem_responses(NotFound, BadPeriod),
)
async def get_trend(
    level: PerformanceLevel,
    region_code: RegionCode,
    code: Annotated[str, Path(min_length=1, max_length=64, pattern=UNIT_CODE)],
    session: SessionDep,
    who: ApprovalsReader,
    settings: SettingsDep,
    until: Period,
    periods: Annotated[int, Query(ge=2, le=24, description="how many periods, ending with until")] = 6,
) -> TrendOut:
    """A region outside the token's is 404 (its existence is not disclosed)."""
    return await performance.trend(
        session, settings, who, level=level, region_code=region_code, code=code, until=until, periods=periods
    )
