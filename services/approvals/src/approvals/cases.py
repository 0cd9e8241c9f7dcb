"""Cases (办件) and their steps, pushed one at a time or in batches, and read back.

One step (``record_step``) and a batch (``import_batch``) go through the same path
(``write_steps``): check every record (the caller's regions, the item of a new case, the
case's item), create the cases first seen, add the steps as they came, then evaluate each
touched case whole — its state and clock from all its steps in time order, every case rule —
and commit the rows, the warnings and the events once. A step that came out of order is kept
and flagged (``out_of_order``, APPROVALS-STEP-ORDER), never refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.batches import BatchKeyReused, BatchTooLarge, Limits, RecordError, batch_invalid, read_batch, record_error
from sunlight.db import utcnow
from sunlight.errors import ForbiddenRegion, NotFound, Problem
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from approvals import alerts, checks, events, repository
from approvals.errors import ItemMismatch, StepBeforeCase, UnknownItem
from approvals.models import ApprovalCase, CaseStatus, CaseStep, Channel, Item, StepBatch
from approvals.schemas.cases import (
    BatchOut,
    CaseOut,
    ClockOut,
    StepIn,
    StepOut,
    StepResultOut,
    TimelineOut,
)
from approvals.settings import ApprovalsSettings

CLOSED = (CaseStatus.CONCLUDED, CaseStatus.REFUSED)


@dataclass
class Written:
    steps: list[CaseStep] = field(default_factory=list)
    cases: dict[uuid.UUID, ApprovalCase] = field(default_factory=dict)
    items: dict[uuid.UUID, Item] = field(default_factory=dict)
    raised: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # per rule id, every finding of the write
    known: int = 0  # records left out as already stored (``skip_stored``)


def prepare(
    who: Principal,
    bodies: Sequence[StepIn],
    cases: dict[tuple[str, str], ApprovalCase],
    items: dict[tuple[str, str], Item],
) -> tuple[list[tuple[int, StepIn, ApprovalCase | None, Item | None]], list[tuple[int, Problem]]]:
    """Check each record; a new case needs an item of its region's catalogue (or one above it)."""
    ok: list[tuple[int, StepIn, ApprovalCase | None, Item | None]] = []
    wrong: list[tuple[int, Problem]] = []
    opened: dict[tuple[str, str], Item] = {}  # cases an earlier record of this batch opens
    for index, body in enumerate(bodies):
        if not who.sees_region(body.region_code):
            wrong.append((index, ForbiddenRegion(f"region {body.region_code} is outside this token's regions",
                                                 field="region_code")))  # fmt: skip
            continue
        key = (body.region_code, body.case_no)
        case = cases.get(key)
        item = items.get((body.region_code, body.item_code)) if body.item_code else None
        if case is None and key in opened:
            if item is not None and item.id != opened[key].id:
                wrong.append((index, ItemMismatch(f"case {body.case_no} applies for another item", field="item_code")))
                continue
            item = opened[key]
        if body.item_code and item is None:
            wrong.append((index, UnknownItem(f"no item {body.item_code} serves region {body.region_code}",
                                             field="item_code")))  # fmt: skip
        elif case is not None and item is not None and case.item_id != item.id:
            wrong.append((index, ItemMismatch(f"case {body.case_no} applies for another item", field="item_code")))
        elif case is None and item is None:
            wrong.append((index, StepBeforeCase(f"case {body.case_no} is new: name its item_code", field="item_code")))
        else:
            if case is None and item is not None:
                opened.setdefault(key, item)
            ok.append((index, body, case, item))
    return ok, wrong


def _stored(body: StepIn, cases: dict[tuple[str, str], ApprovalCase], steps: dict[uuid.UUID, list[CaseStep]]) -> bool:
    """The case already has a step of the record's kind at the record's time: it is the same step."""
    case = cases.get((body.region_code, body.case_no))
    at = body.occurred_at.astimezone(UTC)
    return case is not None and any(s.kind == body.step and s.occurred_at.astimezone(UTC) == at for s in steps[case.id])


async def write_steps(
    session: AsyncSession,
    settings: ApprovalsSettings,
    who: Principal,
    bodies: Sequence[StepIn],
    *,
    batch_id: uuid.UUID | None = None,
    now: datetime | None = None,
    skip_stored: bool = False,
) -> tuple[Written, list[tuple[int, Problem]]]:
    """Check and add the steps (not committed). Returns what was written, or the wrong records (then nothing),
    by their index in ``bodies``. ``skip_stored``: leave out (and count in ``known``) a record whose case already
    has a step of its kind at its time — the same log sent again; a case with nothing new is not evaluated."""
    now = now or utcnow()
    keys = {(b.region_code, b.case_no) for b in bodies}
    cases = await repository.cases_by_nos(session, keys, for_update=True)
    existing = await repository.steps_of(session, [c.id for c in cases.values()])
    kept = list(range(len(bodies)))
    if skip_stored:
        kept = [i for i, body in enumerate(bodies) if not _stored(body, cases, existing)]
        if not kept:
            return Written(known=len(bodies)), []
    chosen = [bodies[i] for i in kept]
    items = await repository.items_for(session, {(b.region_code, b.item_code) for b in chosen if b.item_code})
    ok, wrong = prepare(who, chosen, cases, items)
    if wrong:
        return Written(), [(kept[index], problem) for index, problem in wrong]
    out = Written(known=len(bodies) - len(kept))
    out.items = await repository.items_by_ids(session, {c.item_id for c in cases.values()})
    out.items.update({i.id: i for i in items.values()})
    fresh: list[ApprovalCase] = []
    for _, body, case, item in ok:
        key = (body.region_code, body.case_no)
        if case is None:
            case = cases.get(key)
        if case is None:
            assert item is not None
            case = ApprovalCase(
                region_code=body.region_code,
                case_no=body.case_no,
                item_id=item.id,
                channel=body.channel or Channel.OFFLINE,
                status=CaseStatus.SUBMITTED,
            )
            cases[key] = case
            fresh.append(case)
        out.cases[case.id] = case
    if fresh:
        session.add_all(fresh)
        await session.flush()
    counts = {cid: len(existing.get(cid, [])) for cid in out.cases}
    for _, body, _, _ in ok:
        case = cases[(body.region_code, body.case_no)]
        counts[case.id] += 1
        step = CaseStep(
            case_id=case.id,
            seq=counts[case.id],
            kind=body.step,
            occurred_at=body.occurred_at,
            officer_code=body.officer_code,
            window_code=body.window_code,
            details=body.details(),
            batch_id=batch_id,
            recorded_by=who.subject,
        )
        out.steps.append(step)
        existing.setdefault(case.id, []).append(step)
    session.add_all(out.steps)
    departments = await repository.departments_by_ids(session, {i.department_id for i in out.items.values()})
    findings: list[alerts.Finding] = []
    for case in out.cases.values():
        was_closed = case.concluded_at is not None and case.status in CLOSED
        steps = sorted(existing.get(case.id, []), key=lambda s: (s.occurred_at, s.seq))
        item = out.items[case.item_id]
        department = departments.get(item.department_id) if item.department_id else None
        uscc = department.uscc if department else None
        # a write judges what its steps say as of the latest of them (a backlog pushed late is judged as it
        # happened); the passage of time since is the sweep's to judge
        as_of = min(now, max(s.occurred_at for s in steps))
        evaluation = checks.evaluate(settings, settings.calendar, case, item, steps, now=as_of, unit_uscc=uscc)
        for s in steps:
            s.out_of_order = s.id in evaluation.misplaced
        findings.extend(evaluation.findings)
        case.updated_at = now
        if not was_closed and case.status in CLOSED and case.accepted_at is not None and evaluation.clock is not None:
            add_event(session, events.case_concluded(case, item, evaluation.clock, uscc))
    out.findings.update(f.rule.id for f in findings)
    out.raised = await alerts.raise_findings(session, findings, now=now)
    await session.flush()
    levels = await repository.warnings_of_cases(session, out.cases)
    for case in out.cases.values():
        case.level = alerts.worst_level(levels.get(case.id, []))
    return out, []


async def record_step(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, body: StepIn, *, key: IdempotencyKey | None
) -> StepResultOut:
    """One step; its problem (403 region, 422 unknown item …) is raised as it is."""
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    written, wrong = await write_steps(session, settings, who, [body])
    if wrong:
        raise wrong[0][1]
    step = written.steps[0]
    case = written.cases[step.case_id]
    out = StepResultOut(
        case=case_out(case, written.items[case.item_id]), step=step_out(step), warnings_raised=written.raised
    )
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def import_batch(
    session: AsyncSession,
    settings: ApprovalsSettings,
    who: Principal,
    *,
    raw: bytes,
    content_type: str,
    batch_key: str,
) -> tuple[BatchOut, bool]:
    """A whole batch of steps or nothing; returns the result and whether it replays an earlier batch."""
    if len(raw) > settings.batch_max_bytes:
        raise BatchTooLarge(f"the body exceeds {settings.batch_max_bytes} bytes", max_bytes=settings.batch_max_bytes)
    fingerprint = await asyncio.to_thread(lambda: hashlib.sha256(raw).hexdigest())
    earlier = await repository.batch(session, who.subject, batch_key)
    if earlier is not None:
        return _replay(earlier, fingerprint)
    records = await asyncio.to_thread(read_batch, raw, content_type, Limits.of(settings), StepIn)
    if records.errors:
        raise batch_invalid(records.errors, len(records.raw), truncated=False, limit=settings.batch_max_errors)
    bodies = [body for body in records.bodies if body is not None]
    batch = StepBatch(client_id=who.subject, batch_key=batch_key, fingerprint=fingerprint, record_count=len(bodies))
    try:
        async with session.begin_nested():
            session.add(batch)
            await session.flush()
    except IntegrityError:  # the same key raced us and won
        earlier = await repository.batch(session, who.subject, batch_key)
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)
    written, wrong = await write_steps(session, settings, who, bodies, batch_id=batch.id)
    if wrong:
        await session.rollback()
        errors: list[RecordError] = []
        for index, problem in wrong:
            pointer = f"/{problem.extensions['field']}" if "field" in problem.extensions else ""
            errors.append(record_error(index, pointer, type(problem), problem.detail or problem.title))
        raise batch_invalid(errors, len(bodies), truncated=False, limit=settings.batch_max_errors)
    out = BatchOut(
        batch_id=batch.id,
        batch_key=batch_key,
        records=len(bodies),
        step_ids=[s.id for s in written.steps],
        case_ids=sorted(written.cases),
        warnings_raised=written.raised,
    )
    batch.result = out.model_dump(mode="json")
    await session.commit()
    return out, False


def _replay(batch: StepBatch, fingerprint: str) -> tuple[BatchOut, bool]:
    if batch.fingerprint != fingerprint:
        raise BatchKeyReused("this batch key was used for a different batch; use a new key")
    return BatchOut.model_validate(batch.result), True


# --- reading ---------------------------------------------------------------------------------------


def case_out(case: ApprovalCase, item: Item) -> CaseOut:
    return CaseOut(
        id=case.id,
        case_no=case.case_no,
        region_code=case.region_code,
        item_id=case.item_id,
        item_code=item.code,
        channel=case.channel,
        status=case.status,
        window_code=case.window_code,
        officer_code=case.officer_code,
        submitted_at=case.submitted_at,
        accepted_at=case.accepted_at,
        concluded_at=case.concluded_at,
        result=case.result,
        used_days=case.used_days,
        due_on=case.due_on,
        promised_due_on=case.promised_due_on,
        level=case.level,  # type: ignore[arg-type]
        step_count=case.step_count,
        created_at=case.created_at,
    )


def step_out(step: CaseStep) -> StepOut:
    return StepOut(
        id=step.id,
        case_id=step.case_id,
        seq=step.seq,
        step=step.kind,
        occurred_at=step.occurred_at,
        officer_code=step.officer_code,
        window_code=step.window_code,
        details=step.details,
        out_of_order=step.out_of_order,
        recorded_at=step.recorded_at,
    )


async def _visible_case(session: AsyncSession, who: Principal, case_id: uuid.UUID) -> tuple[ApprovalCase, Item]:
    case = who.visible(await session.get(ApprovalCase, case_id), "case")
    item = await session.get(Item, case.item_id)
    if item is None:  # pragma: no cover - a foreign key holds it
        raise NotFound("no such case")
    return case, item


async def get_case(session: AsyncSession, who: Principal, case_id: uuid.UUID) -> CaseOut:
    return case_out(*await _visible_case(session, who, case_id))


async def timeline(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, case_id: uuid.UUID
) -> TimelineOut:
    """Every step in the order it happened, and the clock as of now (or the conclusion)."""
    case, item = await _visible_case(session, who, case_id)
    steps = (await repository.steps_of(session, [case.id]))[case.id]
    clock = None
    if case.accepted_at is not None:
        view = checks.Evaluator(settings, settings.calendar, case, item, steps, now=utcnow())
        checks.time_findings(view)
        c = view.out.clock
        if c is not None:
            clock = ClockOut(
                accepted_on=c.accepted_on,
                as_of=c.as_of,
                used_days=c.used_days,
                legal_days=c.legal_days,
                promised_days=c.promised_days,
                suspended_days=c.suspended_days,
                running=c.running,
                legal_due_on=c.legal_due_on,
                promised_due_on=c.promised_due_on,
            )
    return TimelineOut(case=case_out(case, item), steps=[step_out(s) for s in steps], clock=clock)


async def list_cases(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    item_id: uuid.UUID | None,
    window_code: str | None,
    officer_code: str | None,
    status: str | None,
    due_before: object,
    level: str | None,
) -> Page[CaseOut]:
    rows = await repository.cases(
        session,
        who.region_prefixes,
        page,
        item_id=item_id,
        window_code=window_code,
        officer_code=officer_code,
        status=status,
        due_before=due_before,  # type: ignore[arg-type]
        level=level,
    )
    items = await repository.items_by_ids(session, {r.item_id for r in rows})
    return make_page(
        rows, page, lambda c: [c.created_at.isoformat(), str(c.id)], lambda c: case_out(c, items[c.item_id])
    )
