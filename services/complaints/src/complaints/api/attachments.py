"""A report's attachments as staff see them: the list, one file's bytes, and adding a file."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from complaints import attachments, sniff
from complaints.deps import ComplaintsReader, ComplaintsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from complaints.errors import AttachmentRefused, Destroyed, WrongState
from complaints.schemas.reports import AttachmentIn, AttachmentOut

router = APIRouter(prefix="/v1/complaints/reports/{report_id}/attachments", tags=["reports"])

BINARY: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file's bytes, of the type sniffed when it was received",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in sniff.KNOWN},
    }
}


@router.get(
    "",
    operation_id="listReportAttachments",
    summary="The files sent with a report (names and types; not the bytes)",
    responses=problem_responses(NotFound, Destroyed),
)
async def list_attachments(
    report_id: uuid.UUID, session: SessionDep, who: ComplaintsReader, settings: SettingsDep, page: PageDep
) -> Page[AttachmentOut]:
    """Oldest first. A report whose retention ended has none (409 …/report-destroyed)."""
    return await attachments.list_for_staff(session, settings, who, report_id, page)


@router.get(
    "/{attachment_id}/content",
    operation_id="getReportAttachmentContent",
    summary="Download one file sent with a report",
    response_class=Response,
    responses={**problem_responses(NotFound, Destroyed), **BINARY},
)
async def get_attachment_content(
    report_id: uuid.UUID, attachment_id: uuid.UUID, session: SessionDep, who: ComplaintsReader, settings: SettingsDep
) -> Response:
    """The bytes as received, with the type sniffed from them then; ``Content-Disposition: attachment`` (never
    shown inline), ``Cache-Control: no-store``, ``X-Content-Type-Options: nosniff``. The original file name is
    in the list, not in a header."""
    data, kind, name = await attachments.content_for_staff(session, settings, who, report_id, attachment_id)
    return Response(
        content=data,
        media_type=kind,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.post(
    "",
    status_code=201,
    operation_id="createReportAttachment",
    summary="Add a file to a report (e.g. evidence gathered while handling it)",
    responses=problem_responses(NotFound, WrongState, Destroyed, AttachmentRefused),
)
async def add_attachment(
    report_id: uuid.UUID,
    body: AttachmentIn,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: IdempotencyKeyDep,
) -> AttachmentOut:
    """The type is sniffed from the bytes; the name and bytes are sealed with the report's key."""
    return await attachments.add_by_staff(session, settings, who, report_id, body, key=key)
