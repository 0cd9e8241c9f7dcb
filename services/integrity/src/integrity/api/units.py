"""Units (by USCC): what the other services reported about them, per period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sunlight.codes import RegionCode

from integrity import units
from integrity.deps import IntegrityReader, SessionDep
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.units import UnitActivityOut

router = APIRouter(prefix="/v1/integrity/units", tags=["integrity index"])


@router.get(
    "/{unit_uscc}/activity",
    operation_id="getIntegrityUnitActivity",
    summary="Warnings, complaints and approval timeliness of a unit in a period",
)
async def unit_activity(
    session: SessionDep,
    who: IntegrityReader,
    unit_uscc: Annotated[str, Path(min_length=18, max_length=18)],
    period: Annotated[str, Query(pattern=PERIOD, examples=["2026"])],
    region_code: Annotated[
        RegionCode | None,
        Query(description="what was reported in this region and below (default: the caller's regions)"),
    ] = None,
) -> UnitActivityOut:
    """A unit's figures belong to the region they were reported in: another region's are not counted."""
    return await units.unit_activity(session, who, unit_uscc.upper(), period=period, region_code=region_code)
