"""Queries of the overview (dashboards). Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import within_regions

from integrity.models import (
    Disposition,
    Occurrence,
    Warning,
)
from integrity.repository.common import ACTIVE, ACTIVE_DISPOSITIONS, col, filtered, in_region


async def open_warnings_by_region(
    session: AsyncSession, who: Principal, *, digits: int, region_code: str | None
) -> Sequence[Any]:
    region = func.substr(Warning.region_code, 1, digits).label("region")
    query = filtered(
        select(region, Warning.level, func.count().label("n")),
        col(Warning.status).in_(ACTIVE),
        within_regions(Warning.region_code, who.region_prefixes),
        in_region(Warning.region_code, region_code),
    ).group_by(region, Warning.level)
    return (await session.execute(query)).all()


async def rules_firing_most(
    session: AsyncSession, who: Principal, *, since: datetime, region_code: str | None, limit: int
) -> Sequence[Any]:
    """(rule, occurrences, warnings, latest) of the findings since ``since``: an occurrence row counts the
    findings it stands for; complaints are not findings."""
    n = func.sum(Occurrence.count).label("n")
    query = (
        filtered(
            select(
                Occurrence.rule_id,
                n,
                func.count(func.distinct(Occurrence.warning_id)).label("warnings"),
                func.max(Occurrence.occurred_at).label("last_seen_at"),
            ),
            col(Occurrence.occurred_at) >= since,
            col(Occurrence.report_id).is_(None),
            within_regions(Occurrence.region_code, who.region_prefixes),
            in_region(Occurrence.region_code, region_code),
        )
        .group_by(Occurrence.rule_id)
        .order_by(n.desc(), col(Occurrence.rule_id))
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def overdue_by_region(
    session: AsyncSession, who: Principal, *, today: date, digits: int, region_code: str | None
) -> Sequence[Any]:
    region = func.substr(Disposition.region_code, 1, digits).label("region")
    query = filtered(
        select(region, func.count().label("n")),
        col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
        col(Disposition.deadline) < today,
        within_regions(Disposition.region_code, who.region_prefixes),
        in_region(Disposition.region_code, region_code),
    ).group_by(region)
    return (await session.execute(query)).all()


async def oldest_overdue(
    session: AsyncSession, who: Principal, *, today: date, region_code: str | None, limit: int
) -> Sequence[Disposition]:
    query = filtered(
        select(Disposition),
        col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
        col(Disposition.deadline) < today,
        within_regions(Disposition.region_code, who.region_prefixes),
        in_region(Disposition.region_code, region_code),
    )
    query = query.order_by(col(Disposition.deadline), col(Disposition.id)).limit(limit)
    return (await session.execute(query)).scalars().all()
