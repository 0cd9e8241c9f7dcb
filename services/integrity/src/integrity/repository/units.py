"""Per-unit, per-month figures (unit_month). Never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_contains, region_prefix
from sunlight.db import session_dialect, within_regions

from integrity.models import UnitMonth
from integrity.repository.common import col, filtered

# --- per-unit, per-month aggregates -----------------------------------------------------------


async def bump_unit(session: AsyncSession, unit_uscc: str, month: str, region_code: str, **counts: int) -> None:
    """Add ``counts`` to the unit's month in ``region_code`` (insert or update in one statement, safe under
    concurrency). Each region keeps its own row: a count belongs to the region it was reported in."""
    insert = postgresql.insert if session_dialect(session) == "postgresql" else sqlite.insert
    table = UnitMonth.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(unit_uscc=unit_uscc, month=month, region_code=region_code, **counts)
    statement = statement.on_conflict_do_update(
        index_elements=["unit_uscc", "month", "region_code"],
        set_={k: table.c[k] + statement.excluded[k] for k in counts},
    )
    await session.execute(statement)


FIGURES = (
    "warnings_blue",
    "warnings_orange",
    "warnings_red",
    "funds_warnings",
    "complaints",
    "cases_concluded",
    "cases_on_time",
)


async def unit_figures(
    session: AsyncSession, wanted: Iterable[tuple[str, str]], months: Sequence[str]
) -> dict[tuple[str, str], dict[str, int]]:
    """Per (unit, region): the sums of the unit's figures over ``months`` reported in that region or below it
    (figures of the same unit elsewhere are another region's). A pair nothing was reported about is absent,
    never zeros: zeros would score as a clean record."""
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    columns = [func.sum(getattr(UnitMonth, f)).label(f) for f in FIGURES]
    query = filtered(
        select(UnitMonth.unit_uscc, UnitMonth.region_code, *columns),
        col(UnitMonth.unit_uscc).in_(sorted({unit for unit, _ in pairs})),
        col(UnitMonth.month).in_(list(months)),
        within_regions(UnitMonth.region_code, {region_prefix(region) for _, region in pairs}),
    ).group_by(UnitMonth.unit_uscc, UnitMonth.region_code)
    rows = (await session.execute(query)).all()
    out: dict[tuple[str, str], dict[str, int]] = {}
    for unit, region in pairs:
        mine = [r for r in rows if r.unit_uscc == unit and region_contains(region, r.region_code)]
        if mine:
            out[(unit, region)] = {f: sum(int(r._mapping[f] or 0) for r in mine) for f in FIGURES}
    return out


async def unit_totals(
    session: AsyncSession, unit_uscc: str, months: Sequence[str], prefixes: Iterable[str]
) -> dict[str, int]:
    """The sums of a unit's figures over ``months`` reported within the regions of ``prefixes``."""
    columns = [func.sum(getattr(UnitMonth, f)).label(f) for f in FIGURES]
    query = select(*columns).where(
        col(UnitMonth.unit_uscc) == unit_uscc,
        col(UnitMonth.month).in_(list(months)),
        within_regions(UnitMonth.region_code, prefixes),
    )
    row = (await session.execute(query)).one()
    return {f: int(row._mapping[f] or 0) for f in FIGURES}


async def unit_regions(session: AsyncSession, unit_uscc: str, prefixes: Iterable[str]) -> list[str]:
    """The regions (among ``prefixes``, ``Principal.region_prefixes``) where something was reported about a unit."""
    query = (
        select(UnitMonth.region_code)
        .where(col(UnitMonth.unit_uscc) == unit_uscc, within_regions(UnitMonth.region_code, prefixes))
        .distinct()
    )
    return sorted((await session.execute(query)).scalars().all())
