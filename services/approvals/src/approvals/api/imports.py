"""Uploaded process logs (XES, IEEE 1849) imported in the background, and their status."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sunlight.codes import RegionCode
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page
from sunlight.uploads import ImportFormInvalid, ImportTooLarge, UnsupportedImportFormat, form_body, read_upload

from approvals import imports
from approvals.deps import ApprovalsReader, ApprovalsWriter, PageDep, SessionDep, SettingsDep, UploadKeyDep
from approvals.schemas.imports import LogImportOut

router = APIRouter(prefix="/v1/approvals/imports", tags=["imports"])

UPLOAD = form_body(mapping="the TOML mapping of the log onto the catalogue")


@router.post(
    "",
    status_code=202,
    operation_id="createApprovalsImport",
    summary="Upload an XES log (plain or gzip) and its mapping; imported in the background",
    responses=problem_responses(ImportFormInvalid, ImportTooLarge, UnsupportedImportFormat, ForbiddenRegion),
    openapi_extra=UPLOAD,
)
async def create_import(
    request: Request,
    session: SessionDep,
    who: ApprovalsWriter,
    settings: SettingsDep,
    key: UploadKeyDep,
    region_code: Annotated[RegionCode, Query(description="the region the log's cases are filed under")],
) -> LogImportOut:
    """The form has a ``mapping`` (TOML, as for ``approvals-check``; its items must be in the catalogue of the
    region or one above it) and a ``log`` (the file). The upload is streamed to disk, the mapping checked (422),
    and the answer is 202 with the import's status resource: poll ``GET /v1/approvals/imports/{id}`` for the
    progress, the findings per rule and, at the end, ``done`` or ``failed`` with the reason."""
    fields, upload = await read_upload(request, settings.import_max_bytes, fields=["mapping"], required=["mapping"])
    return await imports.create(
        session, settings, who, request.app, region_code=region_code, mapping_text=fields["mapping"], upload=upload,
        key=key,
    )  # fmt: skip


@router.get("", operation_id="listApprovalsImports", summary="Log imports in the caller's regions, newest first")
async def list_imports(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[LogImportOut]:
    return await imports.list_imports(session, who, page)


@router.get(
    "/{import_id}",
    operation_id="getApprovalsImport",
    summary="A log import's status: progress, findings per rule, outcome",
    responses=problem_responses(NotFound),
)
async def get_import(import_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> LogImportOut:
    return await imports.get(session, who, import_id)
