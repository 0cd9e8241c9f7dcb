"""Cases (办件): their steps pushed one at a time or in batches, read back with their timeline."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sunlight.batches import BatchInvalid, BatchKeyReused, BatchTooLarge, UnsupportedBatchFormat, read_body
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.idempotency import BatchKeyDep
from sunlight.pagination import Page
from sunlight.workdays import CalendarNotCovered

from approvals import cases
from approvals.deps import ApprovalsReader, ApprovalsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from approvals.errors import ItemMismatch, StepBeforeCase, UnknownItem
from approvals.models import CaseStatus
from approvals.schemas.cases import BatchOut, CaseOut, LevelName, StepIn, StepResultOut, TimelineOut

router = APIRouter(prefix="/v1/approvals", tags=["cases"])

BATCH_BODY = {
    "requestBody": {
        "required": True,
        "description": "The steps: a JSON array of StepIn, or one per line (NDJSON).",
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/StepIn"}}},
            "application/x-ndjson": {"schema": {"type": "string", "description": "one StepIn per line"}},
        },
    }
}


@router.post(
    "/steps",
    status_code=201,
    operation_id="recordApprovalsStep",
    summary="Record one step of a case (the first step of a case number creates the case)",
    responses=problem_responses(UnknownItem, ItemMismatch, StepBeforeCase, ForbiddenRegion, CalendarNotCovered),
)
async def record_step(
    body: StepIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> StepResultOut:
    """The step is kept whatever its order (a misplaced one is flagged ``out_of_order`` and raises
    APPROVALS-STEP-ORDER); the case is evaluated against every case rule and its warnings go to integrity.
    A date in a year the working-day calendar does not cover is 503 ``…/calendar-not-covered``."""
    return await cases.record_step(session, settings, who, body, key=key)


@router.post(
    "/steps/batch",
    status_code=201,
    operation_id="importApprovalsSteps",
    summary="Record a batch of steps, all or nothing",
    responses={
        200: {"description": "The batch was written before under this key; its result again"},
        **problem_responses(BatchInvalid, BatchTooLarge, BatchKeyReused, UnsupportedBatchFormat, CalendarNotCovered),
    },
    openapi_extra=BATCH_BODY,
)
async def import_steps(
    request: Request,
    response: Response,
    session: SessionDep,
    who: ApprovalsWriter,
    settings: SettingsDep,
    batch_key: BatchKeyDep,
) -> BatchOut:
    """Every record is checked first; one wrong record refuses the whole batch with 422 ``…/batch-invalid`` and
    ``errors`` (index, JSON pointer, type, message). At most ``batch_max_records`` records (413 beyond)."""
    raw = await read_body(request, settings.batch_max_bytes)
    out, replayed = await cases.import_batch(
        session, settings, who, raw=raw, content_type=request.headers.get("content-type", ""), batch_key=batch_key
    )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return out


@router.get("/cases", operation_id="listApprovalsCases", summary="Cases in the caller's regions, newest first")
async def list_cases(
    session: SessionDep,
    who: ApprovalsReader,
    page: PageDep,
    item_id: uuid.UUID | None = None,
    window_code: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    officer_code: Annotated[str | None, Query(min_length=1, max_length=64, description="who undertakes it")] = None,
    status: CaseStatus | None = None,
    due_before: Annotated[date | None, Query(description="legal deadline before this day")] = None,
    level: Annotated[LevelName | None, Query(description="the worst open warning of the case")] = None,
) -> Page[CaseOut]:
    return await cases.list_cases(
        session,
        who,
        page,
        item_id=item_id,
        window_code=window_code,
        officer_code=officer_code,
        status=status.value if status else None,
        due_before=due_before,
        level=level.value if level else None,
    )


@router.get(
    "/cases/{case_id}", operation_id="getApprovalsCase", summary="One case", responses=problem_responses(NotFound)
)
async def get_case(case_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> CaseOut:
    return await cases.get_case(session, who, case_id)


@router.get(
    "/cases/{case_id}/timeline",
    operation_id="getApprovalsCaseTimeline",
    summary="A case's steps in the order they happened, and its clock",
    responses=problem_responses(NotFound, CalendarNotCovered),
)
async def get_timeline(
    case_id: uuid.UUID, session: SessionDep, who: ApprovalsReader, settings: SettingsDep
) -> TimelineOut:
    return await cases.timeline(session, settings, who, case_id)
