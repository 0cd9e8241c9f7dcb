"""Integrity queries. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import region_prefix
from sunlight.errors import BadRequest
from sunlight.pagination import PageParams

from integrity.models import Warning, WarningStatus
from integrity.schemas import WarningFilter

ACTIVE = (WarningStatus.OPEN, WarningStatus.IN_DISPOSITION)


async def active_warning(session: AsyncSession, dedupe_key: str) -> Warning | None:
    query = (
        select(Warning)
        .where(Warning.dedupe_key == dedupe_key, Warning.status.in_(ACTIVE))  # type: ignore[attr-defined]
        .with_for_update()
    )
    return (await session.execute(query)).scalars().first()


def _in_regions(column: object, prefixes: Sequence[str]) -> object:
    return or_(*[column.startswith(p) for p in prefixes])  # type: ignore[attr-defined]


async def warnings(session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams) -> Sequence[Warning]:
    query = select(Warning).where(_in_regions(Warning.region_code, who.region_prefixes))  # type: ignore[arg-type]
    if where.rule_id:
        query = query.where(Warning.rule_id == where.rule_id)
    if where.level:
        query = query.where(Warning.level == where.level.value)
    if where.service:
        query = query.where(Warning.service == where.service)
    if where.status:
        query = query.where(Warning.status == where.status)
    if where.region_code:
        query = query.where(Warning.region_code.startswith(region_prefix(where.region_code)))  # type: ignore[attr-defined]
    after = page.after()
    if after:
        seen, last_id = _cursor(after)
        query = query.where(or_(Warning.last_seen_at < seen, (Warning.last_seen_at == seen) & (Warning.id < last_id)))  # type: ignore[arg-type, operator]
    query = query.order_by(Warning.last_seen_at.desc(), Warning.id.desc()).limit(page.limit + 1)  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


def _cursor(after: list[Any]) -> tuple[datetime, uuid.UUID]:
    try:
        return datetime.fromisoformat(after[0]), uuid.UUID(after[1])
    except (ValueError, IndexError, TypeError):
        raise BadRequest("the cursor is not one this API gave out", field="cursor") from None


def cursor_key(warning: Warning) -> list[str]:
    return [warning.last_seen_at.isoformat(), str(warning.id)]
