"""Reports as the registrar and handlers see them: the queue, each report, its history and its steps."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query
from sunlight.batches import BatchKeyReused
from sunlight.codes import RegionCode
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.idempotency import BatchKeyDep
from sunlight.pagination import Page

from complaints import grouping, handling, imports, service
from complaints.deps import ComplaintsReader, ComplaintsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from complaints.errors import ConflictOfInterest, Destroyed, ExtensionExceeded, WrongState
from complaints.models import Category, Status
from complaints.schemas.imports import BatchOut, HotlineRecordIn
from complaints.schemas.reports import (
    AssignIn,
    ConclusionIn,
    DecisionIn,
    ExtensionIn,
    GroupOut,
    ReplyIn,
    ReportOut,
    ReportSummaryOut,
    ReviewIn,
    SplitIn,
    StepOut,
)

router = APIRouter(prefix="/v1/complaints/reports", tags=["reports"])
STEP = problem_responses(NotFound, WrongState, Destroyed)


@router.get("", operation_id="listReports", summary="The reports in the caller's regions, newest first")
async def list_reports(
    session: SessionDep,
    who: ComplaintsReader,
    page: PageDep,
    status: Status | None = None,
    category: Category | None = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    group_id: uuid.UUID | None = None,
) -> Page[ReportSummaryOut]:
    """The intake queue is ``?status=received``. No text or identity in a list: open a report to read it."""
    return await handling.list_reports(
        session,
        who,
        page,
        status=status.value if status else None,
        category=category.value if category else None,
        region_code=region_code,
        group_id=group_id,
    )


@router.get(
    "/{report_id}", operation_id="getReport", summary="One report with its text", responses=problem_responses(NotFound)
)
async def get_report(
    report_id: uuid.UUID, session: SessionDep, who: ComplaintsReader, settings: SettingsDep
) -> ReportOut:
    """The reporter's identity is never here (``has_identity`` says whether there is one)."""
    return await service.read_report(session, settings, who, report_id)


@router.get(
    "/{report_id}/steps",
    operation_id="listReportSteps",
    summary="The report's history: every step, who took it and when, oldest first",
    responses=problem_responses(NotFound),
)
async def list_steps(
    report_id: uuid.UUID, session: SessionDep, who: ComplaintsReader, settings: SettingsDep, page: PageDep
) -> Page[StepOut]:
    return await handling.timeline(session, settings, who, report_id, page)


@router.get(
    "/{report_id}/group",
    operation_id="getReportGroup",
    summary="The reports grouped with this one, and why",
    responses=problem_responses(NotFound),
)
async def get_group(report_id: uuid.UUID, session: SessionDep, who: ComplaintsReader) -> GroupOut:
    return await grouping.group_of(session, who, report_id)


@router.post(
    "/{report_id}/split",
    operation_id="splitReportFromGroup",
    summary="Take a wrongly grouped report out of its group",
    responses=STEP,
)
async def split(
    report_id: uuid.UUID,
    body: SplitIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> GroupOut:
    return await handling.split_from_group(session, settings, who, report_id, body.reason, key=key)


@router.post(
    "/{report_id}/decision",
    operation_id="decideReport",
    summary="Accept, refer to the responsible unit, or reject (with a reason)",
    responses=problem_responses(NotFound, WrongState, Destroyed, ConflictOfInterest),
)
async def decide(
    report_id: uuid.UUID,
    body: DecisionIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    """Accepting starts the conclusion period (``conclusion_days``). Referring to the unit the report is about
    is refused (409 …/conflict-of-interest) and raises COMPLAINTS-REFERRED-TO-SUBJECT."""
    return await handling.decide(session, settings, who, report_id, body, key=key)


@router.post(
    "/{report_id}/assignment",
    operation_id="assignReport",
    summary="Assign a handler (and the handling unit)",
    responses=problem_responses(NotFound, WrongState, Destroyed, ConflictOfInterest),
)
async def assign(
    report_id: uuid.UUID,
    body: AssignIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    return await handling.assign(session, settings, who, report_id, body, key=key)


@router.post(
    "/{report_id}/extension",
    operation_id="extendReport",
    summary="Extend the conclusion period (once, at most 30 days by default, with a reason)",
    responses=problem_responses(NotFound, WrongState, Destroyed, ExtensionExceeded),
)
async def extend(
    report_id: uuid.UUID,
    body: ExtensionIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    return await handling.extend(session, settings, who, report_id, body, key=key)


@router.post(
    "/{report_id}/conclusion",
    operation_id="concludeReport",
    summary="Conclude with findings and an outcome (and the reply to the reporter)",
    responses=STEP,
)
async def conclude(
    report_id: uuid.UUID,
    body: ConclusionIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    """Concluding a receipt holder's report with no reply sent raises COMPLAINTS-REPLY-MISSING."""
    return await handling.conclude(session, settings, who, report_id, body, key=key)


@router.post(
    "/{report_id}/replies", operation_id="replyToReporter", summary="Send a reply to the reporter", responses=STEP
)
async def reply(
    report_id: uuid.UUID,
    body: ReplyIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    return await handling.reply(session, settings, who, report_id, body, key=key)


@router.post(
    "/{report_id}/review",
    operation_id="reviewReportAppeal",
    summary="Decide the reporter's appeal: uphold (close) or reopen",
    responses=STEP,
)
async def review(
    report_id: uuid.UUID,
    body: ReviewIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> ReportOut:
    """Reopening starts a new conclusion period and raises COMPLAINTS-REOPENED-ON-APPEAL."""
    return await handling.review(session, settings, who, report_id, body, key=key)


@router.post(
    "/batch",
    status_code=201,
    operation_id="importHotlineRecords",
    summary="Import a bureau's hotline records in bulk (one transaction)",
    responses=problem_responses(BatchKeyReused, ForbiddenRegion),
)
async def import_batch(
    records: Annotated[list[HotlineRecordIn], Body(min_length=1, max_length=5000)],
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    batch_key: BatchKeyDep,  # after the caller: no key checks before 401/403
) -> BatchOut:
    """Up to 5,000 records (JSON array). Each becomes an accepted report with the bureau's deadline; a record
    closed after it, or open past it, raises COMPLAINTS-CONCLUSION-LATE. The same ``batch_key`` again returns
    the first result and writes nothing."""
    return await imports.import_batch(session, settings, who, records, batch_key=batch_key)
