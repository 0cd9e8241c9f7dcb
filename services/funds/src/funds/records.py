"""Acceptance (验收) and audit (审计) records on a programme, node or payment. Each use case commits once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import Conflict, InvalidInput, NotFound
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from funds import events, supervision
from funds.models import Acceptance, Audit, AuditFinding
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import programmes as programmes_repo
from funds.repository import records as records_repo
from funds.schemas.records import (
    AcceptanceIn,
    AcceptanceOut,
    AuditFindingOut,
    AuditIn,
    AuditOut,
    RecordSubjectOut,
    RectificationIn,
    SubjectIn,
)
from funds.service import stamp_key


class AlreadyRectified(Conflict):
    slug, title = "already-rectified", "The finding was rectified already"


class RectifiedBeforeAudit(InvalidInput):
    slug, title = "rectified-before-audit", "A finding is rectified on or after the day of its audit"


async def subject_of(session: AsyncSession, who: Principal, subject: SubjectIn) -> tuple[uuid.UUID, str]:
    """The programme and region of a programme, node or payment (404 when there is none for the caller)."""
    programme_id, region = await _subject(session, subject)
    if not who.sees_region(region):
        raise NotFound(f"no such {subject.kind}", field="subject")
    return programme_id, region


async def _subject(session: AsyncSession, subject: SubjectIn) -> tuple[uuid.UUID, str]:
    if subject.kind == "programme":
        programme = await programmes_repo.programme(session, subject.id)
        if programme is not None:
            return programme.id, programme.region_code
    elif subject.kind == "node":
        node = await nodes_repo.node(session, subject.id)
        if node is not None:
            return node.programme_id, node.region_code
    else:
        movement = await movements_repo.movement(session, subject.id)
        if movement is not None:
            return movement.programme_id, movement.region_code
    raise NotFound(f"no such {subject.kind}", field="subject")


async def record_acceptance(
    session: AsyncSession, who: Principal, body: AcceptanceIn, *, key: IdempotencyKey | None = None
) -> AcceptanceOut:
    programme_id, region = await subject_of(session, who, body.subject)
    await supervision.ensure_independent(
        session, who, programme_id, body.subject.kind, body.subject.id, named=body.inspector_uscc, what="acceptance"
    )
    await idempotency.begin(session, who, key)
    acceptance = Acceptance(
        programme_id=programme_id,
        subject_kind=body.subject.kind,
        subject_id=body.subject.id,
        region_code=region,
        result=body.result,
        accepted_on=body.accepted_on,
        inspector_unit=body.inspector_unit,
        inspector_uscc=body.inspector_uscc or who.unit,
        findings=body.findings,
        recorded_by=who.subject,
    )
    session.add(acceptance)
    await session.flush()
    add_event(session, events.acceptance_recorded(acceptance))
    out = acceptance_out(acceptance)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_acceptances(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Page[AcceptanceOut]:
    rows = await records_repo.acceptances(
        session, who.region_prefixes, page, programme_id=programme_id, subject_id=subject_id
    )
    return make_page(rows, page, stamp_key, acceptance_out)


def acceptance_out(row: Acceptance) -> AcceptanceOut:
    return AcceptanceOut(
        id=row.id,
        programme_id=row.programme_id,
        subject=RecordSubjectOut(kind=row.subject_kind, id=row.subject_id),  # type: ignore[arg-type]
        region_code=row.region_code,
        result=row.result,  # type: ignore[arg-type]
        accepted_on=row.accepted_on,
        inspector_unit=row.inspector_unit,
        inspector_uscc=row.inspector_uscc,
        findings=row.findings,
        recorded_at=row.recorded_at,
    )


def audit_out(audit: Audit, findings: list[AuditFinding]) -> AuditOut:
    return AuditOut(
        id=audit.id,
        programme_id=audit.programme_id,
        subject=RecordSubjectOut(kind=audit.subject_kind, id=audit.subject_id),  # type: ignore[arg-type]
        region_code=audit.region_code,
        auditor=audit.auditor,
        audited_on=audit.audited_on,
        conclusion=audit.conclusion,
        findings=[AuditFindingOut.model_validate(f) for f in findings],
        recorded_at=audit.recorded_at,
    )


async def record_audit(
    session: AsyncSession, who: Principal, body: AuditIn, *, key: IdempotencyKey | None = None
) -> AuditOut:
    programme_id, region = await subject_of(session, who, body.subject)
    await supervision.ensure_independent(
        session, who, programme_id, body.subject.kind, body.subject.id, named=None, what="audit"
    )
    for index, item in enumerate(body.findings):
        if item.rectify_by < body.audited_on:
            raise InvalidInput("a finding's deadline is after the audit", field=f"findings/{index}/rectify_by")
    await idempotency.begin(session, who, key)
    audit = Audit(
        programme_id=programme_id,
        subject_kind=body.subject.kind,
        subject_id=body.subject.id,
        region_code=region,
        auditor=body.auditor,
        audited_on=body.audited_on,
        conclusion=body.conclusion,
        recorded_by=who.subject,
    )
    session.add(audit)
    await session.flush()
    findings = [AuditFinding(audit_id=audit.id, **item.model_dump()) for item in body.findings]
    session.add_all(findings)
    await session.flush()
    add_event(session, events.audit_recorded(audit, findings))
    out = audit_out(audit, findings)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_audits(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Page[AuditOut]:
    rows = await records_repo.audits(
        session, who.region_prefixes, page, programme_id=programme_id, subject_id=subject_id
    )
    findings = await records_repo.findings_of(session, [a.id for a in rows])
    return make_page(rows, page, stamp_key, lambda a: audit_out(a, findings.get(a.id, [])))


async def rectify_finding(
    session: AsyncSession,
    who: Principal,
    audit_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: RectificationIn,
    *,
    key: IdempotencyKey | None = None,
) -> AuditFindingOut:
    audit = who.visible(await records_repo.audit(session, audit_id), "audit")
    await supervision.ensure_independent(
        session, who, audit.programme_id, audit.subject_kind, audit.subject_id, named=None, what="rectification"
    )
    await idempotency.begin(session, who, key)
    finding = await records_repo.finding(session, finding_id, for_update=True)
    if finding is None or finding.audit_id != audit.id:
        raise NotFound("no such finding in this audit")
    if finding.rectified_on is not None:
        raise AlreadyRectified(f"rectified on {finding.rectified_on.isoformat()}")
    if body.rectified_on < audit.audited_on:
        raise RectifiedBeforeAudit("rectified_on is on or after the audit", field="rectified_on")
    finding.rectified_on = body.rectified_on
    finding.rectification = body.rectification
    add_event(session, events.finding_rectified(finding, audit, utcnow()))
    out = AuditFindingOut.model_validate(finding)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out
