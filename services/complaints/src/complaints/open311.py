"""Open311 GeoReport v2 reads (http://wiki.open311.org/GeoReport_v2): the service types and the status of the
requests in the public categories (``settings.open311_categories``, by default the hotline's general
service requests), so a city's dashboards and apps can show what is being done.

Never shown: a report about an official (whatever its category), and in any report its text, place,
reporter, handlers or files — GeoReport's ``description``, ``address``, ``lat``/``long``, ``media_url`` and
``status_notes`` are always null. What remains is the category, the region, the dates, the statutory
deadline, the handling unit and open/closed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_prefix
from sunlight.db import utcnow

from complaints import repository
from complaints.models import Category, Report, Status
from complaints.schemas.reports import Open311RequestOut, Open311ServiceOut
from complaints.settings import ComplaintsSettings

SERVICES: dict[str, tuple[str, str, str, str]] = {
    # code: (name, description, keywords, group)
    Category.SERVICE_REQUEST: (
        "General service request (一般诉求)",
        "A request or complaint about a public service, e.g. from the 12345 / 311 hotline",
        "hotline,12345,311,service",
        "Public services",
    ),
    Category.OTHER: ("Other (其他)", "A matter of no other category", "other", "Other"),
    Category.DERELICTION: (
        "Dereliction of duty (失职渎职)",
        "A unit failing to do what it must",
        "dereliction,duty",
        "Conduct",
    ),
    Category.CONDUCT: ("Conduct (作风问题)", "The conduct of a unit's staff", "conduct", "Conduct"),
    Category.MISUSE_OF_FUNDS: (
        "Misuse of funds (截留挪用资金)",
        "Funds diverted or claimed falsely",
        "funds",
        "Integrity",
    ),
    Category.TENDER_RIGGING: (
        "Tender rigging (违规招投标)",
        "Bid rigging or irregular tendering",
        "tender",
        "Integrity",
    ),
    Category.APPROVAL_MISCONDUCT: (
        "Approval misconduct (审批违规)",
        "An approval case handled improperly",
        "approval",
        "Integrity",
    ),
    Category.CORRUPTION: ("Corruption (贪污贿赂)", "Bribery or embezzlement", "corruption", "Integrity"),
}
OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.APPEALED)
CLOSED = (Status.REFERRED, Status.REJECTED, Status.CONCLUDED, Status.CLOSED, Status.PURGED)


def services(settings: ComplaintsSettings) -> list[Open311ServiceOut]:
    return [
        Open311ServiceOut(
            service_code=code,
            service_name=name,
            description=description,
            metadata=False,
            type="realtime",
            keywords=keywords,
            group=group,
        )
        for code, (name, description, keywords, group) in SERVICES.items()
        if code in settings.open311_categories
    ]


def _expected(report: Report) -> datetime | None:
    due = report.accept_due if report.status == Status.RECEIVED else report.conclude_due
    if due is None or report.status not in OPEN:
        return None
    return datetime.combine(due, time(23, 59, 59), tzinfo=UTC)


def request_out(report: Report) -> Open311RequestOut:
    return Open311RequestOut(
        service_request_id=str(report.id),
        status="open" if report.status in OPEN else "closed",
        service_name=SERVICES[report.category][0] if report.category in SERVICES else report.category,
        service_code=report.category,
        agency_responsible=report.handling_unit_uscc,
        requested_datetime=report.filed_at,
        updated_datetime=report.updated_at,
        expected_datetime=_expected(report),
        jurisdiction_id=report.region_code,
    )


async def requests(
    session: AsyncSession,
    settings: ComplaintsSettings,
    *,
    jurisdiction_id: str | None = None,
    service_request_ids: list[uuid.UUID] | None = None,
    service_code: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: str | None = None,
) -> list[Open311RequestOut]:
    """GeoReport v2 defaults: without ids or dates, the last ``open311_default_days``; at most
    ``open311_max_requests``, newest first."""
    categories = [c for c in settings.open311_categories if service_code is None or c == service_code]
    if not categories:
        return []
    if service_request_ids is None and start_date is None and end_date is None:
        start_date = utcnow() - timedelta(days=settings.open311_default_days)
    statuses = None if status is None else [s.value for s in (OPEN if status == "open" else CLOSED)]
    rows = await repository.open311_requests(
        session,
        categories=categories,
        region_prefix_=region_prefix(jurisdiction_id) if jurisdiction_id else None,
        ids=service_request_ids,
        since=start_date,
        until=end_date,
        statuses=statuses,
        limit=settings.open311_max_requests,
    )
    return [request_out(r) for r in rows]
