"""Fund tracing (资金追溯): the chain of a programme, the path of a payment, the funnel, Benford per node.

Reads only. A programme's trace checks the tree while it reports it: every node's stored counters
(received, passed on, disbursed in and out, spent) must equal what its movements add up to (budget,
allocations and disbursements in and out, payments, refunds, adjustments), and every parent must
have passed on exactly what its children say they received (quota and cash). The ledger's
write-time invariants guarantee both; a discrepancy here means the data was changed behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.errors import InvalidInput

from funds import checks
from funds.ledger import movement_out
from funds.models import TIER_ORDER, Acceptance, Audit, Movement, MovementKind, Node
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import programmes as programmes_repo
from funds.repository import records as records_repo
from funds.repository import supervision as supervision_repo
from funds.repository import warnings as warnings_repo
from funds.schemas.programmes import BudgetLineOut
from funds.schemas.trace import BenfordOut, FunnelOut, NodeTrace, PathHop, PaymentPathOut, TierTotal, TraceOut
from funds.screening import ancestry
from funds.service import get_movement, get_programme, programme_out


def _depths(nodes: Sequence[Node]) -> dict[uuid.UUID, int]:
    parents = {n.id: n.parent_id for n in nodes}
    return {n.id: len(ancestry(n.id, parents)) - 1 for n in nodes}


def node_trace(node: Node, depth: int, children_received: int, held: bool) -> NodeTrace:
    return NodeTrace(
        id=node.id,
        parent_id=node.parent_id,
        depth=depth,
        tier=node.tier,
        name=node.name,
        region_code=node.region_code,
        received_fen=node.received_fen,
        passed_on_fen=node.passed_on_fen,
        spent_fen=node.spent_fen,
        idle_fen=node.cash_fen,
        available_fen=node.available_fen,
        disbursed_in_fen=node.disbursed_in_fen,
        disbursed_out_fen=node.disbursed_out_fen,
        children_received_fen=children_received,
        held=held,
    )


COUNTERS = ("received_fen", "passed_on_fen", "disbursed_in_fen", "disbursed_out_fen", "spent_fen")


def recomputed(
    sums: Sequence[tuple[MovementKind, uuid.UUID | None, uuid.UUID | None, int]],
) -> dict[uuid.UUID, dict[str, int]]:
    """Each node's counters from the movements alone (the same effects as ``ledger.apply``)."""
    K = MovementKind
    out: dict[uuid.UUID, dict[str, int]] = {}

    def add(node: uuid.UUID | None, counter: str, amount: int) -> None:
        if node is not None:
            counters = out.setdefault(node, dict.fromkeys(COUNTERS, 0))
            counters[counter] += amount

    for kind, src, dst, x in sums:
        if kind in (K.BUDGET, K.SUPPLEMENT):  # money from outside the tree
            add(dst, "received_fen", x)
            add(dst, "disbursed_in_fen", x)
        elif kind == K.ALLOCATE:
            add(src, "passed_on_fen", x)
            add(dst, "received_fen", x)
        elif kind == K.DISBURSE:
            add(src, "disbursed_out_fen", x)
            add(dst, "disbursed_in_fen", x)
        elif kind == K.EXPEND:
            add(src, "spent_fen", x)
        elif kind == K.REFUND and src is None:  # a payee paying a payment back
            add(dst, "spent_fen", -x)
        elif kind == K.REFUND:
            add(src, "received_fen", -x)
            add(src, "disbursed_in_fen", -x)
            add(dst, "passed_on_fen", -x)
            add(dst, "disbursed_out_fen", -x)
        elif kind == K.ADJUST:
            add(src, "received_fen", -x)
            add(dst, "passed_on_fen", -x)
    return out


def discrepancies(
    nodes: Sequence[Node],
    budget_fen: int,
    sums: Sequence[tuple[MovementKind, uuid.UUID | None, uuid.UUID | None, int]] = (),
    supplements: dict[uuid.UUID, int] | None = None,
) -> list[str]:
    """Where the tree does not add up (empty when it is conserved): stored counters against the movements,
    then parents against their children. Money a supplement (追加) added to a node came from outside the
    tree: it is not owed by the parent, and the budget includes it."""
    added = supplements or {}
    received: dict[uuid.UUID, int] = {}
    cash: dict[uuid.UUID, int] = {}
    for node in nodes:
        if node.parent_id is not None:
            own = added.get(node.id, 0)
            received[node.parent_id] = received.get(node.parent_id, 0) + node.received_fen - own
            cash[node.parent_id] = cash.get(node.parent_id, 0) + node.disbursed_in_fen - own
    budget_fen -= sum(v for k, v in added.items() if any(n.id == k and n.parent_id is not None for n in nodes))
    problems = []
    moved = recomputed(sums)
    for node in nodes:
        expected = moved.get(node.id, dict.fromkeys(COUNTERS, 0))
        for counter in COUNTERS:
            stored = getattr(node, counter)
            if stored != expected[counter]:
                problems.append(f"{node.id}: {counter} is {stored}, its movements add up to {expected[counter]}")
    for node in nodes:
        if node.passed_on_fen != received.get(node.id, 0):
            problems.append(f"{node.id}: passed on {node.passed_on_fen}, children received {received.get(node.id, 0)}")
        if node.disbursed_out_fen != cash.get(node.id, 0):
            problems.append(f"{node.id}: disbursed {node.disbursed_out_fen}, children were paid {cash.get(node.id, 0)}")
        if node.parent_id is None and node.received_fen != budget_fen:
            problems.append(f"{node.id}: the root received {node.received_fen}, the budget is {budget_fen}")
    return problems


async def trace(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> TraceOut:
    programme = await get_programme(session, who, programme_id)
    nodes = await nodes_repo.nodes_of(session, programme.id)
    held = await warnings_repo.held_ids(session, "node", [n.id for n in nodes])
    depths = _depths(nodes)
    children: dict[uuid.UUID, int] = {}
    for node in nodes:
        if node.parent_id is not None:
            children[node.parent_id] = children.get(node.parent_id, 0) + node.received_fen
    visible = [n for n in nodes if who.sees_region(n.region_code)]
    tiers = []
    for tier in TIER_ORDER:
        of_tier = [n for n in visible if n.tier == tier]
        if of_tier:
            tiers.append(
                TierTotal(
                    tier=tier,
                    nodes=len(of_tier),
                    received_fen=sum(n.received_fen for n in of_tier),
                    passed_on_fen=sum(n.passed_on_fen for n in of_tier),
                    spent_fen=sum(n.spent_fen for n in of_tier),
                    idle_fen=sum(n.cash_fen for n in of_tier),
                )
            )
    sums = await movements_repo.movement_sums(session, programme.id)
    added = await supervision_repo.supplements_by_node(session, programme.id) if nodes else {}
    problems = discrepancies(nodes, programme.budget_fen, sums, added) if nodes else []
    return TraceOut(
        programme=programme_out(programme, await programmes_repo.budget_lines(session, [programme.id])),
        nodes=[node_trace(n, depths[n.id], children.get(n.id, 0), n.id in held) for n in visible],
        tiers=tiers,
        conserved=not problems,
        discrepancies=problems,
    )


async def payment_path(session: AsyncSession, who: Principal, movement_id: uuid.UUID) -> PaymentPathOut:
    """A payment (or any movement) back through every node that passed its money down, to the budget line."""
    movement = await get_movement(session, who, movement_id)
    programme = await get_programme(session, who, movement.programme_id)
    nodes = {n.id: n for n in await nodes_repo.nodes_of(session, programme.id)}
    start = movement.from_node_id or movement.to_node_id
    chain = ancestry(start, {n.id: n.parent_id for n in nodes.values()})
    inflows = await movements_repo.inflows(session, chain)
    held = await warnings_repo.held_ids(session, "node", chain)
    depths = _depths(list(nodes.values()))
    hops = []
    for node_id in chain:
        node = nodes[node_id]
        into = [m for m in inflows if m.to_node_id == node_id]
        hops.append(
            PathHop(
                node=node_trace(node, depths[node_id], 0, node_id in held),
                inflows=[await movement_out(session, m) for m in into],
            )
        )
    line = await programmes_repo.budget_line(session, movement.budget_line_id) if movement.budget_line_id else None
    return PaymentPathOut(
        payment=await movement_out(session, movement),
        programme=programme_out(programme, await programmes_repo.budget_lines(session, [programme.id])),
        budget_line=BudgetLineOut.model_validate(line) if line else None,
        hops=hops,
    )


def _covered(
    payments: Sequence[Movement],
    records: Sequence[Acceptance] | Sequence[Audit],
    parents: dict[uuid.UUID, uuid.UUID | None],
    programme_id: uuid.UUID,
) -> int:
    """Net amount of the payments that a record covers (on the programme, an ancestor node or the payment)."""
    if any(r.subject_kind == "programme" and r.subject_id == programme_id for r in records):
        return sum(p.amount_fen - p.refunded_fen for p in payments)
    nodes = {r.subject_id for r in records if r.subject_kind == "node"}
    moves = {r.subject_id for r in records if r.subject_kind == "movement"}
    total = 0
    for payment in payments:
        if payment.id in moves or nodes.intersection(ancestry(payment.from_node_id, parents)):
            total += payment.amount_fen - payment.refunded_fen
    return total


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


async def funnel(session: AsyncSession, who: Principal, programme_id: uuid.UUID) -> FunnelOut:
    """Budget → allocated → disbursed → spent → accepted → audited (每一环的金额与比率)."""
    programme = await get_programme(session, who, programme_id)
    nodes = await nodes_repo.nodes_of(session, programme.id)
    root = next((n for n in nodes if n.parent_id is None), None)
    movements = await movements_repo.programme_movements(session, programme.id)
    payments = [m for m in movements if m.kind == MovementKind.EXPEND]
    parents = {n.id: n.parent_id for n in nodes}
    accepted = [a for a in await records_repo.passed_acceptances(session, [programme.id])]
    audits = await records_repo.programme_audits(session, programme.id)
    amounts = {
        "budget": programme.budget_fen,
        "allocated": (root.passed_on_fen + root.spent_fen) if root else 0,
        "disbursed": (root.disbursed_out_fen + root.spent_fen) if root else 0,
        "spent": sum(n.spent_fen for n in nodes),
        # an acceptance covers what was accepted: the payment, or the payments of the node accepted (not those below)
        "accepted": _covered(payments, [a for a in accepted if a.subject_kind != "programme"], {}, programme.id),
        "audited": _covered(payments, audits, parents, programme.id),
    }
    stages = []
    previous = None
    for name, amount in amounts.items():
        stages.append(
            {
                "stage": name,
                "amount_fen": amount,
                "of_previous_percent": _share(amount, previous) if previous is not None else None,
                "of_budget_percent": _share(amount, programme.budget_fen),
            }
        )
        previous = amount
    return FunnelOut(
        programme_id=programme.id,
        budget_fen=amounts["budget"],
        allocated_fen=amounts["allocated"],
        disbursed_fen=amounts["disbursed"],
        spent_fen=amounts["spent"],
        accepted_fen=amounts["accepted"],
        audited_fen=amounts["audited"],
        stages=stages,
    )


async def benford_of(
    session: AsyncSession, who: Principal, node_id: uuid.UUID, *, start: date, end: date
) -> BenfordOut:
    """First digits of a node's payments with ``start <= occurred_on < end`` against Benford's law."""
    if end <= start:
        raise InvalidInput("to is after from", field="to")
    node = who.visible(await nodes_repo.node(session, node_id), "node")
    amounts = (await movements_repo.expend_amounts(session, start=start, end=end, node_ids=[node.id])).get(node.id, [])
    result = checks.benford(amounts)
    return BenfordOut(
        node_id=node.id,
        period_from=start,
        period_to=end,
        count=result.count,
        digits=list(range(1, 10)),
        observed=[round(o, 6) for o in result.observed],
        expected=[round(e, 6) for e in checks.BENFORD_EXPECTED],
        counts=list(result.counts),
        mad=result.mad,
        chi_square=result.chi_square,
        conformity=result.conformity,
    )
