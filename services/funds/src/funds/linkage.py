"""Supervision linkage (监督联动): dispositions from integrity and complaints from the public come back here.

- ``warnings.disposed.v1`` updates funds' view of the warning (status, disposition, outcome)
  matched on ``dedupe_key``; ``freeze: true`` holds the subject pending review (a node, a
  programme, a payee — a payment holds its payee), a later ``freeze: false`` releases it.
- ``complaints.report.filed.v1`` naming a funds subject that has no open warning raises a blue
  FUNDS-COMPLAINT (one per report). Raising the open warnings of a named subject one level is
  integrity's (it owns warning state and receives the same report); funds does not escalate.

Both run inside the consumer's transaction (the dispatcher commits with the inbox claim).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_contains
from sunlight.db import utcnow
from sunlight.events import add_event
from sunlight.events.consumer import PermanentError
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.events.contracts.warnings import WarningDisposed
from sunlight.warnings import DispositionKind, DispositionOutcome, register_status

from funds import alerts, events, rules
from funds.models import FundsWarning, Hold
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.repository import warnings as warnings_repo

log = logging.getLogger("funds.linkage")
SUBJECT_KINDS = ("programme", "node", "movement", "payee")


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PermanentError(f"{value!r} is not a funds id") from None


async def hold_targets(session: AsyncSession, kind: str, subject_id: str) -> list[tuple[str, uuid.UUID, str]]:
    """What a freeze on this subject holds: (kind, id, region). A payment holds itself and its payee."""
    if kind not in SUBJECT_KINDS:
        return []
    ident = _uuid(subject_id)
    if kind == "programme":
        programme = await programmes_repo.programme(session, ident)
        return [("programme", ident, programme.region_code)] if programme else []
    if kind == "node":
        node = await nodes_repo.node(session, ident)
        return [("node", ident, node.region_code)] if node else []
    if kind == "movement":
        movement = await movements_repo.movement(session, ident)
        if movement is None:
            return []
        targets = [("movement", ident, movement.region_code)]
        if movement.payee_id is not None:
            targets.append(("payee", movement.payee_id, movement.region_code))
        return targets
    payee = await payees_repo.payee(session, ident)
    return [("payee", ident, "")] if payee else []


async def apply_disposition(session: AsyncSession, data: WarningDisposed, *, now: datetime | None = None) -> None:
    if data.subject.service != "funds" and not data.rule_id.startswith("FUNDS-"):
        return
    now = now or utcnow()
    row = (await warnings_repo.warnings_by_keys(session, [data.dedupe_key])).get(data.dedupe_key)
    if row is None and data.subject.kind not in SUBJECT_KINDS:
        log.warning("disposition of %s about a %s: not a funds subject; ignored", data.dedupe_key, data.subject.kind)
        return
    if row is None:  # raised before funds kept its view, or by hand: keep the disposition anyway
        try:
            rule = rules.RULES[data.rule_id]
            title, level = rule.title, rule.level.value
        except KeyError:
            title, level = data.rule_id, "blue"
        row = FundsWarning(
            dedupe_key=data.dedupe_key,
            rule_id=data.rule_id,
            level=level,
            title=title,
            subject_kind=data.subject.kind,
            subject_id=data.subject.id,
            subject_label=data.subject.label,
            region_code=data.region_code,
            evidence={},
            first_raised_at=data.disposed_at,
            last_raised_at=data.disposed_at,
        )
        session.add(row)
    elif row.disposed_at is not None and data.disposed_at < row.disposed_at:
        log.info("disposition of %s older than the one applied; ignored", data.dedupe_key)
        return
    row.status = register_status(data.status, data.outcome)
    row.disposition = data.disposition if data.disposition in {k.value for k in DispositionKind} else None
    row.outcome = data.outcome if data.outcome in {o.value for o in DispositionOutcome} else None
    row.disposed_at = data.disposed_at
    row.integrity_warning_id = data.warning_id
    if data.freeze:
        present = {(h.subject_kind, h.subject_id) for h in await warnings_repo.holds_of(session, data.dedupe_key)}
        for kind, ident, region in await hold_targets(session, row.subject_kind, row.subject_id):
            if (kind, ident) in present:
                continue
            session.add(Hold(subject_kind=kind, subject_id=ident, dedupe_key=data.dedupe_key))
            add_event(
                session,
                events.hold_changed(
                    kind,
                    str(ident),
                    held=True,
                    dedupe_key=data.dedupe_key,
                    region_code=region or row.region_code,
                    now=now,
                ),
            )
    else:
        for hold in await warnings_repo.holds_of(session, data.dedupe_key):
            add_event(
                session,
                events.hold_changed(
                    hold.subject_kind,
                    str(hold.subject_id),
                    held=False,
                    dedupe_key=data.dedupe_key,
                    region_code=row.region_code,
                    now=now,
                ),
            )
        await warnings_repo.delete_holds(session, data.dedupe_key)


async def _subject(session: AsyncSession, kind: str, ident: uuid.UUID) -> tuple[str, uuid.UUID | None, str | None]:
    """(region, programme, label) of a funds subject named by a complaint."""
    if kind == "programme":
        programme = await programmes_repo.programme(session, ident)
        if programme:
            return programme.region_code, programme.id, programme.name
    elif kind == "node":
        node = await nodes_repo.node(session, ident)
        if node:
            return node.region_code, node.programme_id, node.name
    elif kind == "movement":
        movement = await movements_repo.movement(session, ident)
        if movement:
            return movement.region_code, movement.programme_id, f"movement {str(movement.id)[:8]}"
    raise PermanentError(f"the complaint names {kind} {ident}, which funds does not have")


def _report_key(report_id: str) -> str:
    """The report's id in a dedupe key (a digest when it is too long for one)."""
    return report_id if len(report_id) <= 64 else hashlib.sha256(report_id.encode()).hexdigest()[:32]


async def link_complaint(session: AsyncSession, data: ReportFiled, *, now: datetime | None = None) -> None:
    subject = data.subject
    if subject is None or subject.service != "funds":
        return
    if subject.kind not in ("programme", "node", "movement"):
        raise PermanentError(f"funds has no {subject.kind} to link a complaint to")
    now = now or utcnow()
    ident = _uuid(subject.id)
    region, programme_id, label = await _subject(session, subject.kind, ident)
    subjects = [(subject.kind, str(ident))]
    if subject.kind == "movement":
        movement = await movements_repo.movement(session, ident)
        if movement is not None and movement.payee_id is not None:
            subjects.append(("payee", str(movement.payee_id)))
    open_rows = await warnings_repo.open_warnings_on(
        session, subjects, programme_id=programme_id if subject.kind == "programme" else None
    )
    if any(region_contains(region, row.region_code) for row in open_rows):
        return  # integrity raises the subject's open warnings one level; nothing of funds' own to add
    finding = alerts.Finding(
        rule=rules.COMPLAINT,
        subject_kind=subject.kind,
        subject_id=str(ident),
        label=label,
        region_code=region,
        programme_id=programme_id,
        evidence={
            "report_id": data.report_id,
            "category": data.category,
            "subject_kind": subject.kind,
            "subject_id": str(ident),
            "filed_at": data.filed_at.isoformat(),
        },
        # each report is its own episode: a dismissed complaint warning does not swallow the next report
        dedupe_key=f"FUNDS-COMPLAINT:{subject.kind}:{ident}:report:{_report_key(data.report_id)}",
    )
    await alerts.raise_findings(session, [finding], now=now)
