"""The ledger (资金台账): movements between nodes and to payees, with its invariants enforced at write time.

One movement (``record_movement``) and a bulk batch (``ledger_batches.import_batch``) go through the same
steps: load and lock what the movements touch (nodes by id, payees, budget lines, refunded
payments — always in that order), check each one against the tree, the caller's regions and
the holds, check it against the balances it draws on, apply it, screen payments against the
payment rules, and commit the rows, their events and the warnings once.

A movement that would overspend is refused with 409 ``…/overspend``; the attempt is recorded
(``RefusedMovement``) and raises FUNDS-OVERSPEND in the same commit. A held (frozen) node,
payee or programme refuses allocations, disbursements and payments with 409 ``…/frozen``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_contains
from sunlight.db import utcnow
from sunlight.errors import NotFound, Problem
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.warnings import region_of_key

from funds import alerts, events, payees, rules, screening, supplements
from funds.errors import (
    DateOutOfRange,
    Frozen,
    NotAChild,
    NotAPayment,
    NotTheParent,
    Overspend,
    RefundExceedsPayment,
    UnknownBudgetLine,
)
from funds.models import BudgetLine, Movement, MovementKind, Node, Payee, Programme, RefusedMovement
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.repository import warnings as warnings_repo
from funds.schemas.movements import MovementIn, MovementOut
from funds.settings import FundsSettings

K = MovementKind
# a hold stops money leaving or entering a held subject: every movement but a payee's refund (money coming
# back from outside the tree, which only lowers what is at risk)
BLOCKED_WHEN_HELD = (K.ALLOCATE, K.DISBURSE, K.EXPEND, K.REFUND, K.ADJUST)


@dataclass
class Draft:
    """A movement checked against the tree, ready to be checked against the balances and applied."""

    index: int
    body: MovementIn
    programme: Programme
    source: Node | None  # the node money leaves (None for a payee's refund)
    target: Node | None  # the node money arrives at (None for a payment)
    line: BudgetLine | None = None
    payment: Movement | None = None  # the payment a payee's refund pays back
    payee: Payee | None = None
    payee_is_new: bool = False

    @property
    def kind(self) -> MovementKind:
        return MovementKind(self.body.kind)

    @property
    def amount(self) -> int:
        return self.body.amount_fen

    @property
    def region_code(self) -> str:
        node = self.source or self.target
        assert node is not None
        return node.region_code


@dataclass
class Shortfall:
    limit: str  # quota | cash | allocation | budget_line
    available_fen: int
    node: Node


@dataclass
class Context:
    nodes: dict[uuid.UUID, Node] = field(default_factory=dict)
    programmes: dict[uuid.UUID, Programme] = field(default_factory=dict)
    lines: dict[uuid.UUID, list[BudgetLine]] = field(default_factory=dict)
    payments: dict[uuid.UUID, Movement] = field(default_factory=dict)


@dataclass(slots=True)
class Entry:
    """A ledger entry about to be written: the values of one ``Movement`` row, inserted in bulk.

    Building thousands of instrumented ORM objects costs more than checking them; a batch's
    entries are plain objects written with one multi-row INSERT.
    """

    programme_id: uuid.UUID
    kind: MovementKind
    from_node_id: uuid.UUID | None
    to_node_id: uuid.UUID | None
    amount_fen: int
    occurred_on: date
    reference: str | None
    invoice_no: str | None
    region_code: str
    payee_id: uuid.UUID | None
    category: str | None
    budget_line_id: uuid.UUID | None
    final: bool
    refund_of_id: uuid.UUID | None
    batch_id: uuid.UUID | None
    recorded_by: str
    refunded_fen: int = 0
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    recorded_at: datetime = field(default_factory=utcnow)

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


async def insert_entries(session: AsyncSession, entries: Sequence[Entry]) -> None:
    """Write the entries (after the rows they refer to) in one multi-row INSERT."""
    if entries:
        await session.flush()
        await session.execute(insert(Movement), [e.row() for e in entries])


async def load(session: AsyncSession, bodies: Sequence[MovementIn]) -> Context:
    """Load and lock everything these movements touch: nodes (id order), budget lines, refunded payments."""
    refund_ids = {b.refund_of for b in bodies if b.refund_of}
    payments = await movements_repo.movements_by_ids(session, refund_ids)
    node_ids = {i for b in bodies for i in (b.from_node_id, b.to_node_id) if i}
    node_ids |= {m.from_node_id for m in payments.values() if m.from_node_id}
    ctx = Context(nodes=await nodes_repo.nodes_by_ids(session, node_ids, for_update=True))
    ctx.programmes = await programmes_repo.programmes_by_ids(session, {n.programme_id for n in ctx.nodes.values()})
    spending = {
        ctx.nodes[b.from_node_id].programme_id for b in bodies if b.kind == K.EXPEND and b.from_node_id in ctx.nodes
    } | {m.programme_id for m in payments.values()}
    spending |= {
        ctx.nodes[b.to_node_id].programme_id for b in bodies if b.kind == K.SUPPLEMENT and b.to_node_id in ctx.nodes
    }
    listed = await programmes_repo.budget_lines(session, spending)
    locked = await programmes_repo.lock_budget_lines(session, {line.id for line in listed})
    for line in locked.values():
        ctx.lines.setdefault(line.programme_id, []).append(line)
    for payment_id in sorted(payments):  # re-read under lock: refunds change refunded_fen
        locked_payment = await movements_repo.movement(session, payment_id, for_update=True)
        if locked_payment is not None:
            ctx.payments[payment_id] = locked_payment
    return ctx


def prepare(ctx: Context, who: Principal, index: int, body: MovementIn) -> Draft:
    """Check one movement against the tree and the caller's regions; raise the problem when it is wrong.

    A node or payment outside the caller's regions does not exist for it (404, as for reads): acting on
    a node needs to see it; a child gives money back to a parent it may not see.
    """
    kind = MovementKind(body.kind)
    if kind == K.REFUND and body.refund_of is not None:
        payment = ctx.payments.get(body.refund_of)
        if payment is None or not who.sees_region(payment.region_code):
            raise NotFound("no such payment", field="refund_of")
        if payment.kind != K.EXPEND or payment.from_node_id is None:
            raise NotAPayment("only a payment (expend) is refunded by its payee", field="refund_of")
        node = ctx.nodes[payment.from_node_id]
        line = _line_by_id(ctx, payment.programme_id, payment.budget_line_id)
        return Draft(index, body, ctx.programmes[node.programme_id], None, node, line=line, payment=payment)
    if kind == K.SUPPLEMENT:
        return supplements.prepare(ctx, who, index, body)
    assert body.from_node_id is not None
    source = ctx.nodes.get(body.from_node_id)
    if source is None or not who.sees_region(source.region_code):
        raise NotFound("no such source node", field="from_node_id")
    programme = ctx.programmes[source.programme_id]
    if kind == K.EXPEND:
        return Draft(index, body, programme, source, None, line=_line_for(ctx, programme, body.budget_line_code))
    assert body.to_node_id is not None
    target = ctx.nodes.get(body.to_node_id)
    if kind in (K.ALLOCATE, K.DISBURSE):
        if target is None or target.parent_id != source.id:
            raise NotAChild("to_node_id must be a child of from_node_id", field="to_node_id")
    else:  # refund / adjust go up to the parent
        if target is None or source.parent_id != target.id:
            raise NotTheParent("to_node_id must be the parent of from_node_id", field="to_node_id")
        if kind == K.ADJUST and not who.sees_region(target.region_code):
            # the parent withdraws quota it allocated: only who acts for the parent may
            raise NotFound("no such parent node", field="to_node_id")
    return Draft(index, body, programme, source, target)


def local_today(settings: FundsSettings) -> date:
    """Today in the deployment's time zone (a movement dated later lies in the future)."""
    return utcnow().astimezone(ZoneInfo(settings.timezone)).date()


def check_date(d: Draft, settings: FundsSettings, today: date) -> None:
    """A movement happens within its programme's fiscal year (1 January – 31 December, as China's budget year),
    give or take the settings' grace, and not after today."""
    on, year = d.body.occurred_on, d.programme.fiscal_year
    first = date(year, 1, 1) - timedelta(days=settings.movement_days_before_year)
    last = date(year, 12, 31) + timedelta(days=settings.movement_days_after_year)
    if on > today:
        raise DateOutOfRange(f"{on.isoformat()} lies in the future (today is {today.isoformat()})", field="occurred_on")
    if not first <= on <= last:
        raise DateOutOfRange(
            f"{on.isoformat()} lies outside the period of the programme's fiscal year {year}: "
            f"{first.isoformat()} – {last.isoformat()}",
            field="occurred_on",
            period_from=first.isoformat(),
            period_to=last.isoformat(),
        )


def _line_for(ctx: Context, programme: Programme, code: str | None) -> BudgetLine | None:
    lines = ctx.lines.get(programme.id, [])
    if code is None:
        if len(lines) > 1:
            raise UnknownBudgetLine(
                "this programme has budget lines: name one in budget_line_code", field="budget_line_code"
            )
        return lines[0] if lines else None
    for line in lines:
        if line.code == code:
            return line
    raise UnknownBudgetLine(f"the programme has no budget line {code}", field="budget_line_code")


def _line_by_id(ctx: Context, programme_id: uuid.UUID, line_id: uuid.UUID | None) -> BudgetLine | None:
    return next((line for line in ctx.lines.get(programme_id, []) if line.id == line_id), None)


async def attach_payees(session: AsyncSession, settings: FundsSettings, drafts: Sequence[Draft]) -> None:
    """Resolve (create when new) the payee of every payment and lock the payees in id order."""
    given = [d.body.payee for d in drafts if d.body.payee is not None]
    found, created = await payees.resolve(session, settings, given) if given else ({}, set())
    refunded = {d.payment.payee_id for d in drafts if d.payment is not None and d.payment.payee_id}
    ids = {p.id for p in found.values()} | refunded
    locked = await payees_repo.payees_by_ids(session, ids, for_update=True)
    for draft in drafts:
        if draft.body.payee is not None:
            draft.payee = found[payees.identity(settings, draft.body.payee)]
            draft.payee_is_new = draft.payee.id in created
        elif draft.payment is not None and draft.payment.payee_id:
            draft.payee = locked.get(draft.payment.payee_id)


async def held_subjects(session: AsyncSession, drafts: Sequence[Draft]) -> dict[int, list[dict[str, str]]]:
    """For each draft index, the held subjects that refuse it (allocate, disburse and expend only)."""
    wanted: dict[int, list[tuple[str, uuid.UUID]]] = {}
    regions: dict[int, str] = {}
    for d in drafts:
        if d.kind not in BLOCKED_WHEN_HELD or (d.kind == K.REFUND and d.payment is not None):
            continue
        subjects = [("programme", d.programme.id)]
        subjects += [("node", n.id) for n in (d.source, d.target) if n is not None]
        if d.payee is not None and not d.payee_is_new:
            subjects.append(("payee", d.payee.id))
        wanted[d.index] = subjects
        regions[d.index] = d.region_code
    holds = await warnings_repo.held(session, {s for subjects in wanted.values() for s in subjects})

    def holds_here(subject: tuple[str, uuid.UUID], region: str) -> bool:
        """A payee (paid by many counties) is held only where its hold was ordered; nodes and programmes
        belong to one region, so their holds hold everywhere they are seen."""
        keys = holds.get(subject)
        if not keys:
            return False
        if subject[0] != "payee":
            return True
        return any((r := region_of_key(k)) is None or region_contains(r, region) for k in keys)

    out: dict[int, list[dict[str, str]]] = {}
    for i, subjects in wanted.items():
        held = [{"kind": k, "id": str(s)} for k, s in subjects if holds_here((k, s), regions[i])]
        if held:
            out[i] = held
    return out


def shortfall(d: Draft) -> Shortfall | None:
    """The first balance this movement would overdraw (in the current, locked state), if any."""
    x = d.amount
    checks: list[tuple[str, int, Node]] = []
    if d.kind == K.ALLOCATE:
        assert d.source is not None
        checks = [("quota", d.source.available_fen, d.source)]
    elif d.kind == K.DISBURSE:
        assert d.source is not None and d.target is not None
        checks = [("cash", d.source.cash_fen, d.source), ("allocation", d.target.undisbursed_fen, d.source)]
    elif d.kind == K.EXPEND:
        assert d.source is not None
        checks = [("quota", d.source.available_fen, d.source), ("cash", d.source.cash_fen, d.source)]
        if d.line is not None:
            checks.append(("budget_line", d.line.amount_fen - d.line.spent_fen, d.source))
    elif d.kind == K.REFUND and d.payment is None:
        assert d.source is not None
        checks = [("quota", d.source.available_fen, d.source), ("cash", d.source.cash_fen, d.source)]
    elif d.kind == K.ADJUST:
        assert d.source is not None
        checks = [("quota", min(d.source.available_fen, d.source.undisbursed_fen), d.source)]
    for limit, available, node in checks:
        if x > available:
            return Shortfall(limit, max(available, 0), node)
    return None


def check_refund(d: Draft) -> None:
    """A payee pays back at most what is left of the payment (a data error, not an overspend)."""
    if d.payment is not None and d.amount > d.payment.amount_fen - d.payment.refunded_fen:
        left = d.payment.amount_fen - d.payment.refunded_fen
        raise RefundExceedsPayment(f"{left} fen of the payment is left to refund", field="amount_fen", left_fen=left)


def apply(d: Draft, who: Principal, batch_id: uuid.UUID | None = None) -> Entry:
    """Move the balances (on the locked rows) and build the ledger entry."""
    x, kind = d.amount, d.kind
    src, dst = d.source, d.target
    if kind == K.ALLOCATE:
        assert src and dst
        src.passed_on_fen += x
        dst.received_fen += x
    elif kind == K.DISBURSE:
        assert src and dst
        src.disbursed_out_fen += x
        dst.disbursed_in_fen += x
    elif kind == K.EXPEND:
        assert src
        src.spent_fen += x
        if d.line is not None:
            d.line.spent_fen += x
    elif kind == K.REFUND and d.payment is not None:
        assert dst
        dst.spent_fen -= x
        d.payment.refunded_fen += x
        if d.line is not None:
            d.line.spent_fen -= x
    elif kind == K.REFUND:
        assert src and dst
        src.received_fen -= x
        src.disbursed_in_fen -= x
        dst.passed_on_fen -= x
        dst.disbursed_out_fen -= x
    elif kind == K.ADJUST:
        assert src and dst
        src.received_fen -= x
        dst.passed_on_fen -= x
    elif kind == K.SUPPLEMENT:
        supplements.apply(d)
    body = d.body
    return Entry(
        programme_id=d.programme.id,
        kind=kind,
        from_node_id=src.id if src else None,
        to_node_id=dst.id if dst else None,
        amount_fen=x,
        occurred_on=body.occurred_on,
        reference=body.reference,
        invoice_no=body.invoice_no,
        region_code=d.region_code,
        payee_id=d.payee.id if d.payee else None,
        category=body.category if kind == K.EXPEND else (d.payment.category if d.payment else None),
        budget_line_id=d.line.id if d.line else None,
        final=body.final,
        refund_of_id=d.payment.id if d.payment else None,
        batch_id=batch_id,
        recorded_by=who.subject,
    )


def refusal(
    d: Draft, who: Principal, *, reason: str, available_fen: int, batch_key: str | None = None
) -> RefusedMovement:
    return RefusedMovement(
        programme_id=d.programme.id,
        kind=d.kind,
        from_node_id=d.source.id if d.source else None,
        to_node_id=d.target.id if d.target else None,
        amount_fen=d.amount,
        available_fen=available_fen,
        reason=reason,
        occurred_on=d.body.occurred_on,
        reference=d.body.reference,
        region_code=d.region_code,
        payee_id=d.payee.id if d.payee is not None and not d.payee_is_new else None,
        batch_key=batch_key,
        recorded_by=who.subject,
    )


def overspend_finding(refused: RefusedMovement, node: Node, limit: str) -> alerts.Finding:
    return alerts.Finding(
        rule=rules.OVERSPEND,
        subject_kind="node",
        subject_id=str(node.id),
        label=node.name,
        region_code=node.region_code,
        unit_uscc=node.unit_uscc,
        programme_id=node.programme_id,
        evidence={
            "programme_id": str(refused.programme_id),
            "node_id": str(node.id),
            "kind": str(refused.kind),
            "limit": limit,
            "requested_fen": refused.amount_fen,
            "available_fen": refused.available_fen,
            "to_node_id": str(refused.to_node_id) if refused.to_node_id else None,
            "refusal_id": str(refused.id),
        },
        dedupe_key=f"FUNDS-OVERSPEND:node:{node.id}",
        record_id=str(refused.id),
        amount_fen=refused.amount_fen,
    )


def overspend_problem(d: Draft, short: Shortfall) -> Overspend:
    return Overspend(
        f"the node holds {short.available_fen} fen of {short.limit}, {d.amount} requested",
        available_fen=short.available_fen,
        requested_fen=d.amount,
        limit=short.limit,
        node_id=str(short.node.id),
    )


async def movement_out(session: AsyncSession, movement: Movement | Entry, payee: Payee | None = None) -> MovementOut:
    out = MovementOut.model_validate(movement)
    if movement.payee_id is not None:
        payee = payee or await payees_repo.payee(session, movement.payee_id)
        if payee is not None:
            held = bool(await warnings_repo.held_ids(session, "payee", [payee.id]))
            out.payee = payees.payee_out(payee, held=held)
    return out


# --- one movement ------------------------------------------------------------------------------


async def record_movement(
    session: AsyncSession,
    settings: FundsSettings,
    who: Principal,
    body: MovementIn,
    *,
    key: IdempotencyKey | None = None,
) -> MovementOut:
    """Record one movement; refuse (record, warn) an overspend, refuse a held subject."""
    ctx = await load(session, [body])
    draft = prepare(ctx, who, 0, body)
    check_date(draft, settings, local_today(settings))
    await idempotency.begin(session, who, key)
    check_refund(draft)
    await attach_payees(session, settings, [draft])
    now = utcnow()
    held = (await held_subjects(session, [draft])).get(0)
    if held:
        session.add(refusal(draft, who, reason="frozen", available_fen=0))
        problem: Problem = Frozen("a subject of this movement is held pending review", held=held)
        await idempotency.complete(session, who, key, problem.status, problem)
        await session.commit()
        raise problem
    short = shortfall(draft)
    if short is not None:
        refused = refusal(draft, who, reason=f"overspend:{short.limit}", available_fen=short.available_fen)
        session.add(refused)
        await alerts.raise_findings(session, [overspend_finding(refused, short.node, short.limit)], now=now)
        problem = overspend_problem(draft, short)
        await idempotency.complete(session, who, key, problem.status, problem)
        await session.commit()
        raise problem
    movement = apply(draft, who)
    findings = await screening.screen_payments(session, settings, [(draft, movement)])
    await insert_entries(session, [movement])
    add_event(session, events.movement_recorded(movement))
    await alerts.raise_findings(session, findings, now=now)
    out = await movement_out(session, movement, draft.payee)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out
