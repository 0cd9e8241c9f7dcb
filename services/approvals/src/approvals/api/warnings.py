"""Approvals' own view of the warnings it raised, and the sweep run now."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import NationwideOnly, problem_responses
from sunlight.pagination import Page

from approvals import alerts, sweeps
from approvals.deps import ApprovalsNationalAdmin, ApprovalsReader, PageDep, SessionDep, SettingsDep
from approvals.errors import FutureSweep
from approvals.schemas.cases import LevelName, SweepIn, SweepOut, WarningOut

router = APIRouter(prefix="/v1/approvals", tags=["warnings"])


@router.get(
    "/warnings", operation_id="listApprovalsWarnings", summary="Warnings approvals raised, in the caller's regions"
)
async def list_warnings(
    session: SessionDep,
    who: ApprovalsReader,
    page: PageDep,
    rule_id: Annotated[str | None, Query(max_length=64, description="e.g. APPROVALS-LEGAL-OVERDUE")] = None,
    level: LevelName | None = None,
    case_id: uuid.UUID | None = None,
) -> Page[WarningOut]:
    return await alerts.list_warnings(
        session, who, page, rule_id=rule_id, level=level.value if level else None, case_id=case_id
    )


@router.post(
    "/sweeps",
    operation_id="runApprovalsSweep",
    summary="Sweep every open case now (time limits, special procedures, certificates)",
    responses=problem_responses(FutureSweep, NationwideOnly),
)
async def run_sweep(body: SweepIn, session: SessionDep, who: ApprovalsNationalAdmin, settings: SettingsDep) -> SweepOut:
    """The same sweep the service runs every ``sweep_every_seconds``, over every region; ``as_of`` may lie in the
    past, not the future. Needs ``approvals:admin`` on a nationwide token (region ``000000``)."""
    return await sweeps.sweep_now(session, settings, as_of=body.as_of)
