"""Complaints use cases: the helpers they share. No FastAPI here; each use case commits once.

The use cases live per subdomain: ``intake.py`` (filing and follow-up by receipt, public), ``handling.py``
(the registrar's and handlers' steps), ``identity.py`` (identity requests, approvals, the access log),
``grouping.py`` (related reports), ``scans.py`` (deadlines and retention), ``imports.py`` (hotline records).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import NotFound

from complaints import repository
from complaints.errors import Destroyed
from complaints.models import Report, Status, Step, StepKind, SubjectKind
from complaints.receipts import ReceiptHasher
from complaints.schemas.reports import REF_KINDS, ReportOut, ReportSummaryOut, StepOut, SubjectIn, SubjectOut
from complaints.settings import ComplaintsSettings
from complaints.similarity import Signer
from complaints.vault import ReportVault


@dataclass(frozen=True)
class Tools:
    receipts: ReceiptHasher
    signer: Signer


_TOOLS: dict[int, tuple[ComplaintsSettings, Tools]] = {}


def tools(settings: ComplaintsSettings) -> Tools:
    """The receipt hasher and the text signer of these settings (built once)."""
    cached = _TOOLS.get(id(settings))
    if cached is None or cached[0] is not settings:
        minhash_key = bytes.fromhex(settings.hasher.hash("minhash", purpose="complaints.minhash"))
        made = Tools(
            receipts=ReceiptHasher(
                settings.hasher, time_cost=settings.receipt_time_cost, memory_kib=settings.receipt_memory_kib
            ),
            signer=Signer(minhash_key, settings.shingle_size),
        )
        cached = _TOOLS[id(settings)] = (settings, made)
    return cached[1]


def subject_fields(settings: ComplaintsSettings, subject: SubjectIn) -> dict[str, Any]:
    """The report's subject columns and the key that groups reports on one subject (never a name)."""
    kind = subject.kind
    fields: dict[str, Any] = {"subject_kind": kind.value, "subject_unit_uscc": subject.unit_uscc}
    if kind in REF_KINDS:
        service = REF_KINDS[kind][0]
        ref_kind = subject.ref_kind.value if subject.ref_kind else None
        fields |= {"subject_service": service, "subject_ref_kind": ref_kind, "subject_ref_id": subject.ref_id}
        fields["subject_key"] = f"{service}:{ref_kind}:{subject.ref_id}"
    elif kind == SubjectKind.UNIT:
        fields["subject_key"] = f"unit:{subject.unit_uscc}"
    elif kind == SubjectKind.OFFICIAL:
        who = f"{subject.official_name}|{subject.unit_uscc or ''}"
        fields["subject_key"] = "official:" + settings.hasher.hash(who, purpose="complaints.official")[:40]
    return fields


async def vault_of(session: AsyncSession, settings: ComplaintsSettings, report: Report) -> ReportVault:
    key = await repository.key_of(session, report.id)
    if key is None:
        raise Destroyed("the report's key was destroyed at the end of its retention")
    return ReportVault.open(report.id, key.wrapped, settings.cipher)


def add_step(
    session: AsyncSession,
    report: Report,
    kind: StepKind,
    actor: str,
    *,
    vault: ReportVault | None = None,
    note: str | None = None,
    visible: bool = False,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Step:
    step = Step(
        report_id=report.id,
        kind=kind.value,
        actor=actor,
        visible_to_reporter=visible,
        note_sealed=vault.seal(note, "step") if (note is not None and vault is not None) else None,
        details=details or {},
        at=now or utcnow(),
    )
    session.add(step)
    report.updated_at = step.at
    return step


async def visible_report(
    session: AsyncSession, who: Principal, report_id: uuid.UUID, *, for_update: bool = False
) -> Report:
    """The report when it lies in the caller's regions; 404 otherwise (existence is not disclosed)."""
    return who.visible(await repository.report(session, report_id, for_update=for_update), "report")


def summary_fields(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "region_code": report.region_code,
        "category": report.category,
        "channel": report.channel,
        "anonymous": report.anonymous,
        "status": report.status,
        "subject": SubjectOut(
            kind=report.subject_kind,
            service=report.subject_service,
            ref_kind=report.subject_ref_kind,
            ref_id=report.subject_ref_id,
            unit_uscc=report.subject_unit_uscc,
        ),
        "received_on": report.received_on,
        "accept_due": report.accept_due,
        "conclude_due": report.conclude_due,
        "extended_days": report.extended_days,
        "assignee": report.assignee,
        "handling_unit_uscc": report.handling_unit_uscc,
        "outcome": report.outcome,
        "group_id": report.group_id,
        "filed_at": report.filed_at,
    }


def summary_out(report: Report) -> ReportSummaryOut:
    return ReportSummaryOut(**summary_fields(report))


async def report_out(session: AsyncSession, settings: ComplaintsSettings, report: Report) -> ReportOut:
    content: dict[str, Any] = {}
    if report.status != Status.PURGED and report.content_sealed:
        vault = await vault_of(session, settings, report)
        content = vault.unseal(report.content_sealed, "content")
    return ReportOut(
        **summary_fields(report),
        text=content.get("text"),
        official_name=content.get("official_name"),
        official_post=content.get("official_post"),
        has_identity=report.identity_sealed is not None,
        group_size=await repository.group_size(session, report.group_id),
    )


def step_out(step: Step, vault: ReportVault | None) -> StepOut:
    note = vault.unseal(step.note_sealed, "step") if (step.note_sealed and vault is not None) else None
    return StepOut(
        id=step.id,
        kind=step.kind,
        actor=step.actor,
        at=step.at,
        visible_to_reporter=step.visible_to_reporter,
        note=note,
        details=step.details,
    )


async def read_report(
    session: AsyncSession, settings: ComplaintsSettings, who: Principal, report_id: uuid.UUID
) -> ReportOut:
    return await report_out(session, settings, await visible_report(session, who, report_id))


def ensure_found(found: Any, what: str) -> Any:
    if found is None:
        raise NotFound(f"no such {what}")
    return found
