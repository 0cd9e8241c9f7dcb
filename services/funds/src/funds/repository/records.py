"""Queries of acceptance, audit and rectification records. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from funds.models import (
    Acceptance,
    Audit,
    AuditFinding,
)


async def passed_acceptances(session: AsyncSession, programme_ids: Collection[uuid.UUID]) -> Sequence[Acceptance]:
    if not programme_ids:
        return []
    query = select(Acceptance).where(Acceptance.programme_id.in_(programme_ids), Acceptance.result == "passed")  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def acceptances(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Sequence[Acceptance]:
    query = select(Acceptance).where(within_regions(Acceptance.region_code, prefixes))
    if programme_id:
        query = query.where(Acceptance.programme_id == programme_id)
    if subject_id:
        query = query.where(Acceptance.subject_id == subject_id)
    return (await session.execute(keyset(query, page, Acceptance.recorded_at, Acceptance.id))).scalars().all()


async def audits(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Sequence[Audit]:
    query = select(Audit).where(within_regions(Audit.region_code, prefixes))
    if programme_id:
        query = query.where(Audit.programme_id == programme_id)
    if subject_id:
        query = query.where(Audit.subject_id == subject_id)
    return (await session.execute(keyset(query, page, Audit.recorded_at, Audit.id))).scalars().all()


async def programme_audits(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Audit]:
    return (await session.execute(select(Audit).where(Audit.programme_id == programme_id))).scalars().all()


async def audit(session: AsyncSession, audit_id: uuid.UUID) -> Audit | None:
    return await session.get(Audit, audit_id)


async def findings_of(session: AsyncSession, audit_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[AuditFinding]]:
    if not audit_ids:
        return {}
    query = select(AuditFinding).where(AuditFinding.audit_id.in_(audit_ids)).order_by(AuditFinding.rectify_by)  # type: ignore[attr-defined]
    out: dict[uuid.UUID, list[AuditFinding]] = {}
    for finding in (await session.execute(query)).scalars().all():
        out.setdefault(finding.audit_id, []).append(finding)
    return out


async def finding(session: AsyncSession, finding_id: uuid.UUID, *, for_update: bool = False) -> AuditFinding | None:
    query = select(AuditFinding).where(AuditFinding.id == finding_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def overdue_findings(session: AsyncSession, today: date) -> Sequence[tuple[AuditFinding, Audit]]:
    query = (
        select(AuditFinding, Audit)
        .join(Audit, Audit.id == AuditFinding.audit_id)  # type: ignore[arg-type]
        .where(AuditFinding.rectified_on.is_(None), AuditFinding.rectify_by < today)  # type: ignore[union-attr]
    )
    return [(f, a) for f, a in (await session.execute(query)).all()]
