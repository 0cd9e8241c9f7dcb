"""Queries of the risk-point catalogue. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import region_prefix
from sunlight.db import starts_with_digits, transaction_lock, within_regions
from sunlight.pagination import PageParams, keyset

from integrity.models import RiskPoint, RiskPointRule, Warning
from integrity.repository.common import ancestors, col, filtered, in_region

# --- risk points ------------------------------------------------------------------------------

LINKING = "integrity.risk-point-links"
"""The lock between registering a new warning (it looks up its risk point) and writing the catalogue (it
links the warnings already registered). Without it, on PostgreSQL a warning registered while a risk point
of its rule is being added is seen by neither and stays unlinked for good."""


async def lock_for_catalogue_write(session: AsyncSession) -> None:
    """Take the linking lock before a risk point is added or changed: new warnings wait for the commit."""
    await transaction_lock(session, LINKING)


async def risk_point(session: AsyncSession, risk_point_id: uuid.UUID, *, for_update: bool = False) -> RiskPoint | None:
    query = select(RiskPoint).where(col(RiskPoint.id) == risk_point_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def risk_point_by_code(session: AsyncSession, code: str) -> RiskPoint | None:
    return (await session.execute(select(RiskPoint).where(col(RiskPoint.code) == code))).scalar_one_or_none()


async def rules_of(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    wanted = list(ids)
    out: dict[uuid.UUID, list[str]] = {i: [] for i in wanted}
    if not wanted:
        return out
    query = (
        select(RiskPointRule).where(col(RiskPointRule.risk_point_id).in_(wanted)).order_by(col(RiskPointRule.rule_id))
    )
    for link in (await session.execute(query)).scalars():
        out[link.risk_point_id].append(link.rule_id)
    return out


async def set_rules(session: AsyncSession, risk_point: RiskPoint, rule_ids: Sequence[str]) -> None:
    current = (await rules_of(session, [risk_point.id]))[risk_point.id]
    for link in (
        await session.execute(select(RiskPointRule).where(col(RiskPointRule.risk_point_id) == risk_point.id))
    ).scalars():
        if link.rule_id not in rule_ids:
            await session.delete(link)
    for rule_id in rule_ids:
        if rule_id not in current:
            session.add(RiskPointRule(risk_point_id=risk_point.id, rule_id=rule_id))


async def risk_point_for(
    session: AsyncSession, *, rule_id: str, region_code: str, unit_uscc: str | None
) -> uuid.UUID | None:
    """The risk point a finding realises: one listing its rule, in its region or above; the unit's own first,
    then the nearest region. Takes the linking lock (shared): waits for a catalogue write in progress."""
    await transaction_lock(session, LINKING, shared=True)
    query = (
        select(RiskPoint.id, RiskPoint.region_code, RiskPoint.unit_uscc)
        .join(RiskPointRule, col(RiskPointRule.risk_point_id) == col(RiskPoint.id))
        .where(
            col(RiskPointRule.rule_id) == rule_id,
            col(RiskPoint.region_code).in_(ancestors(region_code)),
            or_(col(RiskPoint.unit_uscc).is_(None), col(RiskPoint.unit_uscc) == unit_uscc),
        )
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    best = max(rows, key=lambda r: (r.unit_uscc is not None, len(region_prefix(r.region_code)), str(r.id)))
    return best.id  # type: ignore[no-any-return]


async def link_unlinked_warnings(session: AsyncSession, risk_point: RiskPoint, rule_ids: Sequence[str]) -> None:
    """Link the warnings of ``rule_ids`` in the risk point's region (and unit) that realise no risk point yet.
    The transaction must hold the linking lock (``lock_for_catalogue_write``), taken before any row lock."""
    if not rule_ids:
        return
    await session.execute(
        update(Warning)
        .where(
            col(Warning.risk_point_id).is_(None),
            col(Warning.rule_id).in_(list(rule_ids)),
            starts_with_digits(Warning.region_code, region_prefix(risk_point.region_code)),
            col(Warning.unit_uscc) == risk_point.unit_uscc if risk_point.unit_uscc else col(Warning.id).is_not(None),
        )
        .values(risk_point_id=risk_point.id, changed_at=risk_point.updated_at)
    )


async def risk_points(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    region_code: str | None,
    unit_uscc: str | None,
    risk_level: str | None,
    rule_id: str | None,
) -> Sequence[RiskPoint]:
    query = filtered(
        select(RiskPoint),
        within_regions(RiskPoint.region_code, who.region_prefixes),
        in_region(RiskPoint.region_code, region_code),
        col(RiskPoint.unit_uscc) == unit_uscc if unit_uscc else None,
        col(RiskPoint.risk_level) == risk_level if risk_level else None,
        col(RiskPoint.id).in_(select(RiskPointRule.risk_point_id).where(col(RiskPointRule.rule_id) == rule_id))
        if rule_id
        else None,
    )
    query = keyset(query, page, col(RiskPoint.code), descending=False)
    return (await session.execute(query)).scalars().all()


def risk_point_cursor(row: Any) -> list[str]:
    return [row.code]


async def heatmap(
    session: AsyncSession, who: Principal, *, months: Sequence[str], region_code: str | None
) -> Sequence[Any]:
    query = filtered(
        select(
            Warning.unit_uscc,
            RiskPoint.id,
            RiskPoint.code,
            RiskPoint.name,
            RiskPoint.risk_level,
            Warning.level,
            func.count().label("n"),
        ).join(RiskPoint, col(RiskPoint.id) == col(Warning.risk_point_id)),
        col(Warning.first_seen_month).in_(list(months)),
        within_regions(Warning.region_code, who.region_prefixes),
        in_region(Warning.region_code, region_code),
    ).group_by(Warning.unit_uscc, RiskPoint.id, RiskPoint.code, RiskPoint.name, RiskPoint.risk_level, Warning.level)
    return (await session.execute(query)).all()
