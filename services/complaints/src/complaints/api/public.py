"""Public routes: file a report without an account, follow it up with the receipt (no token).

The receipt travels in the body, never in a URL. Answers carry ``Cache-Control: no-store`` and
``Referrer-Policy: no-referrer`` (set for every ``/public/`` answer by the app). Nothing about the caller
is recorded; the gateway rate-limits these routes per address (as a keyed hash).
"""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import problem_responses

from complaints import intake
from complaints.deps import SessionDep, SettingsDep
from complaints.errors import AttachmentRefused, ReceiptNotRecognised, WrongState
from complaints.schemas.reports import (
    AppealIn,
    FollowUpOut,
    PublicReportIn,
    ReceiptIn,
    ReceiptOut,
    ReporterAttachmentsIn,
    ReporterMessageIn,
)

router = APIRouter(prefix="/v1/complaints/public", tags=["public"])


@router.post(
    "/reports",
    status_code=201,
    operation_id="createPublicReport",
    summary="File a report, named or anonymous, without an account",
    responses=problem_responses(AttachmentRefused),
)
async def create_public_report(body: PublicReportIn, session: SessionDep, settings: SettingsDep) -> ReceiptOut:
    """The answer's ``receipt`` is shown once and cannot be recovered: with it (in the body of
    ``POST /v1/complaints/public/follow-up``) the reporter reads the status and replies and sends messages.
    A named report's identity is sealed and read only by a registrar after a second registrar approves.
    No Idempotency-Key: the receipt is never stored, so an answer cannot be replayed; a retry files again.
    Up to 3 ``attachments`` (base64): each file's type is sniffed from its bytes (PDF, JPEG, PNG, DOCX,
    UTF-8 text), never taken from its name; a refused file refuses the report (422 …/attachment-refused)."""
    return await intake.file_report(session, settings, body)


@router.post(
    "/follow-up",
    operation_id="followUpPublicReport",
    summary="Read a report's status and the replies, with its receipt",
    responses=problem_responses(ReceiptNotRecognised),
)
async def follow_up(body: ReceiptIn, session: SessionDep, settings: SettingsDep) -> FollowUpOut:
    return await intake.follow_up(session, settings, body.receipt)


@router.post(
    "/follow-up/messages",
    operation_id="createPublicReportMessage",
    summary="Send a message to the handlers of a report, with its receipt",
    responses=problem_responses(ReceiptNotRecognised, WrongState),
)
async def add_message(body: ReporterMessageIn, session: SessionDep, settings: SettingsDep) -> FollowUpOut:
    return await intake.add_message(session, settings, body)


@router.post(
    "/follow-up/attachments",
    operation_id="createPublicReportAttachments",
    summary="Send files to the handlers of a report, with its receipt",
    responses=problem_responses(ReceiptNotRecognised, WrongState, AttachmentRefused),
)
async def add_attachments(body: ReporterAttachmentsIn, session: SessionDep, settings: SettingsDep) -> FollowUpOut:
    """Up to 3 files per call (base64), sealed with the report's key; refused once the report is closed,
    rejected or referred, and beyond ``attachments_max_per_report``."""
    return await intake.add_attachments(session, settings, body)


@router.post(
    "/follow-up/appeal",
    operation_id="appealPublicReport",
    summary="Ask for a review of a concluded report (复查), with its receipt",
    responses=problem_responses(ReceiptNotRecognised, WrongState),
)
async def appeal(body: AppealIn, session: SessionDep, settings: SettingsDep) -> FollowUpOut:
    return await intake.appeal(session, settings, body)
