"""The inspector's overview (监督总览): one call per dashboard panel, each one indexed query."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from integrity import overview
from integrity.deps import IntegrityReader, NowDep, SessionDep, SettingsDep
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.assessments import ResultOut
from integrity.schemas.overview import OverdueOverview, RegionColours, RuleFrequency

router = APIRouter(prefix="/v1/integrity/overview", tags=["overview"])

Region = Annotated[RegionCode | None, Query(description="this region and everything below it (default: all of yours)")]
Depth = Literal["province", "city", "county", "township"]


@router.get("/open-warnings", operation_id="getIntegrityOpenWarnings", summary="Active warnings by colour, per region")
async def open_warnings(
    session: SessionDep, who: IntegrityReader, region_code: Region = None, depth: Depth = "county"
) -> Page[RegionColours]:
    """Every region in one page (bounded; ``next_cursor`` is always null)."""
    return Page[RegionColours](
        items=await overview.open_warnings_overview(session, who, depth=depth, region_code=region_code)
    )


@router.get(
    "/overdue-dispositions",
    operation_id="getIntegrityOverdueDispositions",
    summary="Dispositions past their deadline: per region, and the oldest",
)
async def overdue_dispositions(
    session: SessionDep,
    who: IntegrityReader,
    settings: SettingsDep,
    now: NowDep,
    region_code: Region = None,
    depth: Depth = "county",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> OverdueOverview:
    return await overview.overdue_overview(
        session, who, depth=depth, region_code=region_code, limit=limit, settings=settings, now=now
    )


@router.get(
    "/lowest-index",
    operation_id="getIntegrityLowestIndex",
    summary="The subjects with the lowest integrity index",
    responses=problem_responses(NotFound),
)
async def lowest_index(
    session: SessionDep,
    who: IntegrityReader,
    framework: Annotated[str, Query(max_length=40)] = "323-team",
    period: Annotated[str | None, Query(pattern=PERIOD, description="default: the latest computed")] = None,
    region_code: Region = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Page[ResultOut]:
    """The lowest ``limit`` (a ranking, not a list to page: ``next_cursor`` is always null)."""
    lowest = await overview.lowest_index(
        session, who, framework_code=framework, period=period, region_code=region_code, limit=limit
    )
    return Page[ResultOut](items=lowest)


@router.get(
    "/top-rules", operation_id="getIntegrityTopRules", summary="The rules firing most (occurrences in the last days)"
)
async def top_rules(
    session: SessionDep,
    who: IntegrityReader,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=3660)] = 30,
    region_code: Region = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Page[RuleFrequency]:
    """The top ``limit`` (a ranking, not a list to page: ``next_cursor`` is always null)."""
    top = await overview.top_rules(session, who, days=days, region_code=region_code, limit=limit, now=now)
    return Page[RuleFrequency](items=top)
