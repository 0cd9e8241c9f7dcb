"""The warning register (预警登记)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.pagination import Page
from sunlight.warnings import Level

from integrity import service
from integrity.deps import IntegrityReader, PageDep, SessionDep
from integrity.models import WarningStatus
from integrity.schemas import WarningFilter, WarningOut

router = APIRouter(prefix="/v1/integrity/warnings", tags=["warnings"])


@router.get("", summary="Warnings in the caller's regions, newest first")
async def list_warnings(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    rule_id: Annotated[str | None, Query(max_length=64, description="e.g. FUNDS-OVERSPEND")] = None,
    level: Level | None = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    service_name: Annotated[str | None, Query(alias="service", pattern=r"^[a-z]+$")] = None,
    status: WarningStatus | None = None,
) -> Page[WarningOut]:
    where = WarningFilter(rule_id=rule_id, level=level, region_code=region_code, service=service_name, status=status)
    return await service.list_warnings(session, who, where, page)
