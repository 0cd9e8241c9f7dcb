"""Dispositions (处置) of warnings and their step-by-step history; dismissals; the overdue job.

No FastAPI here; session first, the rest keyword-only; each use case commits once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page, sorted_page
from sunlight.warnings import Level

from integrity import events
from integrity.errors import DispositionActive, DispositionConcluded, WarningNotActive
from integrity.models import (
    STEP_TEXT_COLUMN,
    Disposition,
    DispositionStatus,
    DispositionStep,
    Outcome,
    StepKind,
    Warning,
    WarningStatus,
)
from integrity.repository import dispositions as dispositions_repo
from integrity.repository import register as register_repo
from integrity.repository.common import ACTIVE
from integrity.schemas.dispositions import (
    ConclusionIn,
    DispositionDetail,
    DispositionFilter,
    DispositionIn,
    DispositionOut,
    ResponseIn,
    StepOut,
)
from integrity.schemas.register import DismissalIn, WarningOut
from integrity.service import local_today
from integrity.settings import IntegritySettings

NOTES = ("instructions", "response", "conclusion")  # free text that may name people: encrypted at rest


def _seal(settings: IntegritySettings, column: str, text: str | None) -> str | None:
    return settings.cipher.encrypt(text, context=f"disposition.{column}") if text is not None else None


def disposition_out(disposition: Disposition, settings: IntegritySettings) -> DispositionOut:
    """The disposition as the API shows it, its notes decrypted."""
    opened = {
        column: settings.cipher.decrypt(value, context=f"disposition.{column}") if value is not None else None
        for column in NOTES
        for value in [getattr(disposition, column)]
    }
    return DispositionOut.model_validate(disposition).model_copy(update=opened)


OVERDUE_JOB = "job:escalate-overdue"  # who the overdue escalations are by
DETAIL_STEPS = 100  # the latest steps shown with one disposition


def _step(
    disposition: Disposition,
    seq: int,
    kind: StepKind,
    *,
    by: str,
    at: datetime,
    text: str | None = None,
    details: dict[str, Any] | None = None,
) -> DispositionStep:
    """A step of ``disposition``'s history; ``text`` comes sealed (the same ciphertext as its column)."""
    return DispositionStep(
        disposition_id=disposition.id, seq=seq, kind=kind, status=disposition.status, by=by, at=at, text=text,
        details=details or {},
    )  # fmt: skip


def step_out(step: DispositionStep, settings: IntegritySettings) -> StepOut:
    """A step as the API shows it, its text decrypted (the caller may read the disposition)."""
    column = STEP_TEXT_COLUMN.get(step.kind)
    text = settings.cipher.decrypt(step.text, context=f"disposition.{column}") if step.text and column else None
    return StepOut.model_validate(step).model_copy(update={"text": text})


# --- dispositions -----------------------------------------------------------------------------


async def _writable_warning(session: AsyncSession, who: Principal, warning_id: uuid.UUID) -> Warning:
    return who.visible(await register_repo.warning(session, warning_id, for_update=True), "warning")


async def open_disposition(
    session: AsyncSession,
    who: Principal,
    warning_id: uuid.UUID,
    body: DispositionIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> DispositionOut:
    """Open a disposition on an active warning; its deadline is counted in working days from today."""
    warning = await _writable_warning(session, who, warning_id)
    await idempotency.begin(session, who, key)
    if warning.status not in ACTIVE:
        raise WarningNotActive(f"the warning is {warning.status!s}", status_now=str(warning.status))
    if active := await dispositions_repo.active_disposition_of(session, warning.id):
        raise DispositionActive("conclude it before opening another", disposition_id=str(active.id))
    workdays = body.deadline_workdays or settings.disposition_workdays[body.kind.value]
    freeze = body.freeze if body.freeze is not None else body.kind.value in settings.freezing_dispositions
    disposition = Disposition(
        warning_id=warning.id,
        kind=body.kind,
        rule_id=warning.rule_id,
        region_code=warning.region_code,
        unit_uscc=warning.unit_uscc,
        assignee=body.assignee,
        instructions=_seal(settings, "instructions", body.instructions),
        deadline_workdays=workdays,
        deadline=settings.calendar.add_workdays(local_today(settings, now), workdays),
        freeze=freeze,
        holding=freeze,
        opened_at=now,
        opened_by=who.subject,
        episode=warning.episodes,
    )
    session.add(disposition)
    warning.status, warning.changed_at = WarningStatus.IN_DISPOSITION, now
    await session.flush()
    details = {"kind": body.kind.value, "assignee": body.assignee, "deadline": disposition.deadline.isoformat(),
               "deadline_workdays": workdays, "freeze": freeze}  # fmt: skip
    session.add(
        _step(disposition, 1, StepKind.OPENED, by=who.subject, at=now, text=disposition.instructions, details=details)
    )
    add_event(session, events.disposed(warning, disposition=body.kind.value, status="open", at=now, freeze=freeze))
    out = disposition_out(disposition, settings)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def _writable_disposition(
    session: AsyncSession, who: Principal, disposition_id: uuid.UUID
) -> tuple[Disposition, Warning]:
    disposition = who.visible(
        await dispositions_repo.disposition(session, disposition_id, for_update=True), "disposition"
    )
    warning = await register_repo.warning(session, disposition.warning_id, for_update=True)
    assert warning is not None
    return disposition, warning


async def record_response(
    session: AsyncSession,
    who: Principal,
    disposition_id: uuid.UUID,
    body: ResponseIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> DispositionOut:
    """Record the subject's answer; the disposition is then in progress (the inspector assesses it).

    Every answer is a step of the history; the disposition shows the latest. A concluded disposition
    takes no more (409 disposition-concluded)."""
    disposition, warning = await _writable_disposition(session, who, disposition_id)
    await idempotency.begin(session, who, key)
    if disposition.status == DispositionStatus.CONCLUDED:
        raise DispositionConcluded("a concluded disposition takes no more responses")
    seq = await dispositions_repo.next_step_seq(session, disposition.id)
    disposition.response = _seal(settings, "response", body.response)
    disposition.responded_at, disposition.responded_by = now, who.subject
    disposition.status = DispositionStatus.IN_PROGRESS
    warning.changed_at = now
    session.add(_step(disposition, seq, StepKind.RESPONSE, by=who.subject, at=now, text=disposition.response))
    add_event(
        session,
        events.disposed(
            warning, disposition=str(disposition.kind), status="in_progress", at=now, freeze=disposition.holding
        ),
    )
    out = disposition_out(disposition, settings)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def conclude(
    session: AsyncSession,
    who: Principal,
    disposition_id: uuid.UUID,
    body: ConclusionIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> DispositionOut:
    """Conclude a disposition: the warning closes (or reopens for a stronger disposition when escalated),
    its overdue warning closes, and the source learns the outcome (and whether to keep holding)."""
    disposition, warning = await _writable_disposition(session, who, disposition_id)
    await idempotency.begin(session, who, key)
    if disposition.status == DispositionStatus.CONCLUDED:
        raise DispositionConcluded("the disposition is already concluded")
    seq = await dispositions_repo.next_step_seq(session, disposition.id)
    disposition.status = DispositionStatus.CONCLUDED
    disposition.outcome, disposition.conclusion = body.outcome, _seal(settings, "conclusion", body.conclusion)
    disposition.concluded_at, disposition.concluded_by = now, who.subject
    disposition.holding = disposition.holding and body.keep_hold
    details = {"outcome": body.outcome.value, "holding": disposition.holding}
    sealed = disposition.conclusion
    session.add(_step(disposition, seq, StepKind.CONCLUDED, by=who.subject, at=now, text=sealed, details=details))
    if body.outcome == Outcome.ESCALATED:
        warning.status = WarningStatus.OPEN
    else:
        warning.status, warning.closed_at = WarningStatus.CLOSED, now
    warning.changed_at = now
    await register_repo.close_active(session, disposition.region_code, events.overdue_dedupe_key(disposition), now=now)
    add_event(
        session,
        events.disposed(
            warning,
            disposition=str(disposition.kind),
            status="concluded",
            outcome=body.outcome.value,
            at=now,
            freeze=disposition.holding,
        ),
    )
    out = disposition_out(disposition, settings)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def dismiss(
    session: AsyncSession,
    who: Principal,
    warning_id: uuid.UUID,
    body: DismissalIn,
    *,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> WarningOut:
    """Dismiss an active warning without a disposition (a false positive; handled elsewhere)."""
    warning = await _writable_warning(session, who, warning_id)
    await idempotency.begin(session, who, key)
    if warning.status not in ACTIVE:
        raise WarningNotActive(f"the warning is {warning.status!s}", status_now=str(warning.status))
    if active := await dispositions_repo.active_disposition_of(session, warning.id):
        raise DispositionActive("conclude the disposition instead", disposition_id=str(active.id))
    warning.status, warning.closed_at, warning.dismissal_reason = WarningStatus.DISMISSED, now, body.reason
    warning.changed_at = now
    add_event(session, events.disposed(warning, disposition="dismissed", status="dismissed", at=now))
    out = WarningOut.model_validate(warning)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def list_dispositions(
    session: AsyncSession,
    who: Principal,
    where: DispositionFilter,
    page: PageParams,
    *,
    settings: IntegritySettings,
    now: datetime,
) -> Page[DispositionOut]:
    rows = await dispositions_repo.dispositions(session, who, where, page, today=local_today(settings, now))
    return sorted_page(
        rows,
        page,
        where.sort.value,
        where.order,
        lambda d: dispositions_repo.disposition_sort_value(d, where),
        lambda d: str(d.id),
        lambda d: disposition_out(d, settings),
    )


async def get_disposition(
    session: AsyncSession, who: Principal, disposition_id: uuid.UUID, *, settings: IntegritySettings
) -> DispositionDetail:
    found = who.visible(await dispositions_repo.disposition(session, disposition_id), "disposition")
    steps = await dispositions_repo.latest_steps(session, found.id, limit=DETAIL_STEPS)
    return DispositionDetail(
        **disposition_out(found, settings).model_dump(), steps=[step_out(s, settings) for s in steps]
    )


async def list_steps(
    session: AsyncSession, who: Principal, disposition_id: uuid.UUID, page: PageParams, *, settings: IntegritySettings
) -> Page[StepOut]:
    """A disposition's history, oldest first; another region's disposition does not exist (404)."""
    found = who.visible(await dispositions_repo.disposition(session, disposition_id), "disposition")
    rows = await dispositions_repo.steps(session, found.id, page)
    return make_page(rows, page, dispositions_repo.step_cursor, lambda s: step_out(s, settings))


async def escalate_overdue(session: AsyncSession, *, settings: IntegritySettings, now: datetime) -> int:
    """The periodic job: escalate every active disposition past its deadline (INTEGRITY-DISPOSITION-OVERDUE).

    The first escalation comes the day after the deadline, the next ones every
    ``overdue_repeat_workdays`` working days after it, up to ``overdue_max_escalations``. Each
    raises the disposed warning one level, repeats the overdue warning (orange, then red) and is a
    step of the disposition's history (by ``job:escalate-overdue``). Idempotent: a disposition
    remembers how far it was escalated. Returns the escalations made.
    """
    today = local_today(settings, now)
    made = 0
    for disposition in await dispositions_repo.overdue_to_escalate(
        session, today=today, max_escalations=settings.overdue_max_escalations
    ):
        overdue_workdays = settings.calendar.workdays_between(disposition.deadline, today)
        due = min(1 + overdue_workdays // settings.overdue_repeat_workdays, settings.overdue_max_escalations)
        if due <= disposition.escalations:
            continue
        warning = await register_repo.warning(session, disposition.warning_id, for_update=True)
        assert warning is not None
        seq = await dispositions_repo.next_step_seq(session, disposition.id)
        for step in range(disposition.escalations + 1, due + 1):
            if warning.status in ACTIVE:
                warning.level = Level(warning.level).raised().value
                warning.changed_at = now
            details = {"escalation": step, "overdue_workdays": overdue_workdays,
                       "deadline": disposition.deadline.isoformat(), "warning_level": warning.level}  # fmt: skip
            session.add(_step(disposition, seq, StepKind.ESCALATED_OVERDUE, by=OVERDUE_JOB, at=now, details=details))
            seq += 1
            add_event(
                session,
                events.overdue_warning(
                    disposition, warning, step=step, today=today, overdue_workdays=overdue_workdays, at=now
                ),
            )
            made += 1
        disposition.escalations = due
        disposition.overdue_since = disposition.overdue_since or today
    await session.commit()
    return made
