"""Integrity use cases. No FastAPI here; session first, the rest keyword-only; each commits once.

Consumers (``register_warning``, ``count_report``, ``count_case``) run inside the dispatcher's
transaction with the inbox claim and leave the commit to it.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import NATIONWIDE, parent_region, region_contains, region_prefix, validate_uscc
from sunlight.errors import NotFound
from sunlight.events import Envelope, add_event
from sunlight.events.contracts.approvals import CaseConcluded
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page
from sunlight.warnings import Level

from integrity import events, index, periods, repository, templates
from integrity.errors import (
    DispositionActive,
    DispositionConcluded,
    FrameworkExists,
    InvalidPeriod,
    InvalidScore,
    NotEvaluatingBody,
    OneUnitOneBody,
    PeriodClosed,
    RaterExists,
    RiskPointExists,
    SubjectExists,
    SubjectKindMismatch,
    WarningNotActive,
)
from integrity.models import (
    STEP_TEXT_COLUMN,
    Closure,
    Disposition,
    DispositionStatus,
    DispositionStep,
    Framework,
    Occurrence,
    Outcome,
    Rater,
    Result,
    RiskPoint,
    Score,
    StepKind,
    Subject,
    Warning,
    WarningStatus,
)
from integrity.schemas import (
    DEPTH_DIGITS,
    AssessmentIn,
    AssessmentOut,
    ClosureIn,
    ClosureOut,
    ComputationIn,
    ComputationOut,
    ConclusionIn,
    DismissalIn,
    DispositionDetail,
    DispositionFilter,
    DispositionIn,
    DispositionOut,
    FrameworkIn,
    FrameworkOut,
    FrameworkReplace,
    HeatCell,
    OccurrenceOut,
    OverdueOverview,
    PeerComparison,
    RaterIn,
    RaterOut,
    RegionColours,
    RegionCount,
    ResponseIn,
    ResultDetail,
    ResultOut,
    RiskPointIn,
    RiskPointOut,
    RiskPointUpdate,
    RuleFrequency,
    ScoreOut,
    StepOut,
    SubjectIn,
    SubjectOut,
    TrendOut,
    TrendPoint,
    UnitActivityOut,
    WarningCount,
    WarningDetail,
    WarningFilter,
    WarningOut,
)
from integrity.settings import IntegritySettings

ACTIVE = repository.ACTIVE
RANK = {"blue": 1, "orange": 2, "red": 3}


def _higher(*levels: str | None) -> str:
    return max((lv for lv in levels if lv), key=lambda lv: RANK.get(lv, 0))


def level_for_count(occurrences: int, settings: IntegritySettings) -> str | None:
    """The level a warning reaches by repetition alone (None below the first count)."""
    if occurrences >= settings.repeat_red_at:
        return "red"
    if occurrences >= settings.repeat_orange_at:
        return "orange"
    return None


def _today(settings: IntegritySettings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


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


def _pad(prefix: str) -> str:
    """A region prefix back as a code: ``13`` → ``130000``, ``1303`` → ``130300``."""
    return prefix.ljust(6, "0") if len(prefix) < 6 else prefix


# --- the register (consumer) ------------------------------------------------------------------


async def register_warning(
    session: AsyncSession, event: Envelope[WarningRaised], settings: IntegritySettings
) -> Warning:
    """Add a raised warning to the register, or count a repetition of the active one with its key.

    Runs in the consumer's transaction (the inbox claim is in it too), so a redelivered event
    never counts twice. A repetition keeps the latest evidence and takes the highest of the
    source's level and the level its count reaches (``repeat_orange_at``, ``repeat_red_at``).
    """
    data = event.data
    warning = await repository.active_warning(session, data.region_code, data.dedupe_key)
    if warning is not None:
        warning.occurrences += 1
        warning.last_event_id = event.id
        if data.occurred_at >= warning.last_seen_at:
            warning.evidence = data.evidence
            warning.last_seen_at = data.occurred_at
        warning.source_level = _higher(warning.source_level, data.level.value)
        warning.level = _higher(warning.level, data.level.value, level_for_count(warning.occurrences, settings))
    else:
        warning = Warning(
            rule_id=data.rule_id,
            level=_higher(data.level.value, level_for_count(1, settings)),
            source_level=data.level.value,
            title=data.title,
            service=data.subject.service,
            subject_kind=data.subject.kind,
            subject_id=data.subject.id,
            subject_label=data.subject.label,
            region_code=data.region_code,
            unit_uscc=data.unit_uscc,
            evidence=data.evidence,
            dedupe_key=data.dedupe_key,
            first_event_id=event.id,
            last_event_id=event.id,
            first_seen_at=data.occurred_at,
            first_seen_month=periods.month_of(data.occurred_at, settings.zone),
            last_seen_at=data.occurred_at,
            risk_point_id=await repository.risk_point_for(
                session, rule_id=data.rule_id, region_code=data.region_code, unit_uscc=data.unit_uscc
            ),
        )
        if await _disposition_already_concluded(session, data):
            warning.status, warning.closed_at = WarningStatus.CLOSED, data.occurred_at
        session.add(warning)
        await session.flush()
    repository.add_occurrence(
        session,
        Occurrence(
            warning_id=warning.id,
            event_id=event.id,
            rule_id=data.rule_id,
            level=data.level.value,
            region_code=data.region_code,
            evidence=data.evidence,
            occurred_at=data.occurred_at,
        ),
    )
    await _count_warning(session, data, settings)
    return warning


async def _disposition_already_concluded(session: AsyncSession, data: WarningRaised) -> bool:
    """An overdue warning arriving after its disposition concluded registers as closed."""
    if data.subject.service != "integrity" or data.subject.kind != "disposition":
        return False
    try:
        found = await repository.disposition(session, uuid.UUID(data.subject.id))
    except ValueError:
        return False
    return found is not None and found.status == DispositionStatus.CONCLUDED


async def _count_warning(session: AsyncSession, data: WarningRaised, settings: IntegritySettings) -> None:
    """Per-unit figures: every finding of another service about a unit (integrity's own are not evidence)."""
    if data.unit_uscc is None or data.subject.service == "integrity":
        return
    counts = {f"warnings_{data.level.value}": 1}
    if data.subject.service == "funds":
        counts["funds_warnings"] = 1
    month = periods.month_of(data.occurred_at, settings.zone)
    await repository.bump_unit(session, data.unit_uscc, month, data.region_code, **counts)


async def count_report(session: AsyncSession, event: Envelope[ReportFiled], settings: IntegritySettings) -> None:
    """A complaint counts against a unit when it names the unit (subject kind ``unit``, id its USCC) or a
    subject the register has seen belong to one."""
    data = event.data
    if data.subject is None:
        return
    unit: str | None = None
    if data.subject.kind == "unit":
        try:
            unit = validate_uscc(data.subject.id)
        except ValueError:
            unit = None
    else:
        unit = await repository.unit_of_subject(session, data.subject.service, data.subject.kind, data.subject.id)
    if unit is not None:
        month = periods.month_of(data.filed_at, settings.zone)
        await repository.bump_unit(session, unit, month, data.region_code, complaints=1)


async def count_case(session: AsyncSession, event: Envelope[CaseConcluded], settings: IntegritySettings) -> None:
    """A concluded approval case counts for its department: concluded, and on time or not."""
    data = event.data
    if data.department_uscc is None:
        return
    month = periods.month_of(data.concluded_at, settings.zone)
    await repository.bump_unit(
        session, data.department_uscc, month, data.region_code, cases_concluded=1, cases_on_time=int(data.on_time)
    )


# --- the register (reads) ---------------------------------------------------------------------


async def list_warnings(
    session: AsyncSession,
    who: Principal,
    where: WarningFilter,
    page: PageParams,
    *,
    now: datetime,
    settings: IntegritySettings,
) -> Page[WarningOut]:
    """Warnings matching ``where``; ages count calendar days in the deployment's zone (0 = today)."""
    today = _today(settings, now)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=settings.zone)

    if where.max_age_days is not None:
        where = where.model_copy(update={"seen_since": midnight(today - timedelta(days=where.max_age_days))})
    if where.min_age_days is not None:
        where = where.model_copy(update={"seen_before": midnight(today - timedelta(days=where.min_age_days - 1))})
    rows = await repository.warnings(session, who, where, page)
    return make_page(rows, page, repository.warning_cursor, WarningOut.model_validate)


async def _visible_warning(session: AsyncSession, who: Principal, warning_id: uuid.UUID) -> Warning:
    return who.visible(await repository.warning(session, warning_id), "warning")


async def _writable_warning(session: AsyncSession, who: Principal, warning_id: uuid.UUID) -> Warning:
    return who.visible(await repository.warning(session, warning_id, for_update=True), "warning")


async def get_warning(
    session: AsyncSession, who: Principal, warning_id: uuid.UUID, *, settings: IntegritySettings
) -> WarningDetail:
    found = await _visible_warning(session, who, warning_id)
    risk_point = await repository.risk_point(session, found.risk_point_id) if found.risk_point_id else None
    return WarningDetail(
        **WarningOut.model_validate(found).model_dump(),
        history=[OccurrenceOut.model_validate(o) for o in await repository.history(session, found.id)],
        dispositions=[disposition_out(d, settings) for d in await repository.dispositions_of(session, found.id)],
        risk_point=(await _risk_point_out(session, [risk_point]))[0] if risk_point else None,
    )


async def count_warnings(
    session: AsyncSession,
    who: Principal,
    *,
    granularity: str,
    depth: str,
    first_period: str | None,
    last_period: str | None,
    region_code: str | None,
    status: WarningStatus | None,
    rule_id: str | None,
    service: str | None,
) -> list[WarningCount]:
    """Warnings first seen per period and region, by colour (for dashboards)."""
    try:
        first_month = periods.months(first_period)[0] if first_period else None
        last_month = periods.months(last_period)[-1] if last_period else None
    except ValueError as exc:
        raise InvalidPeriod(str(exc), field="from" if first_period else "to") from None
    rows = await repository.warning_counts(
        session,
        who,
        digits=DEPTH_DIGITS[depth],
        first_month=first_month,
        last_month=last_month,
        region_code=region_code,
        status=status,
        rule_id=rule_id,
        service=service,
    )
    cells: dict[tuple[str, str], WarningCount] = {}
    for month, region, level, n in rows:
        key = (periods.roll_up(month, granularity), _pad(region))
        cell = cells.setdefault(key, WarningCount(period=key[0], region_code=key[1]))
        setattr(cell, level, getattr(cell, level) + n)
        cell.total += n
    return [cells[k] for k in sorted(cells)]


# --- dispositions -----------------------------------------------------------------------------


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
    if active := await repository.active_disposition_of(session, warning.id):
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
        deadline=settings.calendar.add_workdays(_today(settings, now), workdays),
        freeze=freeze,
        holding=freeze,
        opened_at=now,
        opened_by=who.subject,
    )
    session.add(disposition)
    warning.status = WarningStatus.IN_DISPOSITION
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
    disposition = who.visible(await repository.disposition(session, disposition_id, for_update=True), "disposition")
    warning = await repository.warning(session, disposition.warning_id, for_update=True)
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
    seq = await repository.next_step_seq(session, disposition.id)
    disposition.response = _seal(settings, "response", body.response)
    disposition.responded_at, disposition.responded_by = now, who.subject
    disposition.status = DispositionStatus.IN_PROGRESS
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
    seq = await repository.next_step_seq(session, disposition.id)
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
    await repository.close_active(session, disposition.region_code, events.overdue_dedupe_key(disposition), now=now)
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
    if active := await repository.active_disposition_of(session, warning.id):
        raise DispositionActive("conclude the disposition instead", disposition_id=str(active.id))
    warning.status, warning.closed_at, warning.dismissal_reason = WarningStatus.DISMISSED, now, body.reason
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
    rows = await repository.dispositions(session, who, where, page, today=_today(settings, now))
    return make_page(rows, page, repository.disposition_cursor, lambda d: disposition_out(d, settings))


async def get_disposition(
    session: AsyncSession, who: Principal, disposition_id: uuid.UUID, *, settings: IntegritySettings
) -> DispositionDetail:
    found = who.visible(await repository.disposition(session, disposition_id), "disposition")
    steps = await repository.latest_steps(session, found.id, limit=DETAIL_STEPS)
    return DispositionDetail(
        **disposition_out(found, settings).model_dump(), steps=[step_out(s, settings) for s in steps]
    )


async def list_steps(
    session: AsyncSession, who: Principal, disposition_id: uuid.UUID, page: PageParams, *, settings: IntegritySettings
) -> Page[StepOut]:
    """A disposition's history, oldest first; another region's disposition does not exist (404)."""
    found = who.visible(await repository.disposition(session, disposition_id), "disposition")
    rows = await repository.steps(session, found.id, page)
    return make_page(rows, page, repository.step_cursor, lambda s: step_out(s, settings))


async def escalate_overdue(session: AsyncSession, *, settings: IntegritySettings, now: datetime) -> int:
    """The periodic job: escalate every active disposition past its deadline (INTEGRITY-DISPOSITION-OVERDUE).

    The first escalation comes the day after the deadline, the next ones every
    ``overdue_repeat_workdays`` working days after it, up to ``overdue_max_escalations``. Each
    raises the disposed warning one level, repeats the overdue warning (orange, then red) and is a
    step of the disposition's history (by ``job:escalate-overdue``). Idempotent: a disposition
    remembers how far it was escalated. Returns the escalations made.
    """
    today = _today(settings, now)
    made = 0
    for disposition in await repository.overdue_to_escalate(
        session, today=today, max_escalations=settings.overdue_max_escalations
    ):
        overdue_workdays = settings.calendar.workdays_between(disposition.deadline, today)
        due = min(1 + overdue_workdays // settings.overdue_repeat_workdays, settings.overdue_max_escalations)
        if due <= disposition.escalations:
            continue
        warning = await repository.warning(session, disposition.warning_id, for_update=True)
        assert warning is not None
        seq = await repository.next_step_seq(session, disposition.id)
        for step in range(disposition.escalations + 1, due + 1):
            if warning.status in ACTIVE:
                warning.level = Level(warning.level).raised().value
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


# --- risk points ------------------------------------------------------------------------------


async def _risk_point_out(session: AsyncSession, rows: Sequence[RiskPoint]) -> list[RiskPointOut]:
    rules = await repository.rules_of(session, [r.id for r in rows])
    return [RiskPointOut.model_validate(r).model_copy(update={"rule_ids": rules[r.id]}) for r in rows]


async def create_risk_point(
    session: AsyncSession, who: Principal, body: RiskPointIn, *, now: datetime, key: IdempotencyKey | None = None
) -> RiskPointOut:
    """Add a risk point to the catalogue and link the unlinked warnings of its rules in its region."""
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await repository.risk_point_by_code(session, body.code):
        raise RiskPointExists(f"risk point {body.code} exists", field="code")
    risk_point = RiskPoint(**body.model_dump(exclude={"rule_ids"}), created_at=now, updated_at=now)
    session.add(risk_point)
    await session.flush()
    await repository.set_rules(session, risk_point, body.rule_ids)
    await session.flush()
    await repository.link_unlinked_warnings(session, risk_point, body.rule_ids)
    out = (await _risk_point_out(session, [risk_point]))[0]
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def update_risk_point(
    session: AsyncSession, who: Principal, risk_point_id: uuid.UUID, body: RiskPointUpdate, *, now: datetime
) -> RiskPointOut:
    risk_point = who.visible(await repository.risk_point(session, risk_point_id, for_update=True), "risk point")
    for name, value in body.model_dump(exclude_unset=True, exclude={"rule_ids"}).items():
        if value is not None:
            setattr(risk_point, name, value)
    risk_point.updated_at = now
    if body.rule_ids is not None:
        await repository.set_rules(session, risk_point, body.rule_ids)
        await session.flush()
        await repository.link_unlinked_warnings(session, risk_point, body.rule_ids)
    out = (await _risk_point_out(session, [risk_point]))[0]
    await session.commit()
    return out


async def get_risk_point(session: AsyncSession, who: Principal, risk_point_id: uuid.UUID) -> RiskPointOut:
    found = who.visible(await repository.risk_point(session, risk_point_id), "risk point")
    return (await _risk_point_out(session, [found]))[0]


async def list_risk_points(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    region_code: str | None,
    unit_uscc: str | None,
    risk_level: str | None,
    rule_id: str | None,
) -> Page[RiskPointOut]:
    rows = await repository.risk_points(
        session, who, page, region_code=region_code, unit_uscc=unit_uscc, risk_level=risk_level, rule_id=rule_id
    )
    shown = await _risk_point_out(session, rows[: page.limit])
    return make_page([*shown, *rows[page.limit :]], page, repository.risk_point_cursor, lambda r: r)


async def heatmap(session: AsyncSession, who: Principal, *, period: str, region_code: str | None) -> list[HeatCell]:
    """Realised risks per unit and risk point in a period: warnings first seen then, by colour."""
    cells: dict[tuple[str | None, uuid.UUID], HeatCell] = {}
    for unit, rp_id, code, name, risk_level, level, n in await repository.heatmap(
        session, who, months=periods.months(period), region_code=region_code
    ):
        cell = cells.setdefault(
            (unit, rp_id),
            HeatCell(
                unit_uscc=unit, risk_point_id=rp_id, risk_point_code=code, risk_point_name=name, risk_level=risk_level
            ),
        )
        setattr(cell, level, getattr(cell, level) + n)
        cell.total += n
    return sorted(cells.values(), key=lambda c: (-c.total, c.unit_uscc or "", c.risk_point_code))


# --- the integrity index: frameworks ----------------------------------------------------------


def framework_out(framework: Framework) -> FrameworkOut:
    definition = index.Definition.model_validate(framework.definition)
    return FrameworkOut(
        id=framework.id,
        code=framework.code,
        name=framework.name,
        target=framework.target,
        version=framework.version,
        first_level=len(definition.indicators),
        second_level=sum(1 for _ in definition.second_level()),
        bodies=len(definition.bodies),
        definition=definition,
        updated_at=framework.updated_at,
    )


async def ensure_default_frameworks(session: AsyncSession) -> None:
    """Create the default "323" frameworks when missing (at start-up; several replicas may race)."""
    for code, (name, target, build) in templates.DEFAULTS.items():
        if await repository.framework_by_code(session, code) is not None:
            continue
        session.add(Framework(code=code, name=name, target=target, definition=build().model_dump(mode="json")))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # another replica created it first


async def list_frameworks(session: AsyncSession) -> list[FrameworkOut]:
    return [framework_out(f) for f in await repository.frameworks(session)]


async def _framework(
    session: AsyncSession, code: str, *, for_update: bool = False, for_share: bool = False
) -> Framework:
    found = await repository.framework_by_code(session, code, for_update=for_update, for_share=for_share)
    if found is None:
        raise NotFound(f"no framework {code}", field="framework")
    return found


async def get_framework(session: AsyncSession, code: str) -> FrameworkOut:
    return framework_out(await _framework(session, code))


async def create_framework(
    session: AsyncSession, who: Principal, body: FrameworkIn, *, now: datetime, key: IdempotencyKey | None = None
) -> FrameworkOut:
    await idempotency.begin(session, who, key)
    if await repository.framework_by_code(session, body.code):
        raise FrameworkExists(f"framework {body.code} exists", field="code")
    framework = Framework(
        code=body.code,
        name=body.name,
        target=body.target,
        definition=body.definition.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    session.add(framework)
    await session.flush()
    out = framework_out(framework)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def replace_framework(
    session: AsyncSession, who: Principal, code: str, body: FrameworkReplace, *, now: datetime
) -> FrameworkOut:
    """Replace a framework's definition (a new version; earlier results keep the version they used)."""
    framework = await _framework(session, code, for_update=True)
    framework.name = body.name
    framework.definition = body.definition.model_dump(mode="json")
    framework.version += 1
    framework.updated_at = now
    out = framework_out(framework)
    await session.commit()
    return out


# --- the integrity index: subjects and assessments --------------------------------------------


async def create_subject(
    session: AsyncSession, who: Principal, body: SubjectIn, *, now: datetime, key: IdempotencyKey | None = None
) -> SubjectOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await repository.subject_by_code(session, body.kind, body.code):
        raise SubjectExists(f"a {body.kind.value} with code {body.code} exists", field="code")
    subject = Subject(**body.model_dump(), created_at=now, created_by=who.subject)
    session.add(subject)
    await session.flush()
    out = SubjectOut.model_validate(subject)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def _visible_subject(session: AsyncSession, who: Principal, subject_id: uuid.UUID) -> Subject:
    return who.visible(await repository.subject(session, subject_id), "subject")


async def get_subject(session: AsyncSession, who: Principal, subject_id: uuid.UUID) -> SubjectOut:
    return SubjectOut.model_validate(await _visible_subject(session, who, subject_id))


async def list_subjects(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    kind: Any,
    region_code: str | None,
    unit_uscc: str | None,
) -> Page[SubjectOut]:
    rows = await repository.subjects(session, who, kind=kind, region_code=region_code, unit_uscc=unit_uscc, page=page)
    return make_page(rows, page, repository.subject_cursor, SubjectOut.model_validate)


async def enter_assessment(
    session: AsyncSession, who: Principal, body: AssessmentIn, *, now: datetime, key: IdempotencyKey | None = None
) -> AssessmentOut:
    """Store one evaluating body's sheet (its scores replace the ones it gave before for these indicators).

    Only a principal of that body enters it: the token's unit must be registered as the body for
    the subject's region (or above), and a unit rates a subject as one body only, so the
    framework's ``min_raters`` counts distinct units. A closed period takes no sheets.
    """
    framework = await _framework(session, body.framework, for_share=True)
    definition = index.Definition.model_validate(framework.definition)
    subject = await repository.subject(session, body.subject_id)
    if subject is None:
        raise NotFound("no such subject", field="subject_id")
    who.ensure_can_read(subject.region_code, "subject")
    if subject.kind != framework.target:
        raise SubjectKindMismatch(f"{framework.code} assesses {framework.target!s}s", field="subject_id")
    _check_sheet(definition, body)
    if _closing(await repository.closures(session, framework.id, period=body.period), subject.region_code):
        raise PeriodClosed(f"{body.period} is closed for this subject's region", period=body.period)
    unit = (who.unit or "").upper()
    if not unit or body.rater not in await repository.bodies_of_unit(session, unit, subject.region_code):
        raise NotEvaluatingBody(
            f"only a principal of {body.rater}'s unit for this region enters its sheet", field="rater"
        )
    others = {
        rater
        for rater, entered in (await repository.entered_units(session, framework.id, body.period, subject.id)).items()
        if entered == unit and rater != body.rater
    }
    if others:
        raise OneUnitOneBody(f"this unit rated the subject as {sorted(others)[0]}", rated_as=sorted(others))
    await idempotency.begin(session, who, key)
    existing = {
        s.indicator: s for s in await repository.sheet(session, framework.id, body.period, subject.id, body.rater)
    }
    for indicator, value in body.scores.items():
        if indicator in existing:
            row = existing[indicator]
            row.score, row.entered_at, row.entered_by, row.entered_unit = value, now, who.subject, unit
        else:
            session.add(
                Score(
                    framework_id=framework.id,
                    period=body.period,
                    subject_id=subject.id,
                    rater=body.rater,
                    indicator=indicator,
                    score=value,
                    entered_by=who.subject,
                    entered_unit=unit,
                    entered_at=now,
                )
            )
    out = AssessmentOut(
        framework=framework.code,
        period=body.period,
        subject_id=subject.id,
        rater=body.rater,
        scores=body.scores,
        entered_at=now,
    )
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


def _check_sheet(definition: index.Definition, body: AssessmentIn) -> None:
    if definition.body(body.rater) is None:
        raise InvalidScore(f"{body.rater} is not an evaluating body of this framework", field="rater")
    for code, value in body.scores.items():
        indicator = definition.indicator(code)
        if indicator is None or indicator.kind != "rated":
            raise InvalidScore(f"{code} is not a rated indicator of this framework", field=f"scores.{code}")
        if indicator.raters is not None and body.rater not in indicator.raters:
            raise InvalidScore(f"{body.rater} does not rate {code}", field=f"scores.{code}")
        if not definition.score_min <= value <= definition.score_max:
            raise InvalidScore(
                f"scores run from {definition.score_min} to {definition.score_max}",
                field=f"scores.{code}",
                score_min=definition.score_min,
                score_max=definition.score_max,
            )


async def list_scores(
    session: AsyncSession, who: Principal, *, framework_code: str, period: str, subject_id: uuid.UUID
) -> list[ScoreOut]:
    framework = await _framework(session, framework_code)
    subject = await _visible_subject(session, who, subject_id)
    rows = await repository.scores(session, framework.id, period, subject_ids=[subject.id])
    return [ScoreOut.model_validate(r) for r in rows]


# --- the integrity index: evaluating bodies' units --------------------------------------------


async def register_rater(
    session: AsyncSession, who: Principal, body: RaterIn, *, now: datetime, key: IdempotencyKey | None = None
) -> RaterOut:
    """Register a unit as an evaluating body for a region: its principals enter that body's sheets there."""
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await repository.rater_exists(session, body.body, body.region_code, body.unit_uscc):
        raise RaterExists(f"{body.unit_uscc} is {body.body} in {body.region_code} already", field="unit_uscc")
    rater = Rater(**body.model_dump(), registered_at=now, registered_by=who.subject)
    session.add(rater)
    await session.flush()
    out = RaterOut.model_validate(rater)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_raters(
    session: AsyncSession, who: Principal, *, region_code: str | None, body: str | None, unit_uscc: str | None
) -> list[RaterOut]:
    rows = await repository.raters(session, who, region_code=region_code, body=body, unit_uscc=unit_uscc)
    return [RaterOut.model_validate(r) for r in rows]


async def remove_rater(session: AsyncSession, who: Principal, rater_id: uuid.UUID) -> None:
    """The unit no longer enters the body's sheets there (the sheets it entered stay)."""
    rater = who.visible(await repository.rater(session, rater_id), "evaluating body registration")
    await session.delete(rater)
    await session.commit()


# --- the integrity index: computation, closures and results -----------------------------------


def _closing(closures: Sequence[Closure], region_code: str) -> Closure | None:
    """The closure of a period that covers ``region_code`` (closed there or above), if any."""
    return next((c for c in closures if region_contains(c.region_code, region_code)), None)


def _baseline(
    definition: index.Definition, closures: Sequence[Closure], period: str, region_code: str
) -> Closure | None:
    """Leniency correction: the closed period whose frozen leniency applies to a subject of ``region_code`` —
    the framework's ``baseline_period`` or else the latest closed period before ``period``, closed for the
    subject's region (the nearest region first)."""
    before = periods.sort_key(period)
    candidates = [
        c
        for c in closures
        if region_contains(c.region_code, region_code)
        and (
            c.period == definition.baseline_period
            if definition.baseline_period
            else periods.sort_key(c.period) < before
        )
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (periods.sort_key(c.period)[0], len(region_prefix(c.region_code))))


def _offsets(closure: Closure | None) -> dict[str, index.Leniency] | None:
    if closure is None:
        return None
    return {body: index.Leniency(v["offset"], v["subjects"]) for body, v in closure.leniency.items()}


def _result_out(result: Result, subject: Subject, framework_code: str, closures: Sequence[Closure]) -> ResultOut:
    return ResultOut(
        id=result.id,
        framework=framework_code,
        period=result.period,
        subject_id=subject.id,
        subject_label=subject.label,
        region_code=result.region_code,
        unit_uscc=result.unit_uscc,
        status="assessed" if result.value is not None else "not_assessed",
        value=result.value,
        se=result.se,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        grade=result.grade,  # type: ignore[arg-type]
        colour=index.COLOURS.get(result.grade) if result.grade else None,
        reliability=result.reliability,
        raters=result.raters,
        raw_value=result.raw_value,
        coverage=result.coverage,
        published=_closing([c for c in closures if c.period == result.period], result.region_code) is not None,
        computed_at=result.computed_at,
    )


async def _compute(
    session: AsyncSession,
    who: Principal,
    framework: Framework,
    *,
    period: str,
    region_code: str | None,
    settings: IntegritySettings,
    now: datetime,
) -> ComputationOut:
    """Compute (without committing) the index of every subject of the framework's kind in the caller's regions
    (or ``region_code``) for a period, except where the period is closed; announce the results and warn about
    newly graded subjects."""
    definition = index.Definition.model_validate(framework.definition)
    closures = await repository.closures(session, framework.id)
    closed_now = [c for c in closures if c.period == period]
    subjects = await repository.subjects(session, who, kind=framework.target, region_code=region_code)
    published = [s for s in subjects if _closing(closed_now, s.region_code)]
    subjects = [s for s in subjects if not _closing(closed_now, s.region_code)]
    by_subject: dict[uuid.UUID, list[index.RatedScore]] = defaultdict(list)
    for s in await repository.scores(session, framework.id, period, subject_ids=[s.id for s in subjects]):
        by_subject[s.subject_id].append((s.rater, s.indicator, s.score))
    units = {(s.unit_uscc, s.region_code) for s in subjects if s.unit_uscc}  # a unit's figures in its region
    figures = await repository.unit_figures(session, units, periods.months(period))
    earlier = await repository.results_of(session, framework.id, period, [s.id for s in subjects])
    outs: list[ResultOut] = []
    graded: dict[str, int] = {g: 0 for g in index.GRADES}
    for subject in subjects:
        # nothing reported about the unit in the period: no figures (never zeros, which would score as clean)
        data = figures.get((subject.unit_uscc, subject.region_code)) if subject.unit_uscc else None
        baseline = (
            _baseline(definition, closures, period, subject.region_code) if definition.leniency_correction else None
        )
        value = index.compute(definition, scores=by_subject[subject.id], data=data, offsets=_offsets(baseline))
        result = earlier.get(subject.id)
        previous_grade = result.grade if result else None
        if result is None:
            result = Result(framework_id=framework.id, period=period, subject_id=subject.id, computed_by="")
            session.add(result)
        result.region_code, result.unit_uscc = subject.region_code, subject.unit_uscc
        result.value, result.se, result.ci_low, result.ci_high = value.value, value.se, value.ci_low, value.ci_high
        result.grade, result.coverage, result.raw_value = value.grade, value.coverage, value.raw_value
        result.reliability, result.raters = value.reliability, value.raters
        result.breakdown = {
            "framework_version": framework.version,
            "baseline_period": baseline.period if baseline else None,
            "leniency": {
                "enabled": definition.leniency_correction,
                "applied": value.corrected,
                "baseline_region": baseline.region_code if baseline else None,
                "offsets": baseline.leniency if baseline else {},
            },
            **value.breakdown(),
        }
        result.computed_at, result.computed_by = now, who.subject
        await session.flush()
        add_event(session, events.index_computed(result, subject, framework))
        if result.grade is not None:
            graded[result.grade] += 1
            if result.grade != previous_grade:
                level = Level(settings.index_grade_levels[result.grade])
                cutoff = getattr(definition.cutoffs, result.grade)
                add_event(session, events.index_warning(result, subject, framework, level=level, cutoff=cutoff, at=now))
        outs.append(_result_out(result, subject, framework.code, closures))
    return ComputationOut(
        framework=framework.code,
        period=period,
        computed=len(outs),
        with_value=sum(1 for o in outs if o.value is not None),
        published=len(published),
        graded=graded,
        reliability=index.population_agreement(definition, by_subject),
        results=outs,
    )


async def compute_index(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    body: ComputationIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> ComputationOut:
    """Compute the index of every subject of the framework's kind in the caller's regions (or ``region_code``)
    for a period; store the results, announce them, and warn about newly graded subjects. Subjects whose
    region closed the period keep their published results."""
    framework = await _framework(session, framework_code, for_share=True)
    if body.region_code:
        who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    out = await _compute(
        session, who, framework, period=body.period, region_code=body.region_code, settings=settings, now=now
    )
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def close_period(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    body: ClosureIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> ClosureOut:
    """Close a period in a region: compute its results a last time and publish them as they stand. Later
    sheets are refused and later computations leave them alone; the bodies' leniency measured on the
    period's scores in the region is frozen with it (the baseline of later periods)."""
    who.ensure_can_write(body.region_code)
    framework = await _framework(session, framework_code, for_update=True)
    definition = index.Definition.model_validate(framework.definition)
    await idempotency.begin(session, who, key)
    if covering := _closing(await repository.closures(session, framework.id, period=body.period), body.region_code):
        raise PeriodClosed(f"{body.period} is closed in {covering.region_code}", period=body.period)
    await _compute(
        session, who, framework, period=body.period, region_code=body.region_code, settings=settings, now=now
    )
    subjects = await repository.subjects(session, who, kind=framework.target, region_code=body.region_code)
    sheets: dict[uuid.UUID, list[index.RatedScore]] = defaultdict(list)
    for s in await repository.scores(session, framework.id, body.period, subject_ids=[s.id for s in subjects]):
        sheets[s.subject_id].append((s.rater, s.indicator, s.score))
    closure = Closure(
        framework_id=framework.id,
        period=body.period,
        region_code=body.region_code,
        framework_version=framework.version,
        subjects=len(sheets),
        leniency={
            b: {"offset": v.offset, "subjects": v.subjects} for b, v in index.leniency(definition, sheets).items()
        },
        closed_at=now,
        closed_by=who.subject,
    )
    session.add(closure)
    await session.flush()
    out = _closure_out(closure, framework.code)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


def _closure_out(closure: Closure, framework_code: str) -> ClosureOut:
    return ClosureOut(
        id=closure.id,
        framework=framework_code,
        period=closure.period,
        region_code=closure.region_code,
        framework_version=closure.framework_version,
        subjects=closure.subjects,
        leniency=closure.leniency,
        closed_at=closure.closed_at,
        closed_by=closure.closed_by,
    )


async def list_closures(session: AsyncSession, who: Principal, framework_code: str) -> list[ClosureOut]:
    """The framework's closed periods in the caller's regions (and the closures above them that cover them)."""
    framework = await _framework(session, framework_code)
    return [
        _closure_out(c, framework.code)
        for c in await repository.closures(session, framework.id)
        if who.sees_region(c.region_code) or any(region_contains(c.region_code, own) for own in who.regions)
    ]


async def list_results(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    page: PageParams,
    *,
    period: str,
    grade: str | None,
    region_code: str | None,
) -> Page[ResultOut]:
    framework = await _framework(session, framework_code)
    rows = await repository.results(
        session, who, framework.id, period=period, grade=grade, region_code=region_code, page=page
    )
    closures = await repository.closures(session, framework.id, period=period)
    return make_page(
        rows, page, repository.result_cursor, lambda row: _result_out(row[0], row[1], framework.code, closures)
    )


async def get_result(session: AsyncSession, who: Principal, result_id: uuid.UUID) -> ResultDetail:
    found = await repository.result_by_id(session, result_id)
    if found is None:
        raise NotFound("no such result")
    result, subject, framework = found
    who.ensure_can_read(result.region_code, "result")
    breakdown = dict(result.breakdown)
    closures = await repository.closures(session, framework.id, period=result.period)
    return ResultDetail(
        **_result_out(result, subject, framework.code, closures).model_dump(),
        framework_version=breakdown.pop("framework_version", framework.version),
        baseline_period=breakdown.pop("baseline_period", None),
        breakdown=breakdown,
    )


async def trend(
    session: AsyncSession, who: Principal, subject_id: uuid.UUID, *, framework_code: str, granularity: str | None
) -> TrendOut:
    """The subject's own index over periods of one length (``granularity``, default: the longest it has): its
    change and slope in index points, and the gap to its peers' mean in the latest period."""
    subject = await _visible_subject(session, who, subject_id)
    framework = await _framework(session, framework_code)
    definition = index.Definition.model_validate(framework.definition)
    rows = sorted(await repository.series(session, framework.id, subject.id), key=lambda r: periods.sort_key(r.period))
    if granularity is None and rows:
        granularity = min((periods.granularity(r.period) for r in rows), key=periods.GRANULARITIES.index)
    rows = [r for r in rows if periods.granularity(r.period) == granularity]
    points = [
        TrendPoint(
            period=r.period, value=r.value, ci_low=r.ci_low, ci_high=r.ci_high, grade=r.grade, reliability=r.reliability
        )
        for r in rows
    ]
    valued = [r for r in rows if r.value is not None]
    change = beyond = None
    if len(valued) > 1:
        last, before = valued[-1], valued[-2]
        assert last.value is not None and before.value is not None
        change = last.value - before.value
        noise = definition.ci_z * math.sqrt((last.se or 0.0) ** 2 + (before.se or 0.0) ** 2)
        beyond = abs(change) > noise
    comparison = None
    if rows:
        last_row = rows[-1]
        peer_values = await repository.peers(
            session, who, framework.id, period=last_row.period, peer_group=subject.peer_group
        )
        mean = sum(peer_values) / len(peer_values) if peer_values else None
        comparison = PeerComparison(
            period=last_row.period,
            peer_group=subject.peer_group,
            peers=len(peer_values),
            peer_mean=mean,
            gap=last_row.value - mean if last_row.value is not None and mean is not None else None,
        )
    return TrendOut(
        subject=SubjectOut.model_validate(subject),
        framework=framework.code,
        granularity=granularity,
        points=points,
        slope=index.slope([r.value for r in valued if r.value is not None]),
        change=change,
        change_beyond_noise=beyond,
        peers=comparison,
    )


def _enclosing(codes: Sequence[str]) -> str:
    """The smallest region containing every code (``130302`` and ``130303`` → ``130300``)."""
    region: str | None = codes[0]
    while region is not None and not all(region_contains(region, code) for code in codes):
        region = parent_region(region)
    return region or NATIONWIDE


async def unit_activity(
    session: AsyncSession, who: Principal, unit_uscc: str, *, period: str, region_code: str | None = None
) -> UnitActivityOut:
    """What was reported about a unit in ``region_code`` (default: the caller's regions) and below it; a
    unit's figures in another region are that region's. ``region_code`` of the answer is the region counted."""
    if region_code is not None:
        who.ensure_can_read(region_code, "unit")
    prefixes = (region_prefix(region_code),) if region_code else who.region_prefixes
    regions = await repository.unit_regions(session, unit_uscc, prefixes)
    if not regions:
        raise NotFound("nothing recorded about this unit")
    counts = await repository.unit_totals(session, unit_uscc, periods.months(period), prefixes)
    region = region_code or _enclosing(regions)
    return UnitActivityOut(
        unit_uscc=unit_uscc,
        period=period,
        region_code=region,
        **counts,
        on_time_rate=index.figure("approvals_on_time_rate", counts),
    )


# --- the overview -----------------------------------------------------------------------------


async def open_warnings_overview(
    session: AsyncSession, who: Principal, *, depth: str, region_code: str | None
) -> list[RegionColours]:
    rows: dict[str, RegionColours] = {}
    for region, level, n in await repository.open_warnings_by_region(
        session, who, digits=DEPTH_DIGITS[depth], region_code=region_code
    ):
        row = rows.setdefault(_pad(region), RegionColours(region_code=_pad(region)))
        setattr(row, level, getattr(row, level) + n)
        row.total += n
    return sorted(rows.values(), key=lambda r: (-r.red, -r.orange, -r.total, r.region_code))


async def overdue_overview(
    session: AsyncSession,
    who: Principal,
    *,
    depth: str,
    region_code: str | None,
    limit: int,
    settings: IntegritySettings,
    now: datetime,
) -> OverdueOverview:
    today = _today(settings, now)
    by_region = [
        RegionCount(region_code=_pad(region), count=n)
        for region, n in await repository.overdue_by_region(
            session, who, today=today, digits=DEPTH_DIGITS[depth], region_code=region_code
        )
    ]
    oldest = await repository.oldest_overdue(session, who, today=today, region_code=region_code, limit=limit)
    return OverdueOverview(
        today=today,
        count=sum(r.count for r in by_region),
        by_region=sorted(by_region, key=lambda r: (-r.count, r.region_code)),
        oldest=[disposition_out(d, settings) for d in oldest],
    )


async def lowest_index(
    session: AsyncSession,
    who: Principal,
    *,
    framework_code: str,
    period: str | None,
    region_code: str | None,
    limit: int,
) -> list[ResultOut]:
    framework = await _framework(session, framework_code)
    period = period or await repository.latest_period(session, who, framework.id)
    if period is None:
        return []
    rows = await repository.lowest(session, who, framework.id, period=period, region_code=region_code, limit=limit)
    closures = await repository.closures(session, framework.id, period=period)
    return [_result_out(r, s, framework.code, closures) for r, s in rows]


async def top_rules(
    session: AsyncSession, who: Principal, *, days: int, region_code: str | None, limit: int, now: datetime
) -> list[RuleFrequency]:
    rows = await repository.rules_firing_most(
        session, who, since=now - timedelta(days=days), region_code=region_code, limit=limit
    )
    return [RuleFrequency(rule_id=r, occurrences=n, warnings=w, last_seen_at=last) for r, n, w, last in rows]
