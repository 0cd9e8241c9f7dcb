"""Funds use cases. No FastAPI here; session first, the rest keyword-only; each commits once.

This module holds programmes (专项资金项目), their trees, payees and the watch lists; the other
use cases live beside it: ``ledger.py`` (movements, batches), ``records.py`` (acceptance and
audit), ``trace.py`` (trace, path, funnel, Benford), ``disclosure.py`` (public reads),
``scans.py`` (periodic rules), ``linkage.py`` (dispositions and complaints) and ``alerts.py``
(funds' view of its warnings).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_contains
from sunlight.db import utcnow
from sunlight.errors import ForbiddenRegion, InvalidInput, NotFound
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, SortOrder, make_page, sorted_page

from funds import alerts, events, payees, screening, supervision, watch
from funds.errors import DuplicateCode, RegionOutsideParent, RootExists
from funds.models import (
    TIER_ORDER,
    BudgetLine,
    Movement,
    MovementKind,
    Node,
    Programme,
    Tier,
    WatchEntry,
)
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.repository import warnings as warnings_repo
from funds.repository import watchlist as watchlist_repo
from funds.schemas.movements import MovementOut, MovementSort, PayeeOut, RefusalOut
from funds.schemas.nodes import NodeIn, NodeOut
from funds.schemas.programmes import BudgetLineOut, ProgrammeIn, ProgrammeOut
from funds.schemas.watchlist import WatchEntryOut, WatchListIn, WatchListOut
from funds.settings import FundsSettings


class TierOrder(InvalidInput):
    slug, title = "tier-order", "A child node sits at its parent's tier or below, never under a beneficiary"


def stamp_key(row: object) -> list[str]:
    """The cursor key of rows listed newest first by their timestamp."""
    stamp = next(getattr(row, f) for f in ("recorded_at", "created_at") if hasattr(row, f))
    return [stamp.isoformat(), str(row.id)]  # type: ignore[attr-defined]


# --- units ------------------------------------------------------------------------------------


async def ensure_unit_in_regions(session: AsyncSession, who: Principal, uscc: str | None, field: str) -> None:
    """A writer names only units registered in its regions (a unit's warnings and figures count against it).

    Funds keeps no register of units: it knows a unit by the nodes it holds and the programmes it
    answers for. A unit funds already knows must be known in one of the caller's regions; a unit it
    has never seen is introduced by this write, in the caller's region; the token's own unit is the
    caller's. 403 ``…/forbidden-region`` otherwise.
    """
    if uscc is None or uscc == who.unit:
        return
    known = await programmes_repo.unit_regions(session, uscc)
    if known and not any(who.sees_region(code) for code in known):
        raise ForbiddenRegion(f"unit {uscc} is registered outside this token's regions", field=field)


# --- programmes --------------------------------------------------------------------------------


def programme_out(programme: Programme, lines: Sequence[BudgetLine]) -> ProgrammeOut:
    out = ProgrammeOut.model_validate(programme)
    out.budget_lines = [BudgetLineOut.model_validate(line) for line in lines]
    return out


async def add_programme(
    session: AsyncSession,
    who: Principal,
    body: ProgrammeIn,
    *,
    thresholds_reason: str = "set when the programme was created",
) -> tuple[Programme, list[BudgetLine]]:
    """The programme and its budget lines, added and flushed (the caller commits); thresholds given here are
    kept in the change history like any later change."""
    who.ensure_can_write(body.region_code)
    await ensure_unit_in_regions(session, who, body.responsible_uscc, "responsible_uscc")
    if await programmes_repo.programme_by_code(session, body.code):
        raise DuplicateCode(f"programme code {body.code} is taken", field="code")
    programme = Programme(
        **body.model_dump(exclude={"thresholds", "budget_lines", "allowed_categories"}),
        allowed_categories=body.allowed_categories,
        thresholds=body.thresholds.model_dump(mode="json", exclude_none=True),
        created_by=who.subject,
    )
    supervision.check_bounds(programme, body.thresholds)
    session.add(programme)
    await session.flush()
    if programme.thresholds:
        supervision.record_change(session, who, programme, {}, dict(programme.thresholds), thresholds_reason)
    lines = [BudgetLine(programme_id=programme.id, **line.model_dump()) for line in body.budget_lines]
    session.add_all(lines)
    await session.flush()
    add_event(session, events.programme_created(programme))
    return programme, lines


async def create_programme(
    session: AsyncSession, who: Principal, body: ProgrammeIn, *, key: IdempotencyKey | None = None
) -> ProgrammeOut:
    who.ensure_can_write(body.region_code)
    if body.thresholds.model_dump(exclude_none=True):  # the bureau does not set the thresholds that watch it
        supervision.ensure_supervisor(who)
        supervision.ensure_not_self(who, {body.responsible_uscc} - {None}, what="threshold")  # type: ignore[arg-type]
    await idempotency.begin(session, who, key)
    programme, lines = await add_programme(session, who, body)
    out = programme_out(programme, lines)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_programme(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> Programme:
    return who.visible(await programmes_repo.programme(session, programme_id), "programme")


async def read_programme(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> ProgrammeOut:
    programme = await get_programme(session, who, programme_id)
    return programme_out(programme, await programmes_repo.budget_lines(session, [programme.id]))


async def list_programmes(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    fiscal_year: int | None = None,
    category: str | None = None,
    region_code: str | None = None,
) -> Page[ProgrammeOut]:
    rows = await programmes_repo.programmes(
        session, who.region_prefixes, page, fiscal_year=fiscal_year, category=category, region_code=region_code
    )
    lines = await programmes_repo.budget_lines(session, [p.id for p in rows])
    by_programme: dict[uuid.UUID, list[BudgetLine]] = {}
    for line in lines:
        by_programme.setdefault(line.programme_id, []).append(line)
    return make_page(rows, page, stamp_key, lambda p: programme_out(p, by_programme.get(p.id, [])))


# --- nodes -------------------------------------------------------------------------------------


def node_out(node: Node) -> NodeOut:
    return NodeOut.model_validate(node)


async def add_node(
    session: AsyncSession, who: Principal, programme: Programme, body: NodeIn, *, budget_on: date | None = None
) -> Node:
    """A node of the programme's tree, added and flushed; the root receives the budget (quota and cash),
    dated ``budget_on`` (default: today)."""
    who.ensure_can_write(body.region_code)
    await ensure_unit_in_regions(session, who, body.unit_uscc, "unit_uscc")
    node = Node(programme_id=programme.id, **body.model_dump())
    if body.parent_id is None:
        if await nodes_repo.root_of(session, programme.id):
            raise RootExists("a programme has one root node; give parent_id")
        if not region_contains(programme.region_code, body.region_code):
            raise RegionOutsideParent("the root lies within the programme's region", field="region_code")
        try:
            async with session.begin_nested():  # another request may have added the root meanwhile
                session.add(node)
                await session.flush()
        except IntegrityError:
            raise RootExists("a programme has one root node; give parent_id") from None
        # the root holds the programme's budget: a budget movement into it keeps the ledger whole
        budget = Movement(
            programme_id=programme.id,
            kind=MovementKind.BUDGET,
            to_node_id=node.id,
            amount_fen=programme.budget_fen,
            occurred_on=budget_on or programme.budget_approved_on or node.created_at.date(),
            region_code=node.region_code,
            recorded_by=who.subject,
        )
        node.received_fen = programme.budget_fen
        node.disbursed_in_fen = programme.budget_fen
        session.add(budget)
        await session.flush()
        add_event(session, events.movement_recorded(budget))
        return node
    parent = await nodes_repo.node(session, body.parent_id)
    if parent is None or parent.programme_id != programme.id:
        raise NotFound("no such parent node in this programme", field="parent_id")
    if not region_contains(parent.region_code, body.region_code):
        raise RegionOutsideParent(
            f"{body.region_code} is not within the parent's region {parent.region_code}", field="region_code"
        )
    if parent.tier == Tier.BENEFICIARY or TIER_ORDER.index(body.tier) < TIER_ORDER.index(parent.tier):
        raise TierOrder(f"a {body.tier} node cannot sit under a {parent.tier} node", field="tier")
    session.add(node)
    await session.flush()
    return node


async def create_node(
    session: AsyncSession, who: Principal, programme_id: uuid.UUID, body: NodeIn, *, key: IdempotencyKey | None = None
) -> NodeOut:
    programme = await get_programme(session, who, programme_id)
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    node = await add_node(session, who, programme, body)
    out = node_out(node)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_nodes(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> Sequence[Node]:
    await get_programme(session, who, programme_id)
    return [n for n in await nodes_repo.nodes_of(session, programme_id) if who.sees_region(n.region_code)]


# --- reads of the ledger ---------------------------------------------------------------------------


async def get_movement(session: AsyncSession, who: Principal, movement_id: uuid.UUID) -> Movement:
    return who.visible(await movements_repo.movement(session, movement_id), "movement")


async def list_movements(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    node_id: uuid.UUID | None = None,
    kind: MovementKind | None = None,
    payee_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    sort: MovementSort = MovementSort.RECORDED_AT,
    order: SortOrder = SortOrder.DESC,
) -> Page[MovementOut]:
    rows = await movements_repo.movements(
        session,
        who.region_prefixes,
        page,
        programme_id=programme_id,
        node_id=node_id,
        kind=kind,
        payee_id=payee_id,
        batch_id=batch_id,
        sort=sort.value,
        order=order,
    )
    found = await payees_repo.payees_by_ids(session, {m.payee_id for m in rows if m.payee_id})
    held = await warnings_repo.held_ids(session, "payee", set(found))

    def convert(movement: Movement) -> MovementOut:
        out = MovementOut.model_validate(movement)
        payee = found.get(movement.payee_id) if movement.payee_id else None
        if payee is not None:
            out.payee = payees.payee_out(payee, held=payee.id in held)
        return out

    def value(movement: Movement) -> Any:
        found_value = getattr(movement, sort.value)
        return found_value.isoformat() if isinstance(found_value, date) else found_value

    return sorted_page(rows, page, sort.value, order, value, lambda m: str(m.id), convert)


async def list_refusals(
    session: AsyncSession, who: Principal, page: PageParams, *, programme_id: uuid.UUID | None = None
) -> Page[RefusalOut]:
    rows = await movements_repo.refusals(session, who.region_prefixes, page, programme_id=programme_id)
    return make_page(rows, page, stamp_key, RefusalOut.model_validate)


async def get_payee(session: AsyncSession, who: Principal, payee_id: uuid.UUID) -> PayeeOut:
    """A payee, to callers who see at least one payment made to it (persons masked)."""
    payee = await payees_repo.payee(session, payee_id)
    if payee is None:
        raise NotFound("no such payee")
    payments = await watchlist_repo.payments_to(session, [payee.id])
    if not any(who.sees_region(m.region_code) for m in payments):
        raise NotFound("no such payee")
    held = bool(await warnings_repo.held_ids(session, "payee", [payee.id]))
    return payees.payee_out(payee, held=held)


# --- watch lists (比对名单) ----------------------------------------------------------------------------


async def load_watch_list(
    session: AsyncSession,
    settings: FundsSettings,
    who: Principal,
    body: WatchListIn,
    *,
    key: IdempotencyKey | None = None,
) -> WatchListOut:
    """Add debarred organisations, officials and relatives; screen the payees already paid against them."""
    for entry in body.entries:
        who.ensure_can_write(entry.region_code)
    await idempotency.begin(session, who, key)
    rows = [
        WatchEntry(
            watch_list=entry.list,
            uscc=entry.uscc,
            id_hash=payees.id_hash(settings, entry.resident_id) if entry.resident_id else None,
            region_code=entry.region_code,
            reason=entry.reason,
            reference=entry.reference,
            listed_on=entry.listed_on,
            delisted_on=entry.delisted_on,
            created_by=who.subject,
        )
        for entry in body.entries
    ]
    session.add_all(rows)
    await session.flush()
    session.add_all(watch.listed(rows, who))  # who listed whom, why (GET /v1/funds/watchlist/changes)
    matched = await screen_existing_payees(session, rows)
    out = WatchListOut(created=len(rows), matched_payees=matched)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def screen_existing_payees(session: AsyncSession, entries: Sequence[WatchEntry]) -> int:
    """Raise FUNDS-PAYEE-INELIGIBLE for payees already paid while a new entry applied (latest payment each)."""
    matches = await payees_repo.payees_matching(
        session,
        usccs={e.uscc for e in entries if e.watch_list == "debarred" and e.uscc},
        id_hashes={e.id_hash for e in entries if e.watch_list != "debarred" and e.id_hash},
    )
    if not matches:
        return 0
    by_id = {p.id: p for p in matches}
    payments = await watchlist_repo.payments_to(session, set(by_id))
    programmes = await programmes_repo.programmes_by_ids(session, {m.programme_id for m in payments})
    nodes = await nodes_repo.nodes_by_ids(session, {m.from_node_id for m in payments if m.from_node_id})
    findings: dict[str, alerts.Finding] = {}
    for movement in payments:  # oldest first: the latest matching payment is the subject
        payee = by_id[movement.payee_id]  # type: ignore[index]
        for entry in entries:
            hit = (entry.watch_list == "debarred" and entry.uscc == payee.uscc) or (
                entry.watch_list != "debarred" and entry.id_hash is not None and entry.id_hash == payee.id_hash
            )
            active = entry.listed_on <= movement.occurred_on and (
                entry.delisted_on is None or movement.occurred_on < entry.delisted_on
            )
            if hit and active and region_contains(entry.region_code, movement.region_code):
                finding = screening.ineligible_finding(
                    payee,
                    entry.watch_list,
                    entry,
                    programmes[movement.programme_id],
                    movement,
                    nodes.get(movement.from_node_id) if movement.from_node_id else None,
                )
                findings[finding.dedupe_key] = finding
    await alerts.raise_findings(session, list(findings.values()), now=utcnow())
    return len({f.evidence["payee_id"] for f in findings.values()})


async def list_watch_entries(session: AsyncSession, who: Principal, page: PageParams) -> Page[WatchEntryOut]:
    rows = await watchlist_repo.watch_entries(session, who.region_prefixes, page)
    return make_page(rows, page, stamp_key, WatchEntryOut.model_validate)
