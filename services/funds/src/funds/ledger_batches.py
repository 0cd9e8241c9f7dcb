"""The ledger's batch path (批量导入): a bulk batch of movements checked and written in one commit.

``import_batch`` reads the body (``sunlight.batches.read_batch``), replays a batch key seen before, and hands the
records to ``write_batch``, which takes the same steps as one movement (``ledger``) for every record: a
batch is written whole or refused whole. Records that depend on a refused record are listed as unchecked,
so one typo does not produce false overspends; a refused batch still records one refusal and one
FUNDS-OVERSPEND per overspent node.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.batches import BatchKeyReused, BatchTooLarge, Limits, RecordError, batch_invalid, read_batch, record_error
from sunlight.db import utcnow
from sunlight.errors import Problem
from sunlight.events import add_event, add_events

from funds import alerts, events, screening
from funds.errors import Frozen, Overspend, RefundExceedsPayment
from funds.ledger import (
    Context,
    Draft,
    Entry,
    Shortfall,
    apply,
    attach_payees,
    check_date,
    check_refund,
    held_subjects,
    insert_entries,
    load,
    local_today,
    overspend_finding,
    prepare,
    refusal,
    shortfall,
)
from funds.models import MovementBatch, MovementKind, RefusedMovement
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import warnings as warnings_repo
from funds.schemas.movements import BatchOut, MovementIn
from funds.schemas.movements import RecordError as OverspendRecordError
from funds.settings import FundsSettings

K = MovementKind


def batch_refusals(
    shortfalls: Sequence[tuple[Draft, Shortfall]], who: Principal, *, batch_key: str
) -> list[tuple[uuid.UUID, str, RefusedMovement]]:
    """One refusal per overspent node of a refused batch: its records' amounts summed, the first record's
    details, what the node held (``records`` in the reason says how many attempts it stands for)."""
    by_node: dict[uuid.UUID, list[tuple[Draft, Shortfall]]] = {}
    for draft, short in shortfalls:
        by_node.setdefault(short.node.id, []).append((draft, short))
    out = []
    for node_id, group in by_node.items():
        first, short = group[0]
        refused = refusal(first, who, reason=f"overspend:{short.limit}", available_fen=short.available_fen,
                          batch_key=batch_key)  # fmt: skip
        refused.amount_fen = sum(d.amount for d, _ in group)
        if len(group) > 1:
            refused.reason = f"overspend:{short.limit}:{len(group)} records"[:40]
        out.append((node_id, short.limit, refused))
    return out


def _refusal_key(r: RefusedMovement) -> tuple[object, ...]:
    return (r.from_node_id, r.amount_fen, r.available_fen, r.reason)


async def import_batch(
    session: AsyncSession,
    settings: FundsSettings,
    who: Principal,
    *,
    raw: bytes,
    content_type: str,
    batch_key: str,
) -> tuple[BatchOut, bool]:
    """Write a whole batch or nothing; returns the result and whether it replays an earlier batch."""
    if len(raw) > settings.batch_max_bytes:
        raise BatchTooLarge(f"the body exceeds {settings.batch_max_bytes} bytes", max_bytes=settings.batch_max_bytes)
    fingerprint = await asyncio.to_thread(lambda: hashlib.sha256(raw).hexdigest())
    earlier = await movements_repo.batch(session, who.subject, batch_key)
    if earlier is not None:
        return _replay(earlier, fingerprint)
    # parsing and validating thousands of records is CPU work: off the event loop, bounded by the limits
    records = await asyncio.to_thread(read_batch, raw, content_type, Limits.of(settings), MovementIn)
    return await write_batch(
        session,
        settings,
        who,
        records.bodies,
        batch_key=batch_key,
        fingerprint=fingerprint,
        invalid=(records.errors, records.raw),
    )


def _replay(batch: MovementBatch, fingerprint: str) -> tuple[BatchOut, bool]:
    if batch.fingerprint != fingerprint:
        raise BatchKeyReused("this batch key was used for a different batch; use a new key")
    return BatchOut.model_validate(batch.result), True


# what a refused record would have moved money into: node ids, or None when that cannot be told (a node id that is
# not one of ours, a record unreadable by the schema); records drawing on such a node are not checked for overspend
Funded = set[uuid.UUID] | None


def funded_by(body: MovementIn | None, raw: Any, ctx: Context) -> Funded:
    """The nodes a record brings money (quota or cash) into; a payment brings none."""
    if body is None:  # wrong by schema: read what it names from the record as sent
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if kind == K.EXPEND:
            return set()
        try:
            target = uuid.UUID(str(raw.get("to_node_id"))) if isinstance(raw, dict) else None
        except ValueError:
            return None
        return {target} if target in ctx.nodes and kind in (K.ALLOCATE, K.DISBURSE, K.ADJUST, K.REFUND) else None
    kind = MovementKind(body.kind)
    if kind == K.EXPEND:
        return set()
    if kind == K.REFUND and body.refund_of is not None:
        payment = ctx.payments.get(body.refund_of)
        return {payment.from_node_id} if payment is not None and payment.from_node_id else None
    return {body.to_node_id} if body.to_node_id in ctx.nodes else None


def draws_on(d: Draft) -> set[uuid.UUID]:
    """The nodes whose balances decide whether this movement overspends (``shortfall``)."""
    if d.kind == K.REFUND and d.payment is not None:
        return set()
    nodes = {d.source.id} if d.source is not None else set()
    if d.kind == K.DISBURSE and d.target is not None:
        nodes.add(d.target.id)  # the child's allocation not yet disbursed
    return nodes


async def write_batch(
    session: AsyncSession,
    settings: FundsSettings,
    who: Principal,
    bodies: Sequence[MovementIn | None],
    *,
    batch_key: str,
    fingerprint: str,
    invalid: tuple[Sequence[RecordError], Sequence[Any]] = ((), ()),
    record_refusals: bool = True,
    describe: Callable[[BatchOut], dict[str, Any]] | None = None,
    commit: bool = True,
) -> tuple[BatchOut, bool]:
    """Check every movement of a batch, then write all of them (one commit) or none.

    Every record is checked, the wrong ones all reported at once (``invalid``: the schema's errors and the
    records as sent, None in ``bodies`` where a record is wrong by schema). A refused batch writes no
    movement, but its overspend attempts were made: with ``record_refusals`` (the default) each overspent
    node gets one refusal and one FUNDS-OVERSPEND finding, whatever else was wrong beside them. A record
    that draws on a node a refused record would have funded (its allocation, disbursement or refund did not
    happen) is not checked against the balances — its overspend could be the refused record's doing, a
    typo'd allocation making false red warnings — and is listed in ``unchecked``; so are all records after
    a refused one whose target cannot be told (an unknown node id, an unreadable record).

    An import that creates its programme in the same transaction turns ``record_refusals`` off (the
    refusals would point at rows that were never written). ``describe`` adds to the stored result what a
    caller needs to replay its own answer (an import's summary). Without ``commit`` the batch is only
    flushed: the caller writes more in the same transaction (a refused batch still rolls the whole
    transaction back).
    """
    schema_errors, raw = invalid
    ctx = await load(session, [b for b in bodies if b is not None])
    drafts: list[Draft] = []
    errors: list[RecordError] = list(schema_errors)
    refused: dict[int, Funded] = {}  # index of a refused record → what it would have funded
    today = local_today(settings)
    for index, body in enumerate(bodies):
        if body is None:
            refused[index] = funded_by(None, raw[index] if index < len(raw) else None, ctx)
            continue
        try:
            draft = prepare(ctx, who, index, body)
            check_date(draft, settings, today)
            check_refund(draft)
            drafts.append(draft)
        except Problem as problem:
            pointer = f"/{problem.extensions['field']}" if "field" in problem.extensions else ""
            errors.append(record_error(index, pointer, type(problem), problem.detail or problem.title))
            refused[index] = funded_by(body, None, ctx)

    batch = MovementBatch(
        client_id=who.subject,  # batch keys are the principal's own (its sub), like Idempotency-Keys
        batch_key=batch_key,
        fingerprint=fingerprint,
        record_count=len(bodies),
        created_by=who.subject,
    )
    try:
        async with session.begin_nested():
            session.add(batch)
            await session.flush()
    except IntegrityError:  # the same key raced us and won
        earlier = await movements_repo.batch(session, who.subject, batch_key)
        if earlier is None:
            raise
        return _replay(earlier, fingerprint)

    await attach_payees(session, settings, drafts)
    held = await held_subjects(session, drafts)
    for index, subjects in sorted(held.items()):
        kinds = ", ".join(sorted({s["kind"] for s in subjects}))
        errors.append(record_error(index, "", Frozen, f"held pending review: {kinds}"))
    movements: list[Entry] = []
    shortfalls: list[tuple[Draft, Shortfall]] = []
    unchecked: list[int] = []
    tainted: set[uuid.UUID] = set()  # nodes short of what a refused record would have brought them
    blind = False  # a refused record funded a node that cannot be told: nothing after it is checked
    by_index = {d.index: d for d in drafts}

    def taint(funded: Funded) -> None:
        nonlocal blind
        if funded is None:
            blind = True
        else:
            tainted.update(funded)

    for index in range(len(bodies)):
        draft = by_index.get(index)
        if draft is None:
            taint(refused[index])
            continue
        if index in held:
            taint(funded_by(draft.body, None, ctx))
            continue
        try:
            check_refund(draft)  # an earlier record of this batch may have refunded the same payment
        except RefundExceedsPayment as problem:
            errors.append(
                record_error(draft.index, "/amount_fen", RefundExceedsPayment, problem.detail or problem.title)
            )
            taint(funded_by(draft.body, None, ctx))
            continue
        if blind or draws_on(draft) & tainted:
            unchecked.append(index)
            taint(funded_by(draft.body, None, ctx))
            continue
        short = shortfall(draft)
        if short is not None:
            shortfalls.append((draft, short))
            errors.append(
                record_error(
                    draft.index,
                    "/amount_fen",
                    Overspend,
                    f"the node holds {short.available_fen} fen of {short.limit}, {draft.amount} requested",
                    model=OverspendRecordError,
                    available_fen=short.available_fen,
                )
            )
            taint(funded_by(draft.body, None, ctx))
            continue
        movements.append(apply(draft, who, batch.id))
    now = utcnow()
    if errors:
        refusals = batch_refusals(shortfalls, who, batch_key=batch_key)
        await session.rollback()
        if record_refusals and refusals:
            # the batch wrote nothing, but its overspend attempts were made: one refusal and one finding per
            # overspent node, not one per record; a retry of the same refused batch records nothing new
            again = await nodes_repo.nodes_by_ids(session, {node_id for node_id, _, _ in refusals})
            known = await warnings_repo.refusals_of_batch(session, who.subject, batch_key)
            fresh = [(n, limit, r) for n, limit, r in refusals if _refusal_key(r) not in known]
            session.add_all([r for _, _, r in fresh])
            findings = [overspend_finding(r, again[n], limit) for n, limit, r in fresh]
            await alerts.raise_findings(session, findings, now=now)
            await session.commit()
        errors.sort(key=lambda e: e.index)
        problem = batch_invalid(errors, len(bodies), truncated=False, limit=settings.batch_max_errors, verb="refused")
        if unchecked:
            problem.extensions["unchecked"] = unchecked[: settings.batch_max_errors]
        raise problem

    applied = [d for d in drafts if d.index not in held]
    findings = await screening.screen_payments(session, settings, list(zip(applied, movements, strict=True)))
    await insert_entries(session, movements)
    await add_events(session, [events.movement_recorded(movement) for movement in movements])
    add_event(session, events.batch_imported(batch, movements))
    raised = await alerts.raise_findings(session, findings, now=now)
    out = BatchOut(
        batch_id=batch.id,
        batch_key=batch_key,
        records=len(bodies),
        movement_ids=[m.id for m in movements],
        warnings_raised=raised,
    )
    batch.result = {**out.model_dump(mode="json"), **(describe(out) if describe else {})}
    if commit:
        await session.commit()
    else:
        await session.flush()
    return out, False
