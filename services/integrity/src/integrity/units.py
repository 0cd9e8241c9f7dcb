"""Per-unit figures: complaints and approval cases counted for a unit (consumers), and reading them.

The consumers run inside the dispatcher's transaction and leave the commit to it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import NATIONWIDE, parent_region, region_contains, region_prefix, validate_uscc
from sunlight.errors import NotFound
from sunlight.events import Envelope
from sunlight.events.contracts.approvals import CaseConcluded
from sunlight.events.contracts.complaints import ReportFiled

from integrity import index, periods
from integrity.repository import register as register_repo
from integrity.repository import units as units_repo
from integrity.schemas.units import UnitActivityOut
from integrity.settings import IntegritySettings


async def count_report(session: AsyncSession, event: Envelope[ReportFiled], settings: IntegritySettings) -> None:
    """A complaint counts against a unit when it names the unit (subject kind ``unit``, id its USCC) or a
    subject the register has seen belong to one."""
    data = event.data
    if data.subject is None:
        return
    unit: str | None = None
    if data.subject.kind == "unit":
        try:
            unit = validate_uscc(data.subject.id)
        except ValueError:
            unit = None
    else:
        unit = await register_repo.unit_of_subject(session, data.subject.service, data.subject.kind, data.subject.id)
    if unit is not None:
        month = periods.month_of(data.filed_at, settings.zone)
        await units_repo.bump_unit(session, unit, month, data.region_code, complaints=1)


async def count_case(session: AsyncSession, event: Envelope[CaseConcluded], settings: IntegritySettings) -> None:
    """A concluded approval case counts for its department: concluded, and on time or not."""
    data = event.data
    if data.department_uscc is None:
        return
    month = periods.month_of(data.concluded_at, settings.zone)
    await units_repo.bump_unit(
        session, data.department_uscc, month, data.region_code, cases_concluded=1, cases_on_time=int(data.on_time)
    )


def _enclosing(codes: Sequence[str]) -> str:
    """The smallest region containing every code (``130302`` and ``130303`` → ``130300``)."""
    region: str | None = codes[0]
    while region is not None and not all(region_contains(region, code) for code in codes):
        region = parent_region(region)
    return region or NATIONWIDE


async def unit_activity(
    session: AsyncSession, who: Principal, unit_uscc: str, *, period: str, region_code: str | None = None
) -> UnitActivityOut:
    """What was reported about a unit in ``region_code`` (default: the caller's regions) and below it; a
    unit's figures in another region are that region's. ``region_code`` of the answer is the region counted."""
    if region_code is not None:
        who.ensure_can_read(region_code, "unit")
    prefixes = (region_prefix(region_code),) if region_code else who.region_prefixes
    regions = await units_repo.unit_regions(session, unit_uscc, prefixes)
    if not regions:
        raise NotFound("nothing recorded about this unit")
    counts = await units_repo.unit_totals(session, unit_uscc, periods.months(period), prefixes)
    region = region_code or _enclosing(regions)
    return UnitActivityOut(
        unit_uscc=unit_uscc,
        period=period,
        region_code=region,
        **counts,
        on_time_rate=index.figure("approvals_on_time_rate", counts),
    )
