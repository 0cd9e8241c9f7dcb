"""Acceptance (验收) and audit (审计) records, and the rectification (整改) of audit findings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import InvalidInput, NotFound, problem_responses
from sunlight.pagination import Page

from funds import records
from funds.deps import FundsAccept, FundsAudit, FundsReader, IdempotencyKeyDep, PageDep, SessionDep
from funds.errors import SelfCertification
from funds.records import AlreadyRectified, RectifiedBeforeAudit
from funds.schemas.records import AcceptanceIn, AcceptanceOut, AuditFindingOut, AuditIn, AuditOut, RectificationIn

router = APIRouter(prefix="/v1/funds", tags=["acceptance and audit"])


@router.post(
    "/acceptances",
    operation_id="recordFundsAcceptance",
    status_code=201,
    summary="Record an acceptance of a programme, node or payment",
    responses=problem_responses(NotFound, SelfCertification),
)
async def record_acceptance(
    body: AcceptanceIn, session: SessionDep, who: FundsAccept, key: IdempotencyKeyDep
) -> AcceptanceOut:
    """Recorded by the accepting body (scope ``funds:accept``), never by the unit that spent the money (403
    ``…/self-certification``). A passed acceptance of the paying node, or of the payment, allows that node's
    final payments after it (otherwise FUNDS-ACCEPTANCE-MISSING); one of a programme or of a node above
    accepts that subject only, not every payment below it."""
    return await records.record_acceptance(session, who, body, key=key)


@router.get(
    "/acceptances", operation_id="listFundsAcceptances", summary="Acceptances in the caller's regions, newest first"
)
async def list_acceptances(
    session: SessionDep,
    who: FundsReader,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Page[AcceptanceOut]:
    return await records.list_acceptances(session, who, page, programme_id=programme_id, subject_id=subject_id)


@router.post(
    "/audits",
    operation_id="recordFundsAudit",
    status_code=201,
    summary="Record an audit with its findings and their rectification deadlines",
    responses=problem_responses(NotFound, InvalidInput, SelfCertification),
)
async def record_audit(body: AuditIn, session: SessionDep, who: FundsAudit, key: IdempotencyKeyDep) -> AuditOut:
    """Recorded by the auditing body (scope ``funds:audit``), never by the audited unit. A finding still open
    after its ``rectify_by`` raises FUNDS-AUDIT-UNRECTIFIED."""
    return await records.record_audit(session, who, body, key=key)


@router.get("/audits", operation_id="listFundsAudits", summary="Audits in the caller's regions, newest first")
async def list_audits(
    session: SessionDep,
    who: FundsReader,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Page[AuditOut]:
    return await records.list_audits(session, who, page, programme_id=programme_id, subject_id=subject_id)


@router.post(
    "/audits/{audit_id}/findings/{finding_id}/rectification",
    operation_id="rectifyFundsAuditFinding",
    summary="Record that an audit finding was rectified",
    responses=problem_responses(NotFound, AlreadyRectified, RectifiedBeforeAudit, SelfCertification),
)
async def rectify_finding(
    audit_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: RectificationIn,
    session: SessionDep,
    who: FundsAudit,
    key: IdempotencyKeyDep,
) -> AuditFindingOut:
    """The auditing body confirms the rectification the audited unit reported (审计整改; 审计法 2021 art. 52);
    the audited unit cannot mark its own finding rectified."""
    return await records.rectify_finding(session, who, audit_id, finding_id, body, key=key)
