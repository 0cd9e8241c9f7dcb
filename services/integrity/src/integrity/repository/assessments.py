"""Queries of the integrity index: frameworks, subjects, sheets, results, evaluating bodies, closures. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from integrity import periods
from integrity.models import (
    Closure,
    Framework,
    Rater,
    Result,
    Score,
    Subject,
    SubjectKind,
)
from integrity.repository.common import NO_VALUE, ancestors, col, filtered, in_region

# --- the integrity index ----------------------------------------------------------------------


async def framework_by_code(
    session: AsyncSession, code: str, *, for_update: bool = False, for_share: bool = False
) -> Framework | None:
    """``for_share``: sheets and computations run side by side but wait for a closure in flight (which takes
    the row ``for_update``), so none of them lands in a period after it closed."""
    query = select(Framework).where(col(Framework.code) == code)
    if for_update or for_share:
        query = query.with_for_update(read=not for_update)
    return (await session.execute(query)).scalar_one_or_none()


async def frameworks(session: AsyncSession) -> Sequence[Framework]:
    return (await session.execute(select(Framework).order_by(col(Framework.code)))).scalars().all()


async def subject(session: AsyncSession, subject_id: uuid.UUID) -> Subject | None:
    return await session.get(Subject, subject_id)


async def subject_by_code(session: AsyncSession, kind: SubjectKind, code: str) -> Subject | None:
    query = select(Subject).where(col(Subject.kind) == kind, col(Subject.code) == code)
    return (await session.execute(query)).scalar_one_or_none()


async def subjects(
    session: AsyncSession,
    who: Principal,
    *,
    kind: SubjectKind | None,
    region_code: str | None,
    unit_uscc: str | None = None,
    page: PageParams | None = None,
) -> Sequence[Subject]:
    query = filtered(
        select(Subject),
        within_regions(Subject.region_code, who.region_prefixes),
        in_region(Subject.region_code, region_code),
        col(Subject.kind) == kind if kind else None,
        col(Subject.unit_uscc) == unit_uscc if unit_uscc else None,
    )
    if page is not None:
        query = keyset(query, page, col(Subject.code), col(Subject.id), descending=False)
    else:
        query = query.order_by(col(Subject.code), col(Subject.id))
    return (await session.execute(query)).scalars().all()


def subject_cursor(row: Subject) -> list[str]:
    return [row.code, str(row.id)]


async def sheet(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_id: uuid.UUID, rater: str
) -> Sequence[Score]:
    query = select(Score).where(
        col(Score.framework_id) == framework_id,
        col(Score.period) == period,
        col(Score.subject_id) == subject_id,
        col(Score.rater) == rater,
    )
    return (await session.execute(query)).scalars().all()


async def scores(
    session: AsyncSession,
    framework_id: uuid.UUID,
    period: str,
    *,
    subject_ids: Sequence[uuid.UUID] | None = None,
) -> Sequence[Score]:
    query = filtered(
        select(Score),
        col(Score.framework_id) == framework_id,
        col(Score.period) == period,
        col(Score.subject_id).in_(list(subject_ids)) if subject_ids is not None else None,
    ).order_by(col(Score.subject_id), col(Score.rater), col(Score.indicator))
    return (await session.execute(query)).scalars().all()


async def results_of(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Result]:
    if not subject_ids:
        return {}
    query = select(Result).where(
        col(Result.framework_id) == framework_id,
        col(Result.period) == period,
        col(Result.subject_id).in_(list(subject_ids)),
    )
    return {r.subject_id: r for r in (await session.execute(query)).scalars()}


async def result_by_id(session: AsyncSession, result_id: uuid.UUID) -> tuple[Result, Subject, Framework] | None:
    query = (
        select(Result, Subject, Framework)
        .join(Subject, col(Subject.id) == col(Result.subject_id))
        .join(Framework, col(Framework.id) == col(Result.framework_id))
        .where(col(Result.id) == result_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], row[2]) if row else None


def _sort_value() -> Any:
    return func.coalesce(Result.value, NO_VALUE)


async def results(
    session: AsyncSession,
    who: Principal,
    framework_id: uuid.UUID,
    *,
    period: str,
    grade: str | None,
    region_code: str | None,
    page: PageParams,
) -> Sequence[tuple[Result, Subject]]:
    """Lowest first; results without a value last."""
    sort = _sort_value()
    query = filtered(
        select(Result, Subject).join(Subject, col(Subject.id) == col(Result.subject_id)),
        col(Result.framework_id) == framework_id,
        col(Result.period) == period,
        within_regions(Result.region_code, who.region_prefixes),
        in_region(Result.region_code, region_code),
        col(Result.grade) == grade if grade else None,
    )
    query = keyset(query, page, sort, col(Result.id), descending=False)
    return [(r, s) for r, s in (await session.execute(query)).all()]


def result_cursor(row: tuple[Result, Subject]) -> list[Any]:
    value = row[0].value
    return [value if value is not None else NO_VALUE, str(row[0].id)]


async def lowest(
    session: AsyncSession, who: Principal, framework_id: uuid.UUID, *, period: str, region_code: str | None, limit: int
) -> Sequence[tuple[Result, Subject]]:
    query = filtered(
        select(Result, Subject).join(Subject, col(Subject.id) == col(Result.subject_id)),
        col(Result.framework_id) == framework_id,
        col(Result.period) == period,
        col(Result.value).is_not(None),
        within_regions(Result.region_code, who.region_prefixes),
        in_region(Result.region_code, region_code),
    ).order_by(col(Result.value), col(Result.id))
    return [(r, s) for r, s in (await session.execute(query.limit(limit))).all()]


async def latest_period(session: AsyncSession, who: Principal, framework_id: uuid.UUID) -> str | None:
    query = filtered(
        select(Result.period).distinct(),
        col(Result.framework_id) == framework_id,
        within_regions(Result.region_code, who.region_prefixes),
    )
    found = [p for (p,) in (await session.execute(query)).all()]
    return max(found, key=periods.sort_key) if found else None


async def series(session: AsyncSession, framework_id: uuid.UUID, subject_id: uuid.UUID) -> Sequence[Result]:
    query = select(Result).where(col(Result.framework_id) == framework_id, col(Result.subject_id) == subject_id)
    return (await session.execute(query)).scalars().all()


async def peers(
    session: AsyncSession, who: Principal, framework_id: uuid.UUID, *, period: str, peer_group: str | None
) -> Sequence[float]:
    query = filtered(
        select(Result.value).join(Subject, col(Subject.id) == col(Result.subject_id)),
        col(Result.framework_id) == framework_id,
        col(Result.period) == period,
        col(Result.value).is_not(None),
        within_regions(Result.region_code, who.region_prefixes),
        col(Subject.peer_group) == peer_group if peer_group else None,
    )
    return [v for (v,) in (await session.execute(query)).all()]


async def entered_units(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_id: uuid.UUID
) -> dict[str, str | None]:
    """Per body: the unit that entered its sheet for this subject and period."""
    query = (
        select(Score.rater, Score.entered_unit)
        .where(
            col(Score.framework_id) == framework_id,
            col(Score.period) == period,
            col(Score.subject_id) == subject_id,
        )
        .distinct()
    )
    return {rater: unit for rater, unit in (await session.execute(query)).all()}


# --- evaluating bodies' units, closures -------------------------------------------------------


async def bodies_of_unit(session: AsyncSession, unit_uscc: str, region_code: str) -> set[str]:
    """The bodies ``unit_uscc`` is registered as for a region (registered there or above)."""
    query = select(Rater.body).where(
        col(Rater.unit_uscc) == unit_uscc, col(Rater.region_code).in_(ancestors(region_code))
    )
    return set((await session.execute(query)).scalars())


async def rater(session: AsyncSession, rater_id: uuid.UUID) -> Rater | None:
    return await session.get(Rater, rater_id)


async def rater_exists(session: AsyncSession, body: str, region_code: str, unit_uscc: str) -> bool:
    query = select(Rater.id).where(
        col(Rater.body) == body, col(Rater.region_code) == region_code, col(Rater.unit_uscc) == unit_uscc
    )
    return (await session.execute(query)).first() is not None


async def raters(
    session: AsyncSession, who: Principal, *, region_code: str | None, body: str | None, unit_uscc: str | None
) -> Sequence[Rater]:
    query = filtered(
        select(Rater),
        within_regions(Rater.region_code, who.region_prefixes),
        in_region(Rater.region_code, region_code),
        col(Rater.body) == body if body else None,
        col(Rater.unit_uscc) == unit_uscc if unit_uscc else None,
    ).order_by(col(Rater.region_code), col(Rater.body), col(Rater.unit_uscc))
    return (await session.execute(query)).scalars().all()


async def closures(session: AsyncSession, framework_id: uuid.UUID, *, period: str | None = None) -> Sequence[Closure]:
    query = filtered(
        select(Closure), col(Closure.framework_id) == framework_id, col(Closure.period) == period if period else None
    ).order_by(col(Closure.closed_at), col(Closure.id))
    return (await session.execute(query)).scalars().all()
