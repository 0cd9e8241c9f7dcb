"""The reporter's identity: sealed, and readable only through a request a second registrar approves.

As GlobaLeaks' identity access requests: a registrar (``complaints:registrar``) asks with a reason; another
registrar approves or denies (never the one who asked); the asker then reads it, and every read is a row
of the access log (who, when, which request, why) — the log never holds the identity itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from complaints import repository
from complaints.errors import NoIdentity, NotApproved, SameRegistrar, WrongState
from complaints.models import IdentityAccess, IdentityRequest, Status
from complaints.schemas.reports import (
    IdentityAccessOut,
    IdentityDecisionIn,
    IdentityOut,
    IdentityRequestIn,
    IdentityRequestOut,
)
from complaints.service import vault_of, visible_report
from complaints.settings import ComplaintsSettings


def request_out(row: IdentityRequest) -> IdentityRequestOut:
    return IdentityRequestOut.model_validate(row, from_attributes=True)


async def request(
    session: AsyncSession,
    who: Principal,
    report_id: uuid.UUID,
    body: IdentityRequestIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> IdentityRequestOut:
    await idempotency.begin(session, who, key)
    report = await visible_report(session, who, report_id)
    if report.identity_sealed is None or report.status == Status.PURGED:
        raise NoIdentity("this report has no reporter identity to request")
    row = IdentityRequest(
        report_id=report.id,
        region_code=report.region_code,
        requested_by=who.subject,
        reason=body.reason,
        requested_at=now or utcnow(),
    )
    session.add(row)
    await session.flush()
    out = request_out(row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def _visible_request(session: AsyncSession, who: Principal, request_id: uuid.UUID) -> IdentityRequest:
    return who.visible(await repository.identity_request(session, request_id, for_update=True), "identity request")


async def decide(
    session: AsyncSession,
    who: Principal,
    request_id: uuid.UUID,
    body: IdentityDecisionIn,
    *,
    key: IdempotencyKey | None,
    now: datetime | None = None,
) -> IdentityRequestOut:
    await idempotency.begin(session, who, key)
    row = await _visible_request(session, who, request_id)
    if row.requested_by == who.subject:
        raise SameRegistrar("a second registrar approves or denies this request")
    if row.status != "pending":
        raise WrongState(f"the request is already {row.status}", status_now=row.status)
    row.status = "approved" if body.approve else "denied"
    row.decided_by = who.subject
    row.decided_at = now or utcnow()
    out = request_out(row)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def read(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    request_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> IdentityOut:
    """The identity, for the registrar whose request was approved; the read is logged first."""
    row = await _visible_request(session, who, request_id)
    if row.status != "approved" or row.requested_by != who.subject:
        raise NotApproved("only the registrar who asked reads the identity, once a second registrar approved")
    report = await visible_report(session, who, row.report_id)
    if report.identity_sealed is None or report.status == Status.PURGED:
        raise NoIdentity("the identity is no longer held")
    vault = await vault_of(session, settings, report)
    identity = vault.unseal(report.identity_sealed, "identity")
    session.add(
        IdentityAccess(
            report_id=report.id,
            request_id=row.id,
            region_code=report.region_code,
            accessed_by=who.subject,
            reason=row.reason,
            at=now or utcnow(),
        )
    )
    await session.commit()
    return IdentityOut(**identity)


async def list_requests(
    session: AsyncSession, who: Principal, report_id: uuid.UUID, page: PageParams
) -> Page[IdentityRequestOut]:
    report = await visible_report(session, who, report_id)
    rows = await repository.identity_requests(session, report.id, page)
    return make_page(rows, page, lambda r: [r.requested_at.isoformat(), str(r.id)], request_out)


async def list_accesses(
    session: AsyncSession, who: Principal, report_id: uuid.UUID, page: PageParams
) -> Page[IdentityAccessOut]:
    report = await visible_report(session, who, report_id)
    rows = await repository.identity_accesses(session, report.id, page)
    return make_page(
        rows,
        page,
        lambda r: [r.at.isoformat(), str(r.id)],
        lambda r: IdentityAccessOut.model_validate(r, from_attributes=True),
    )
