"""Complaints queries. Never commits: the use case owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_prefix
from sunlight.db import starts_with_digits, within_regions
from sunlight.pagination import PageParams, keyset

from complaints.models import (
    Attachment,
    ComplaintsWarning,
    IdentityAccess,
    IdentityRequest,
    ImportBatch,
    LogImport,
    OutcomeNotice,
    Report,
    ReportBand,
    ReportKey,
    Step,
)


async def report(session: AsyncSession, report_id: uuid.UUID, *, for_update: bool = False) -> Report | None:
    query = select(Report).where(Report.id == report_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def report_by_receipt(session: AsyncSession, lookup: str, *, for_update: bool = False) -> Report | None:
    query = select(Report).where(Report.receipt_lookup == lookup)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def reports(
    session: AsyncSession, prefixes: Sequence[str], page: PageParams, where: dict[str, Any]
) -> Sequence[Report]:
    query = select(Report).where(within_regions(Report.region_code, prefixes))
    for name, value in where.items():
        if value is None:
            continue
        if name == "region_code":
            query = query.where(within_regions(Report.region_code, [region_prefix(value)]))
        else:
            query = query.where(getattr(Report, name) == value)
    return (await session.execute(keyset(query, page, Report.filed_at, Report.id))).scalars().all()


async def key_of(session: AsyncSession, report_id: uuid.UUID) -> ReportKey | None:
    return await session.get(ReportKey, report_id)


async def steps(session: AsyncSession, report_id: uuid.UUID, page: PageParams | None = None) -> Sequence[Step]:
    query = select(Step).where(Step.report_id == report_id)
    if page is None:
        return (await session.execute(query.order_by(Step.at, Step.id))).scalars().all()
    return (await session.execute(keyset(query, page, Step.at, Step.id, descending=False))).scalars().all()


async def count_messages(session: AsyncSession, report_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Step).where(Step.report_id == report_id, Step.kind == "reporter_message")
    return int((await session.execute(query)).scalar_one())


async def first_on_subject(
    session: AsyncSession, subject_key: str, since: datetime, *, exclude: uuid.UUID
) -> Report | None:
    """The earliest report since ``since`` about this subject (its group is the one to join)."""
    query = (
        select(Report)
        .where(Report.subject_key == subject_key, Report.filed_at >= since, Report.id != exclude)
        .where(Report.status != "purged")
        .order_by(Report.filed_at, Report.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def band_heads(
    session: AsyncSession, bands: Iterable[str], since: datetime, city_prefix: str, *, exclude: uuid.UUID
) -> Sequence[Any]:
    """(id, filed_at, signature) of the first reports of groups, filed since ``since`` in the same city, that
    share at least one LSH band with ``bands``: the candidates a new report is compared with."""
    ids = select(ReportBand.report_id).where(ReportBand.band.in_(list(bands)), ReportBand.filed_at >= since).distinct()
    query = select(Report.id, Report.filed_at, Report.signature).where(
        Report.id.in_(ids),  # type: ignore[attr-defined]
        Report.group_id == Report.id,
        Report.id != exclude,
        starts_with_digits(Report.region_code, city_prefix),
        Report.signature.is_not(None),  # type: ignore[union-attr]
    )
    return (await session.execute(query.order_by(Report.filed_at, Report.id))).all()


async def group_members(session: AsyncSession, group_id: uuid.UUID) -> Sequence[Report]:
    query = select(Report).where(Report.group_id == group_id).order_by(Report.filed_at, Report.id)
    return (await session.execute(query)).scalars().all()


async def group_size(session: AsyncSession, group_id: uuid.UUID | None) -> int:
    if group_id is None:
        return 1
    query = select(func.count()).select_from(Report).where(Report.group_id == group_id)
    return int((await session.execute(query)).scalar_one())


async def undecided_due(session: AsyncSession, before: date) -> Sequence[Report]:
    query = select(Report).where(Report.status == "received", Report.accept_due < before)
    return (await session.execute(query)).scalars().all()


async def unconcluded_due(session: AsyncSession, before: date) -> Sequence[Report]:
    query = select(Report).where(Report.status == "accepted", Report.conclude_due < before)  # type: ignore[operator]
    return (await session.execute(query)).scalars().all()


async def finished_before(session: AsyncSession, before: datetime) -> Sequence[Report]:
    query = select(Report).where(
        Report.status.in_(("closed", "rejected", "referred")),  # type: ignore[attr-defined]
        Report.closed_at.is_not(None),  # type: ignore[union-attr]
        Report.closed_at < before,  # type: ignore[operator]
    )
    return (await session.execute(query)).scalars().all()


async def count_attachments(session: AsyncSession, report_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Attachment).where(Attachment.report_id == report_id)
    return int((await session.execute(query)).scalar_one())


async def attachments(
    session: AsyncSession, report_id: uuid.UUID, page: PageParams | None = None
) -> Sequence[Attachment]:
    query = select(Attachment).where(Attachment.report_id == report_id)
    if page is None:
        return (await session.execute(query.order_by(Attachment.at, Attachment.id))).scalars().all()
    return (await session.execute(keyset(query, page, Attachment.at, Attachment.id, descending=False))).scalars().all()


async def attachment(session: AsyncSession, report_id: uuid.UUID, attachment_id: uuid.UUID) -> Attachment | None:
    query = select(Attachment).where(Attachment.id == attachment_id, Attachment.report_id == report_id)
    return (await session.execute(query)).scalar_one_or_none()


async def destroy(session: AsyncSession, report_id: uuid.UUID) -> None:
    """Drop the report's data key (every sealed copy becomes unreadable), its bands and its attachments."""
    await session.execute(delete(ReportKey).where(ReportKey.report_id == report_id))  # type: ignore[arg-type]
    await session.execute(delete(Attachment).where(Attachment.report_id == report_id))  # type: ignore[arg-type]
    await session.execute(delete(ReportBand).where(ReportBand.report_id == report_id))  # type: ignore[arg-type]


async def keys_to_rewrap(session: AsyncSession, current: str, limit: int) -> Sequence[ReportKey]:
    query = select(ReportKey).where(ReportKey.wrapped.not_like(f"v1.{current}.%")).limit(limit)  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def warnings_by_keys(session: AsyncSession, keys: Iterable[str]) -> dict[str, ComplaintsWarning]:
    keys = list(keys)
    if not keys:
        return {}
    query = select(ComplaintsWarning).where(ComplaintsWarning.dedupe_key.in_(keys))  # type: ignore[attr-defined]
    return {w.dedupe_key: w for w in (await session.execute(query)).scalars().all()}


async def identity_request(
    session: AsyncSession, request_id: uuid.UUID, *, for_update: bool = False
) -> IdentityRequest | None:
    query = select(IdentityRequest).where(IdentityRequest.id == request_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def identity_requests(session: AsyncSession, report_id: uuid.UUID, page: PageParams) -> Sequence[IdentityRequest]:
    query = select(IdentityRequest).where(IdentityRequest.report_id == report_id)
    return (
        (await session.execute(keyset(query, page, IdentityRequest.requested_at, IdentityRequest.id))).scalars().all()
    )


async def identity_accesses(session: AsyncSession, report_id: uuid.UUID, page: PageParams) -> Sequence[IdentityAccess]:
    query = select(IdentityAccess).where(IdentityAccess.report_id == report_id)
    return (await session.execute(keyset(query, page, IdentityAccess.at, IdentityAccess.id))).scalars().all()


async def batch(session: AsyncSession, owner: str, batch_key: str) -> ImportBatch | None:
    query = select(ImportBatch).where(ImportBatch.owner == owner, ImportBatch.batch_key == batch_key)
    return (await session.execute(query)).scalar_one_or_none()


async def external_ids(session: AsyncSession, ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    if not ids:
        return set()
    query = select(Report.external_id).where(Report.external_id.in_(ids))  # type: ignore[union-attr]
    return {row for row in (await session.execute(query)).scalars().all() if row}


async def listed_imports(session: AsyncSession, prefixes: Iterable[str], page: PageParams) -> Sequence[LogImport]:
    query = select(LogImport).where(within_regions(LogImport.region_code, prefixes))
    return (await session.execute(keyset(query, page, LogImport.created_at, LogImport.id))).scalars().all()


async def reports_to_tell(session: AsyncSession, subject_key: str, filed_by: datetime) -> Sequence[Report]:
    """Reports on this subject, filed by ``filed_by``, whose reporter asked to be told and can still read."""
    query = select(Report).where(
        Report.subject_key == subject_key,
        Report.notify_outcome.is_(True),  # type: ignore[attr-defined]
        Report.receipt_lookup.is_not(None),  # type: ignore[union-attr]
        Report.status != "purged",
        Report.filed_at <= filed_by,
    )
    return (await session.execute(query.order_by(Report.filed_at, Report.id))).scalars().all()


async def outcome_notice(
    session: AsyncSession, report_id: uuid.UUID, warning_id: str, status: str
) -> OutcomeNotice | None:
    return await session.get(OutcomeNotice, (report_id, warning_id, status))


async def open311_requests(
    session: AsyncSession,
    *,
    categories: Sequence[str],
    region_prefix_: str | None,
    ids: Sequence[uuid.UUID] | None,
    since: datetime | None,
    until: datetime | None,
    statuses: Sequence[str] | None,
    limit: int,
) -> Sequence[Report]:
    """Reports of the public categories, never about an official, newest first."""
    query = select(Report).where(Report.category.in_(list(categories)), Report.subject_kind != "official")  # type: ignore[attr-defined]
    if region_prefix_ is not None:
        query = query.where(within_regions(Report.region_code, [region_prefix_]))
    if ids is not None:
        query = query.where(Report.id.in_(list(ids)))  # type: ignore[attr-defined]
    if since is not None:
        query = query.where(Report.filed_at >= since)
    if until is not None:
        query = query.where(Report.filed_at <= until)
    if statuses is not None:
        query = query.where(Report.status.in_(list(statuses)))  # type: ignore[attr-defined]
    query = query.order_by(Report.filed_at.desc(), Report.id.desc()).limit(limit)  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()
