"""The warning register (预警登记): every service's warnings, deduplicated, escalated, disposed of."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from sunlight.codes import USCC, RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import ORDER_DESCRIPTION, Page, SortOrder
from sunlight.scopes import ServiceName
from sunlight.warnings import Level

from integrity import dispositions, register
from integrity.deps import IdempotencyKeyDep, IntegrityReader, IntegrityWriter, NowDep, PageDep, SessionDep, SettingsDep
from integrity.errors import DispositionActive, InvalidPeriod, WarningNotActive
from integrity.models import WarningStatus
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.dispositions import DispositionIn, DispositionOut
from integrity.schemas.register import DismissalIn, WarningCount, WarningDetail, WarningFilter, WarningOut, WarningSort

router = APIRouter(prefix="/v1/integrity/warnings", tags=["warnings"])

RuleId = Annotated[str | None, Query(max_length=64, description="e.g. FUNDS-OVERSPEND")]
Service = Annotated[ServiceName | None, Query(alias="service", description="the raising service")]
Region = Annotated[RegionCode | None, Query(description="this region and everything below it")]


@router.get(
    "",
    operation_id="listIntegrityWarnings",
    summary="Warnings in the caller's regions, most recently first seen first",
)
async def list_warnings(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    now: NowDep,
    settings: SettingsDep,
    rule_id: RuleId = None,
    level: Level | None = None,
    region_code: Region = None,
    service_name: Service = None,
    status: WarningStatus | None = None,
    unit_uscc: Annotated[USCC | None, Query(description="the unit the warning is about")] = None,
    min_age_days: Annotated[
        int | None, Query(ge=0, le=36500, description="first seen at least this many calendar days before today")
    ] = None,
    max_age_days: Annotated[
        int | None, Query(ge=0, le=36500, description="first seen at most this many calendar days ago (0: today)")
    ] = None,
    risk_point_id: uuid.UUID | None = None,
    changed_since: Annotated[
        AwareDatetime | None,
        Query(description="changed at or after this instant (changed_at): what a client syncing its copy fetches"),
    ] = None,
    sort: Annotated[WarningSort, Query(description="the key pages are sorted by (then the id)")] = (
        WarningSort.FIRST_SEEN_AT
    ),
    order: Annotated[SortOrder, Query(description=ORDER_DESCRIPTION)] = SortOrder.DESC,
) -> Page[WarningOut]:
    """Pages are ordered by ``sort`` (default ``first_seen_at``) in ``order`` (default ``desc``), then by id; every
    sort key is one a warning never changes, and the cursor carries the sort (a cursor used under another sort
    is 400). So: a warning that recurs or changes
    while a client pages keeps its place and is returned exactly once. To see changes, keep the ``changed_at``
    of the previous sync and ask again with ``changed_since`` (each changed warning comes once, in the same
    order); a recurrence updates ``occurrences``, ``last_seen_at`` and ``changed_at``, never the order."""
    where = WarningFilter(
        sort=sort,
        order=order,
        rule_id=rule_id,
        level=level,
        region_code=region_code,
        service=service_name,
        status=status,
        unit_uscc=unit_uscc,
        min_age_days=min_age_days,
        max_age_days=max_age_days,
        risk_point_id=risk_point_id,
        changed_since=changed_since,
    )
    return await register.list_warnings(session, who, where, page, now=now, settings=settings)


@router.get(
    "/counts",
    operation_id="countIntegrityWarnings",
    summary="Warnings first seen per period and region, by colour (dashboards)",
    responses=problem_responses(InvalidPeriod),
)
async def count_warnings(
    session: SessionDep,
    who: IntegrityReader,
    granularity: Literal["month", "quarter", "half", "year"] = "month",
    depth: Literal["province", "city", "county", "township"] = "city",
    first_period: Annotated[str | None, Query(alias="from", pattern=PERIOD, examples=["2026-01"])] = None,
    last_period: Annotated[str | None, Query(alias="to", pattern=PERIOD, examples=["2026-Q2"])] = None,
    region_code: Region = None,
    status: WarningStatus | None = None,
    rule_id: RuleId = None,
    service_name: Service = None,
) -> Page[WarningCount]:
    """Every count in one page (bounded by periods × regions × colours; ``next_cursor`` is always null)."""
    counts = await register.count_warnings(
        session,
        who,
        granularity=granularity,
        depth=depth,
        first_period=first_period,
        last_period=last_period,
        region_code=region_code,
        status=status,
        rule_id=rule_id,
        service=service_name,
    )
    return Page[WarningCount](items=counts)


@router.get(
    "/{warning_id}",
    operation_id="getIntegrityWarning",
    summary="One warning with its history, dispositions and risk point",
)
async def get_warning(
    session: SessionDep, who: IntegrityReader, settings: SettingsDep, warning_id: uuid.UUID
) -> WarningDetail:
    return await register.get_warning(session, who, warning_id, settings=settings)


@router.post(
    "/{warning_id}/dispositions",
    operation_id="openIntegrityDisposition",
    status_code=201,
    summary="Open a disposition (提醒谈话, 函询, 监察建议, 直接核查, 立案) on an active warning",
    responses=problem_responses(NotFound, WarningNotActive, DispositionActive),
)
async def open_disposition(
    warning_id: uuid.UUID,
    body: DispositionIn,
    session: SessionDep,
    who: IntegrityWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
    now: NowDep,
) -> DispositionOut:
    """The deadline is ``deadline_workdays`` (or the kind's default) working days from today on the official
    calendar. The source service hears of it as ``warnings.disposed.v1`` (status ``open``; ``freeze`` for a
    direct review or a case unless told otherwise)."""
    return await dispositions.open_disposition(session, who, warning_id, body, settings=settings, now=now, key=key)


@router.post(
    "/{warning_id}/dismissal",
    operation_id="dismissIntegrityWarning",
    summary="Dismiss an active warning without a disposition",
    responses=problem_responses(NotFound, WarningNotActive, DispositionActive),
)
async def dismiss(
    warning_id: uuid.UUID, body: DismissalIn, session: SessionDep, who: IntegrityWriter, key: IdempotencyKeyDep,
    now: NowDep,
) -> WarningOut:  # fmt: skip
    """The source service hears of it as ``warnings.disposed.v1`` with disposition and status ``dismissed``."""
    return await dispositions.dismiss(session, who, warning_id, body, now=now, key=key)
