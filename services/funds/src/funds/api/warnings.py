"""Funds' own view of the warnings it raised (预警), and running the periodic rules now."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import NationwideOnly, problem_responses
from sunlight.pagination import Page
from sunlight.warnings import Level, WarningStatus

from funds import alerts, scans
from funds.deps import FundsNationalAdmin, FundsReader, PageDep, SessionDep, SettingsDep
from funds.errors import FutureScan
from funds.models import FundsSubjectKind
from funds.schemas.warnings import ScanIn, ScanOut, WarningFilter, WarningOut

router = APIRouter(prefix="/v1/funds", tags=["warnings"])


@router.get(
    "/warnings",
    operation_id="listFundsWarnings",
    summary="Warnings funds raised, in the caller's regions, newest first",
)
async def list_warnings(
    session: SessionDep,
    who: FundsReader,
    page: PageDep,
    rule_id: Annotated[str | None, Query(max_length=64, description="e.g. FUNDS-OVERSPEND")] = None,
    level: Level | None = None,
    status: Annotated[WarningStatus | None, Query(description="the register status integrity reported")] = None,
    subject_kind: FundsSubjectKind | None = None,
    subject_id: Annotated[str | None, Query(max_length=100)] = None,
    programme_id: uuid.UUID | None = None,
    dedupe_key: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[WarningOut]:
    """Each warning's ``status`` is its register entry's as integrity last reported it (``open`` until a
    disposition opens; the same vocabulary as ``GET /v1/integrity/warnings``); ``frozen`` says whether the
    disposition holds its subject pending review."""
    where = WarningFilter(
        rule_id=rule_id,
        level=level.value if level else None,
        status=status,
        subject_kind=subject_kind.value if subject_kind else None,
        subject_id=subject_id,
        programme_id=programme_id,
        dedupe_key=dedupe_key,
    )
    return await alerts.list_warnings(session, who, where, page)


@router.post(
    "/scans",
    operation_id="runFundsScans",
    summary="Run the periodic rules now (late pass-down, idle funds, audit deadlines, Benford)",
    responses=problem_responses(FutureScan, NationwideOnly),
)
async def run_scans(body: ScanIn, session: SessionDep, who: FundsNationalAdmin, settings: SettingsDep) -> ScanOut:
    """The same scan the service runs every ``scan_every_seconds``, over every region; ``as_of`` may lie in the
    past, not the future. Needs ``funds:admin`` on a nationwide token (region ``000000``)."""
    return await scans.scan_now(session, settings, as_of=body.as_of)
