"""The risk-point catalogue (廉政风险点): its entries, their rules, the heat map of realised risks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from integrity import periods
from integrity.errors import RiskPointExists
from integrity.models import RiskPoint
from integrity.repository import riskpoints as riskpoints_repo
from integrity.schemas.riskpoints import HeatCell, RiskPointIn, RiskPointOut, RiskPointUpdate

# --- risk points ------------------------------------------------------------------------------


async def risk_point_out(session: AsyncSession, rows: Sequence[RiskPoint]) -> list[RiskPointOut]:
    rules = await riskpoints_repo.rules_of(session, [r.id for r in rows])
    return [RiskPointOut.model_validate(r).model_copy(update={"rule_ids": rules[r.id]}) for r in rows]


async def create_risk_point(
    session: AsyncSession, who: Principal, body: RiskPointIn, *, now: datetime, key: IdempotencyKey | None = None
) -> RiskPointOut:
    """Add a risk point to the catalogue and link the unlinked warnings of its rules in its region."""
    who.ensure_can_write(body.region_code)
    await riskpoints_repo.lock_for_catalogue_write(session)
    await idempotency.begin(session, who, key)
    if await riskpoints_repo.risk_point_by_code(session, body.code):
        raise RiskPointExists(f"risk point {body.code} exists", field="code")
    risk_point = RiskPoint(**body.model_dump(exclude={"rule_ids"}), created_at=now, updated_at=now)
    session.add(risk_point)
    await session.flush()
    await riskpoints_repo.set_rules(session, risk_point, body.rule_ids)
    await session.flush()
    await riskpoints_repo.link_unlinked_warnings(session, risk_point, body.rule_ids)
    out = (await risk_point_out(session, [risk_point]))[0]
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def update_risk_point(
    session: AsyncSession, who: Principal, risk_point_id: uuid.UUID, body: RiskPointUpdate, *, now: datetime
) -> RiskPointOut:
    await riskpoints_repo.lock_for_catalogue_write(session)  # before the row lock: a new warning's FK waits on it
    risk_point = who.visible(await riskpoints_repo.risk_point(session, risk_point_id, for_update=True), "risk point")
    for name, value in body.model_dump(exclude_unset=True, exclude={"rule_ids"}).items():
        if value is not None:
            setattr(risk_point, name, value)
    risk_point.updated_at = now
    if body.rule_ids is not None:
        await riskpoints_repo.set_rules(session, risk_point, body.rule_ids)
        await session.flush()
        await riskpoints_repo.link_unlinked_warnings(session, risk_point, body.rule_ids)
    out = (await risk_point_out(session, [risk_point]))[0]
    await session.commit()
    return out


async def get_risk_point(session: AsyncSession, who: Principal, risk_point_id: uuid.UUID) -> RiskPointOut:
    found = who.visible(await riskpoints_repo.risk_point(session, risk_point_id), "risk point")
    return (await risk_point_out(session, [found]))[0]


async def list_risk_points(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    region_code: str | None,
    unit_uscc: str | None,
    risk_level: str | None,
    rule_id: str | None,
) -> Page[RiskPointOut]:
    rows = await riskpoints_repo.risk_points(
        session, who, page, region_code=region_code, unit_uscc=unit_uscc, risk_level=risk_level, rule_id=rule_id
    )
    shown = await risk_point_out(session, rows[: page.limit])
    return make_page([*shown, *rows[page.limit :]], page, riskpoints_repo.risk_point_cursor, lambda r: r)


async def heatmap(session: AsyncSession, who: Principal, *, period: str, region_code: str | None) -> list[HeatCell]:
    """Realised risks per unit and risk point in a period: warnings first seen then, by colour."""
    cells: dict[tuple[str | None, uuid.UUID], HeatCell] = {}
    for unit, rp_id, code, name, risk_level, level, n in await riskpoints_repo.heatmap(
        session, who, months=periods.months(period), region_code=region_code
    ):
        cell = cells.setdefault(
            (unit, rp_id),
            HeatCell(
                unit_uscc=unit, risk_point_id=rp_id, risk_point_code=code, risk_point_name=name, risk_level=risk_level
            ),
        )
        setattr(cell, level, getattr(cell, level) + n)
        cell.total += n
    return sorted(cells.values(), key=lambda c: (-c.total, c.unit_uscc or "", c.risk_point_code))
