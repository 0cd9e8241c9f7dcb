"""Uploaded complaint lifecycle logs (XES, IEEE 1849) imported in the background, and their status."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sunlight.codes import RegionCode
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page
from sunlight.uploads import ImportFormInvalid, ImportTooLarge, UnsupportedImportFormat, form_body, read_upload

from complaints import logjobs
from complaints.deps import ComplaintsReader, ComplaintsWriter, PageDep, SessionDep, SettingsDep, UploadKeyDep
from complaints.schemas.imports import LogImportOut

router = APIRouter(prefix="/v1/complaints/imports", tags=["imports"])

UPLOAD = form_body()


@router.post(
    "",
    status_code=202,
    operation_id="createComplaintsImport",
    summary="Upload a complaint lifecycle log (XES, plain or gzip); imported in the background",
    responses=problem_responses(ImportFormInvalid, ImportTooLarge, UnsupportedImportFormat, ForbiddenRegion),
    openapi_extra=UPLOAD,
)
async def create_import(
    request: Request,
    session: SessionDep,
    who: ComplaintsWriter,
    settings: SettingsDep,
    key: UploadKeyDep,
    region_code: Annotated[RegionCode, Query(description="the region the log's cases are filed under")],
    due_days: Annotated[
        int | None,
        Query(ge=1, le=730, description="the log's own deadline in days from receipt; without it the statutory one"),
    ] = None,
) -> LogImportOut:
    """The form has one ``log`` (the file). Each case becomes a closed or accepted report with its hand-offs
    between teams; late and handed-around cases raise their warnings. The answer is 202 with the import's status
    resource: poll ``GET /v1/complaints/imports/{id}`` for the counts and, at the end, ``done`` or ``failed``
    with the reason. Cases imported before (same case id) are skipped."""
    _fields, upload = await read_upload(request, settings.import_max_bytes)
    return await logjobs.create(
        session, who, request.app, region_code=region_code, due_days=due_days, upload=upload, key=key
    )


@router.get("", operation_id="listComplaintsImports", summary="Log imports in the caller's regions, newest first")
async def list_imports(session: SessionDep, who: ComplaintsReader, page: PageDep) -> Page[LogImportOut]:
    return await logjobs.list_imports(session, who, page)


@router.get(
    "/{import_id}",
    operation_id="getComplaintsImport",
    summary="A log import's status: progress, counts, outcome",
    responses=problem_responses(NotFound),
)
async def get_import(import_id: uuid.UUID, session: SessionDep, who: ComplaintsReader) -> LogImportOut:
    return await logjobs.get(session, who, import_id)
