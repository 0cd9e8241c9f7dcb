"""OCDS files imported and stored (the tenders of other publishers, for the indicators and re-publication)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sunlight.codes import RegionCode
from sunlight.errors import ForbiddenRegion, NotFound, PayloadTooLarge, problem_responses
from sunlight.pagination import Page

from tenders import ocds_imports
from tenders.deps import IdempotencyKeyDep, PageDep, SessionDep, SettingsDep, TendersReader, TendersWriter
from tenders.errors import OcdsMalformed, OcdsNotUtf8, OcdsUnknownEncoding, OcdsUnknownFormat
from tenders.schemas.ocds import OcdsImportOut, OcdsProcessOut

router = APIRouter(prefix="/v1/tenders/ocds", tags=["ocds"])

ENCODING = r"^[A-Za-z0-9_.:-]+$"
ENCODING_DOC = "the file's encoding when it is not UTF-8 (e.g. iso-8859-1); without it such a file is refused"
BINARY = {"schema": {"type": "string", "format": "binary"}}
# the JSON shapes the reader takes (a package, a release, or an array of releases), with the smallest package
OCDS_JSON = {
    "schema": {
        "description": "an OCDS 1.0/1.1 release package or record package, one release, or an array of releases",
        "oneOf": [
            {"type": "object", "description": "a package or one release"},
            {"type": "array", "items": {"type": "object"}, "description": "releases"},
        ],
    },
    "example": {
        "uri": "https://ggzy.example.gov.cn/ocds/2026-0001.json",
        "version": "1.1",
        "publishedDate": "2026-03-01T09:00:00+08:00",
        "publisher": {"name": "秦皇岛市公共资源交易中心"},
        "releases": [
            {
                "ocid": "ocds-213czf-130302-2026-0001",
                "id": "ocds-213czf-130302-2026-0001-tender-1",
                "date": "2026-03-01T09:00:00+08:00",
                "tag": ["tender"],
                "initiationType": "tender",
                "tender": {"id": "T-2026-0001", "title": "海港区第三小学操场改造", "status": "active"},
            }
        ],
    },
}


@router.post(
    "/imports",
    status_code=201,
    operation_id="importTenderOcds",
    summary="Import an OCDS file (release or record package, JSON Lines, releases) and store its processes",
    responses=problem_responses(
        OcdsNotUtf8, OcdsMalformed, OcdsUnknownFormat, OcdsUnknownEncoding, PayloadTooLarge, ForbiddenRegion
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": OCDS_JSON, "application/x-ndjson": BINARY}}
    },
)
async def import_ocds(
    request: Request,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
    region_code: Annotated[RegionCode, Query(description="the region the processes are filed under")],
    encoding: Annotated[
        str | None, Query(min_length=1, max_length=40, pattern=ENCODING, description=ENCODING_DOC)
    ] = None,
) -> OcdsImportOut:
    """The body is streamed (never held in memory whole). Each contracting process is stored as its compiled
    release under ``region_code``; re-importing the same releases changes nothing (``unchanged``). All or
    nothing; the answer is the import's receipt, also at ``GET /v1/tenders/ocds/imports/{import_id}``."""
    return await ocds_imports.import_ocds(
        session, settings, who, request.stream(), region_code=region_code, encoding=encoding, key=key
    )


@router.get(
    "/imports/{import_id}",
    operation_id="getTenderOcdsImport",
    summary="The receipt of an OCDS import",
    responses=problem_responses(NotFound),
)
async def read_import(import_id: uuid.UUID, session: SessionDep, who: TendersReader) -> OcdsImportOut:
    """Counts (releases, processes created, updated, unchanged) and what was skipped, and why."""
    return await ocds_imports.read_import(session, who, import_id)


@router.get(
    "/processes",
    operation_id="listTenderOcdsProcesses",
    summary="Imported contracting processes in the caller's regions, newest first",
)
async def list_processes(
    session: SessionDep,
    who: TendersReader,
    page: PageDep,
    import_id: Annotated[
        uuid.UUID | None, Query(description="only the processes this import created or replaced")
    ] = None,
) -> Page[OcdsProcessOut]:
    """Each process summarised from its compiled release (title, buyer, status, method, value, bids, awards);
    the whole release is at ``GET /v1/tenders/ocds/processes/{ocid}``."""
    return await ocds_imports.list_processes(session, who, page, import_id=import_id)


@router.get(
    "/processes/{ocid}",
    operation_id="getTenderOcdsProcess",
    summary="An imported contracting process as an OCDS release package of its compiled release",
    responses=problem_responses(NotFound),
)
async def read_process(
    ocid: Annotated[str, Path(min_length=1, max_length=200)], request: Request, session: SessionDep, who: TendersReader
) -> dict[str, Any]:
    """The stored compiled release, as imported (merged with ocdsmerge where the file had releases)."""
    return await ocds_imports.process_package(session, who, ocid, uri=str(request.url))
