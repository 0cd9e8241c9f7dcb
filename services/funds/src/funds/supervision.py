"""Who certifies what (no self-certification): the supervised bureau neither accepts nor audits its own
spending nor sets the thresholds of the rules that watch it.

- Acceptances (验收) are recorded by principals of the accepting body (``funds:accept``), audits and
  the confirmation of a rectification by the auditing body (``funds:audit``) — scopes the gateway grants
  to those bodies, never with a bureau's ``funds:write``.
- None of them may be the unit that spent the money: a token (or a named inspecting/auditing unit) whose
  USCC is the programme's responsible unit, a unit holding the subject's money (the node and the nodes
  below it; every node of a programme) or the payee of a payment is refused with 403 ``…/self-certification``.
- A programme's thresholds are set by the supervising side (``funds:supervise``: the discipline-inspection
  body or the finance supervision of the programme's region or above — SPEC: inspectors watch, bureaus
  push records; the seed's 同级监督 means the county's own inspection body supervises the county's
  bureaus, so "a higher region" would wrongly exclude it), within ``bounds.BOUNDS``, with a reason, and
  every change is kept: who, when, old → new, why (``GET /v1/funds/programmes/{id}/threshold-changes``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, page_sorted

from funds.bounds import BOUNDS
from funds.errors import SelfCertification, ThresholdOutOfBounds, ThresholdsSupervised
from funds.models import Node, Programme, ThresholdChange
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.repository import supervision as supervision_repo
from funds.schemas.programmes import ProgrammeThresholds, ThresholdBoundOut, ThresholdChangeOut, ThresholdsIn

SUPERVISE = "funds:supervise"


def _below(node_id: uuid.UUID, nodes: Collection[Node]) -> list[Node]:
    """The node and every node under it."""
    children: dict[uuid.UUID | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    out: list[Node] = []
    todo = [n for n in nodes if n.id == node_id]
    while todo:
        node = todo.pop()
        out.append(node)
        todo += children.get(node.id, [])
    return out


async def spending_units(session: AsyncSession, programme: Programme, kind: str, subject_id: uuid.UUID) -> set[str]:
    """The units that spent (or answer for) the money of a programme, node or payment."""
    units = {programme.responsible_uscc}
    nodes = await nodes_repo.nodes_of(session, programme.id)
    if kind == "programme":
        units |= {n.unit_uscc for n in nodes}
    elif kind == "node":
        units |= {n.unit_uscc for n in _below(subject_id, nodes)}
    else:
        payment = await movements_repo.movement(session, subject_id)
        if payment is not None:
            units |= {n.unit_uscc for n in nodes if n.id == payment.from_node_id}
            if payment.payee_id is not None:
                payee = await payees_repo.payee(session, payment.payee_id)
                units.add(payee.uscc if payee else None)
    return {u for u in units if u}


def ensure_not_self(who: Principal, units: set[str], *, named: str | None = None, what: str) -> None:
    """403 ``…/self-certification`` when the caller's unit (or the body it names) spent the money."""
    for uscc, field in ((who.unit, None), (named, "inspector_uscc")):
        if uscc and uscc in units:
            raise SelfCertification(
                f"{uscc} spent or answers for this money: the {what} is recorded by another body",
                unit=uscc,
                **({"field": field} if field else {}),
            )


async def ensure_independent(
    session: AsyncSession, who: Principal, programme_id: uuid.UUID, kind: str, subject_id: uuid.UUID, *,
    named: str | None, what: str,
) -> None:  # fmt: skip
    programme = await programmes_repo.programme(session, programme_id)
    assert programme is not None
    ensure_not_self(who, await spending_units(session, programme, kind, subject_id), named=named, what=what)


def check_bounds(programme: Programme | Any, thresholds: ProgrammeThresholds) -> None:
    """The bounds the schema cannot check: a per-head standard within the programme's budget."""
    standard = thresholds.per_head_standard_fen
    if standard is not None and standard > programme.budget_fen:
        raise ThresholdOutOfBounds(
            f"per_head_standard_fen {standard} exceeds the budget {programme.budget_fen}: "
            + BOUNDS["per_head_standard_fen"].source,
            field="thresholds/per_head_standard_fen",
        )


def ensure_supervisor(who: Principal) -> None:
    if SUPERVISE not in who.scopes:
        raise ThresholdsSupervised(
            "a programme's thresholds are set by the supervising side (scope funds:supervise); create the "
            "programme without thresholds and ask it",
            field="thresholds",
            required=[SUPERVISE],
        )


def record_change(
    session: AsyncSession, who: Principal, programme: Programme, old: dict[str, Any], new: dict[str, Any], reason: str
) -> ThresholdChange:
    change = ThresholdChange(
        programme_id=programme.id,
        region_code=programme.region_code,
        old=old,
        new=new,
        reason=reason,
        changed_by=who.subject,
        changed_by_unit=who.unit,
    )
    session.add(change)
    return change


async def set_thresholds(
    session: AsyncSession,
    who: Principal,
    programme_id: uuid.UUID,
    body: ThresholdsIn,
    *,
    key: IdempotencyKey | None = None,
) -> ThresholdChangeOut:
    """Replace a programme's own thresholds (left out: the deployment's defaults); returns the change recorded."""
    programme = who.visible(await programmes_repo.programme(session, programme_id), "programme")
    who.ensure_can_write(programme.region_code)
    ensure_supervisor(who)
    nodes = await nodes_repo.nodes_of(session, programme.id)
    ensure_not_self(
        who, {u for u in {programme.responsible_uscc, *(n.unit_uscc for n in nodes)} if u}, what="threshold"
    )
    check_bounds(programme, body.thresholds)
    await idempotency.begin(session, who, key)
    new = body.thresholds.model_dump(mode="json", exclude_none=True)
    old = dict(programme.thresholds or {})
    programme.thresholds = new
    change = record_change(session, who, programme, old, new, body.reason)
    await session.flush()
    out = ThresholdChangeOut.model_validate(change)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def threshold_changes(
    session: AsyncSession, who: Principal, programme_id: uuid.UUID, page: PageParams
) -> Page[ThresholdChangeOut]:
    programme = who.visible(await programmes_repo.programme(session, programme_id), "programme")
    changes = await supervision_repo.threshold_changes(session, programme.id)
    return page_sorted(
        changes, page, lambda c: (c.recorded_at, c.id), ThresholdChangeOut.model_validate, (datetime, uuid.UUID)
    )


def threshold_bounds() -> list[ThresholdBoundOut]:
    return [ThresholdBoundOut(name=n, minimum=b.minimum, maximum=b.maximum, source=b.source) for n, b in BOUNDS.items()]
