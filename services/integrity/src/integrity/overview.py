"""The overview (dashboards): open warnings by region, overdue dispositions, lowest index, busiest rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal

from integrity.dispositions import disposition_out
from integrity.frameworks import find_framework
from integrity.repository import assessments as assessments_repo
from integrity.repository import overview as overview_repo
from integrity.results import result_out
from integrity.schemas.assessments import ResultOut
from integrity.schemas.common import DEPTH_DIGITS
from integrity.schemas.overview import OverdueOverview, RegionColours, RegionCount, RuleFrequency
from integrity.service import local_today, pad
from integrity.settings import IntegritySettings

# --- the overview -----------------------------------------------------------------------------


async def open_warnings_overview(
    session: AsyncSession, who: Principal, *, depth: str, region_code: str | None
) -> list[RegionColours]:
    rows: dict[str, RegionColours] = {}
    for region, level, n in await overview_repo.open_warnings_by_region(
        session, who, digits=DEPTH_DIGITS[depth], region_code=region_code
    ):
        row = rows.setdefault(pad(region), RegionColours(region_code=pad(region)))
        setattr(row, level, getattr(row, level) + n)
        row.total += n
    return sorted(rows.values(), key=lambda r: (-r.red, -r.orange, -r.total, r.region_code))


async def overdue_overview(
    session: AsyncSession,
    who: Principal,
    *,
    depth: str,
    region_code: str | None,
    limit: int,
    settings: IntegritySettings,
    now: datetime,
) -> OverdueOverview:
    today = local_today(settings, now)
    by_region = [
        RegionCount(region_code=pad(region), count=n)
        for region, n in await overview_repo.overdue_by_region(
            session, who, today=today, digits=DEPTH_DIGITS[depth], region_code=region_code
        )
    ]
    oldest = await overview_repo.oldest_overdue(session, who, today=today, region_code=region_code, limit=limit)
    return OverdueOverview(
        today=today,
        count=sum(r.count for r in by_region),
        by_region=sorted(by_region, key=lambda r: (-r.count, r.region_code)),
        oldest=[disposition_out(d, settings) for d in oldest],
    )


async def lowest_index(
    session: AsyncSession,
    who: Principal,
    *,
    framework_code: str,
    period: str | None,
    region_code: str | None,
    limit: int,
) -> list[ResultOut]:
    framework = await find_framework(session, framework_code)
    period = period or await assessments_repo.latest_period(session, who, framework.id)
    if period is None:
        return []
    rows = await assessments_repo.lowest(
        session, who, framework.id, period=period, region_code=region_code, limit=limit
    )
    closures = await assessments_repo.closures(session, framework.id, period=period)
    return [result_out(r, s, framework.code, closures) for r, s in rows]


async def top_rules(
    session: AsyncSession, who: Principal, *, days: int, region_code: str | None, limit: int, now: datetime
) -> list[RuleFrequency]:
    rows = await overview_repo.rules_firing_most(
        session, who, since=now - timedelta(days=days), region_code=region_code, limit=limit
    )
    return [RuleFrequency(rule_id=r, occurrences=n, warnings=w, last_seen_at=last) for r, n, w, last in rows]
