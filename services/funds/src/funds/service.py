"""Funds use cases. No FastAPI here; session first, the rest keyword-only; each commits once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_contains
from sunlight.errors import NotFound
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey

from funds import events, repository
from funds.errors import DuplicateCode, NotAChild, Overspend, RegionOutsideParent, RootExists
from funds.models import Movement, MovementKind, Node, Programme, RefusedMovement
from funds.schemas import MovementIn, MovementOut, NodeIn, NodeOut, ProgrammeIn, ProgrammeOut


async def create_programme(
    session: AsyncSession, who: Principal, body: ProgrammeIn, *, key: IdempotencyKey | None = None
) -> ProgrammeOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who.client_id, key)
    if await repository.programme_by_code(session, body.code):
        raise DuplicateCode(f"programme code {body.code} is taken", field="code")
    programme = Programme(**body.model_dump(), created_by=who.subject)
    session.add(programme)
    await session.flush()
    add_event(session, events.programme_created(programme))
    out = ProgrammeOut.model_validate(programme)
    await idempotency.complete(session, who.client_id, key, 201, out)
    await session.commit()
    return out


async def get_programme(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> Programme:
    programme = await repository.programme(session, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    who.ensure_can_read(programme.region_code, "programme")
    return programme


async def create_node(
    session: AsyncSession, who: Principal, programme_id: uuid.UUID, body: NodeIn, *, key: IdempotencyKey | None = None
) -> NodeOut:
    programme = await get_programme(session, who, programme_id)
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who.client_id, key)
    node = Node(programme_id=programme.id, **body.model_dump())
    if body.parent_id is None:
        if await repository.root_of(session, programme.id):
            raise RootExists("a programme has one root node; give parent_id")
        if not region_contains(programme.region_code, body.region_code):
            raise RegionOutsideParent("the root lies within the programme's region", field="region_code")
        session.add(node)
        await session.flush()
        # the root holds the programme's budget: a budget movement into it keeps the ledger whole
        budget = Movement(
            programme_id=programme.id,
            kind=MovementKind.BUDGET,
            to_node_id=node.id,
            amount_fen=programme.budget_fen,
            occurred_on=node.created_at.date(),
            recorded_by=who.subject,
        )
        node.received_fen = programme.budget_fen
        repository.add_movement(session, budget)
        await session.flush()
        add_event(session, events.movement_recorded(budget, node.region_code))
    else:
        parent = await repository.node(session, body.parent_id)
        if parent is None or parent.programme_id != programme.id:
            raise NotFound("no such parent node in this programme", field="parent_id")
        if not region_contains(parent.region_code, body.region_code):
            raise RegionOutsideParent(
                f"{body.region_code} is not within the parent's region {parent.region_code}", field="region_code"
            )
        session.add(node)
        await session.flush()
    out = NodeOut.model_validate(node)
    await idempotency.complete(session, who.client_id, key, 201, out)
    await session.commit()
    return out


async def list_nodes(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> Sequence[Node]:
    await get_programme(session, who, programme_id)
    return [n for n in await repository.nodes_of(session, programme_id) if who.sees_region(n.region_code)]


async def record_movement(
    session: AsyncSession, who: Principal, body: MovementIn, *, key: IdempotencyKey | None = None
) -> MovementOut:
    """Allocate from a node to one of its children; refuse (and warn) when the node holds too little."""
    source = await repository.node(session, body.from_node_id, for_update=True)
    if source is None:
        raise NotFound("no such source node", field="from_node_id")
    who.ensure_can_write(source.region_code)
    await idempotency.begin(session, who.client_id, key)
    target = await repository.node(session, body.to_node_id, for_update=True)
    if target is None or target.parent_id != source.id:
        raise NotAChild("to_node_id must be a child of from_node_id", field="to_node_id")
    available = source.available_fen
    if body.amount_fen > available:
        refusal = RefusedMovement(
            programme_id=source.programme_id,
            kind=body.kind,
            from_node_id=source.id,
            to_node_id=target.id,
            amount_fen=body.amount_fen,
            available_fen=available,
            reason="overspend",
            occurred_on=body.occurred_on,
            reference=body.reference,
            recorded_by=who.subject,
        )
        repository.add_refusal(session, refusal)
        add_event(session, events.overspend_warning(refusal, source))
        problem = Overspend(
            f"node holds {available} fen, {body.amount_fen} requested",
            available_fen=available,
            requested_fen=body.amount_fen,
            node_id=str(source.id),
        )
        await idempotency.complete(session, who.client_id, key, problem.status, problem)
        await session.commit()
        raise problem
    movement = Movement(
        programme_id=source.programme_id,
        kind=body.kind,
        from_node_id=source.id,
        to_node_id=target.id,
        amount_fen=body.amount_fen,
        occurred_on=body.occurred_on,
        reference=body.reference,
        recorded_by=who.subject,
    )
    source.passed_on_fen += body.amount_fen
    target.received_fen += body.amount_fen
    repository.add_movement(session, movement)
    await session.flush()
    add_event(session, events.movement_recorded(movement, source.region_code))
    out = MovementOut.model_validate(movement)
    await idempotency.complete(session, who.client_id, key, 201, out)
    await session.commit()
    return out
