"""Imports of real public payment files (真实数据导入)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sunlight.batches import BatchInvalid, BatchTooLarge, read_body
from sunlight.codes import RegionCode
from sunlight.errors import ForbiddenRegion, problem_responses

from funds import imports
from funds.deps import FundsWriter, SessionDep, SettingsDep
from funds.errors import DuplicateCode, ImportInvalid
from funds.schemas.common import CODE
from funds.schemas.imports import ImportOut

router = APIRouter(prefix="/v1/funds/imports", tags=["imports"])


@router.post(
    "/oxford-expenditure",
    operation_id="importOxfordExpenditure",
    status_code=201,
    summary="Import an Oxford City Council 'expenditure over £500' CSV file as a programme",
    responses={
        200: {"description": "The same file was imported under this code before; its summary again"},
        **problem_responses(ImportInvalid, BatchInvalid, BatchTooLarge, DuplicateCode, ForbiddenRegion),
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
async def import_oxford(
    request: Request,
    response: Response,
    session: SessionDep,
    who: FundsWriter,
    settings: SettingsDep,
    code: Annotated[str, Query(min_length=1, max_length=64, pattern=CODE, description="the new programme's code")],
    region_code: Annotated[RegionCode, Query(description="the region the programme is filed under")],
    name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> ImportOut:
    """One quarter's file becomes one programme: the council as root, each service area a department, each
    row a payment to its supplier (rows that are not payments are listed in ``skipped``). All or nothing.
    Sending the same file under the same code again replays the first answer (200)."""
    raw = await read_body(request, settings.batch_max_bytes)
    out, replayed = await imports.import_oxford_expenditure(
        session, settings, who, raw=raw, code=code, region_code=region_code, name=name
    )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return out
