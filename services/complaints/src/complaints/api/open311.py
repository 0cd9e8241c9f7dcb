"""Open311 GeoReport v2 (read only, no token): service types and request statuses of the public categories.

At the path GeoReport clients are configured with (``/v1/complaints/open311/v2``), public like the
``/public/`` routes (``sunlight.public``): no token, the per-address rate limit, no caller address upstream.
The shapes and parameter names are GeoReport v2's (JSON only; the answers are arrays, as the standard has them).
A report about an official never appears, nor any report's content.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses

from complaints import open311
from complaints.deps import SessionDep, SettingsDep
from complaints.models import Category
from complaints.schemas.reports import Open311RequestOut, Open311ServiceOut

router = APIRouter(prefix="/v1/complaints/open311/v2", tags=["open311"])
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
IDS = rf"^{UUID}(,{UUID}){{0,49}}$"


@router.get("/services.json", operation_id="listOpen311Services", summary="GeoReport v2: the service types")
async def list_services(settings: SettingsDep) -> list[Open311ServiceOut]:
    """The categories this deployment shows (``open311_categories``; by default general service requests)."""
    return open311.services(settings)


@router.get(
    "/requests.json",
    operation_id="listOpen311Requests",
    summary="GeoReport v2: the status of requests",
    responses=problem_responses(),
)
async def list_requests(
    session: SessionDep,
    settings: SettingsDep,
    jurisdiction_id: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    service_request_id: Annotated[
        str | None, Query(pattern=IDS, description="up to 50 ids, comma-separated; the other filters are ignored")
    ] = None,
    service_code: Category | None = None,
    start_date: Annotated[datetime | None, Query(description="requested on or after (RFC 3339)")] = None,
    end_date: Annotated[datetime | None, Query(description="requested on or before (RFC 3339)")] = None,
    status: Literal["open", "closed"] | None = None,
) -> list[Open311RequestOut]:
    """Newest first, at most ``open311_max_requests``; without ids or dates, the last ``open311_default_days``.
    ``description``, ``address``, ``lat``, ``long``, ``media_url`` and ``status_notes`` are always null."""
    if service_request_id is not None:
        ids = [uuid.UUID(part) for part in service_request_id.split(",")]
        return await open311.requests(session, settings, service_request_ids=ids)
    return await open311.requests(
        session,
        settings,
        jurisdiction_id=jurisdiction_id,
        service_code=service_code.value if service_code else None,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )


@router.get(
    "/requests/{service_request_id}.json",
    operation_id="getOpen311Request",
    summary="GeoReport v2: one request's status",
    responses=problem_responses(NotFound),
)
async def get_request(
    service_request_id: uuid.UUID, session: SessionDep, settings: SettingsDep
) -> list[Open311RequestOut]:
    """An array of one, as GeoReport v2 answers; 404 for an id that is not a public request."""
    found = await open311.requests(session, settings, service_request_ids=[service_request_id])
    if not found:
        raise NotFound("no such request")
    return found
