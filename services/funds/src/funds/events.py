"""The events the funds service emits, built from its rows."""

from __future__ import annotations

from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.funds import MovementRecorded, ProgrammeCreated
from sunlight.warnings import SubjectRef, warning_event

from funds import rules
from funds.models import Movement, Node, Programme, RefusedMovement

SOURCE = "/sunlight/funds"


def programme_created(programme: Programme) -> Envelope[Any]:
    return new_event(
        ProgrammeCreated(
            programme_id=str(programme.id),
            code=programme.code,
            name=programme.name,
            fiscal_year=programme.fiscal_year,
            region_code=programme.region_code,
            budget_fen=programme.budget_fen,
            responsible_uscc=programme.responsible_uscc,
            created_at=programme.created_at,
        ),
        source=SOURCE,
        subject=f"programme/{programme.id}",
    )


def movement_recorded(movement: Movement, region_code: str) -> Envelope[Any]:
    return new_event(
        MovementRecorded(
            movement_id=str(movement.id),
            programme_id=str(movement.programme_id),
            kind=movement.kind.value,
            from_node_id=str(movement.from_node_id) if movement.from_node_id else None,
            to_node_id=str(movement.to_node_id) if movement.to_node_id else None,
            amount_fen=movement.amount_fen,
            region_code=region_code,
            reference=movement.reference,
            occurred_on=movement.occurred_on.isoformat(),
            recorded_at=movement.recorded_at,
        ),
        source=SOURCE,
        subject=f"movement/{movement.id}",
    )


def overspend_warning(refusal: RefusedMovement, source: Node) -> Envelope[Any]:
    return warning_event(
        rules.OVERSPEND,
        service="funds",
        subject=SubjectRef(service="funds", kind="node", id=str(source.id), label=source.name),
        region_code=source.region_code,
        unit_uscc=source.unit_uscc,
        evidence={
            "programme_id": str(refusal.programme_id),
            "node_id": str(source.id),
            "kind": refusal.kind.value,
            "requested_fen": refusal.amount_fen,
            "available_fen": refusal.available_fen,
            "to_node_id": str(refusal.to_node_id) if refusal.to_node_id else None,
            "refusal_id": str(refusal.id),
        },
        occurred_at=refusal.recorded_at,
        dedupe_key=f"FUNDS-OVERSPEND:node:{source.id}",
    )
