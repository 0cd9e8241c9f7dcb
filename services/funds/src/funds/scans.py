"""The periodic rules (定期扫描): late pass-down, idle funds, overdue audit findings, Benford per quarter.

Each takes an explicit ``today`` (tests drive them with any date); ``run_scans`` runs them all
as of ``now`` in one transaction and is what the service's periodic job and
``POST /v1/funds/scans`` call. A scan repeats itself harmlessly: a finding is sent when its key
has not been sent before or when its level or material evidence changed (``alerts``); whether a
warning is open, dismissed or concluded is integrity's, never reopened from here.

The rules whose problem can be resolved and come back carry the episode in their key:

- idle funds: ``…:since:<day>``, the first day of the current run of days on which the node held
  money received more than ``idle_days`` earlier (partly spending idle money does not start a new
  episode; spending it down to nothing and idling again does);
- late pass-down: ``…:since:<deadline>``, the first deadline of a run of late receipts whose late
  periods (deadline → passed down, or today) overlap; a receipt late in another, separate run is
  another episode, and a new late receipt in the running one is new material evidence;
- overdue audit findings are keyed per audit finding, Benford per quarter: episodes already.
"""

from __future__ import annotations

import bisect
import itertools
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.app import Job
from sunlight.db import utcnow
from sunlight.warnings import Level, Rule

from funds import alerts, checks, rules
from funds.alerts import Finding
from funds.errors import FutureScan
from funds.models import Movement, MovementKind, Node, Programme, Tier
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import programmes as programmes_repo
from funds.repository import records as records_repo
from funds.repository import warnings as warnings_repo
from funds.schemas.warnings import ScanOut
from funds.settings import FundsSettings

K = MovementKind
MAX_LISTED = 20  # receipts listed in one warning's evidence


def local_today(settings: FundsSettings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


def _node_finding(
    rule: Rule, node: Node, evidence: dict[str, object], key: str, level: Level | None = None, material: object = None
) -> Finding:
    return Finding(
        material=material,
        rule=rule,
        level=level,
        subject_kind="node",
        subject_id=str(node.id),
        label=node.name,
        region_code=node.region_code,
        unit_uscc=node.unit_uscc,
        programme_id=node.programme_id,
        evidence=evidence,
        dedupe_key=key,
    )


def quota_flows(node_id: uuid.UUID, movements: Sequence[Movement]) -> tuple[list[checks.Flow], list[checks.Flow]]:
    """A node's quota receipts (budget, allocations in, and money coming back to it from a child or a payee,
    which has to be passed on again) and its uses (passed on, spent, sent back up)."""
    receipts: list[checks.Flow] = []
    uses: list[checks.Flow] = []
    for m in movements:
        if m.to_node_id == node_id and m.kind in (K.BUDGET, K.SUPPLEMENT, K.ALLOCATE, K.REFUND, K.ADJUST):
            receipts.append(checks.Flow(m.occurred_on, m.amount_fen, str(m.id)))
        elif m.from_node_id == node_id and m.kind in (K.ALLOCATE, K.EXPEND, K.REFUND, K.ADJUST):
            uses.append(checks.Flow(m.occurred_on, m.amount_fen, str(m.id)))
    return receipts, uses


def cash_receipts(node_id: uuid.UUID, movements: Sequence[Movement]) -> list[checks.Flow]:
    """Cash that reached a node: the budget, disbursements from its parent, and money that came back — a
    child's refund, or a payee paying a payment back (each dated on the day it returned)."""
    return [
        checks.Flow(m.occurred_on, m.amount_fen, str(m.id))
        for m in movements
        if m.to_node_id == node_id and m.kind in (K.BUDGET, K.SUPPLEMENT, K.DISBURSE, K.REFUND)
    ]


def cash_outflows(node_id: uuid.UUID, movements: Sequence[Movement]) -> list[checks.Flow]:
    """Cash that left a node: disbursed to a child, paid out, sent back up to the parent."""
    return [
        checks.Flow(m.occurred_on, m.amount_fen, str(m.id))
        for m in movements
        if m.from_node_id == node_id and m.kind in (K.DISBURSE, K.EXPEND, K.REFUND)
    ]


def idle_since(
    receipts: Sequence[checks.Flow], outflows: Sequence[checks.Flow], *, today: date, idle_days: int
) -> date:
    """The first day of the run of days up to ``today`` on which the node held idle money (as ``checks.idle_cash``
    counts it: cash on hand beyond what it received in the last ``idle_days`` days). Call it when the money is
    idle today.

    Whether money is idle changes only on a day money moves or the day a receipt turns ``idle_days + 1`` days
    old, so those days are the only ones checked, from today backwards.
    """
    ins = sorted((f.on, f.amount_fen) for f in receipts)
    outs = sorted((f.on, f.amount_fen) for f in outflows)
    in_days = [on for on, _ in ins]
    out_days = [on for on, _ in outs]
    in_sums = [0, *itertools.accumulate(amount for _, amount in ins)]
    out_sums = [0, *itertools.accumulate(amount for _, amount in outs)]

    def idle_on(day: date) -> bool:
        cash = in_sums[bisect.bisect_right(in_days, day)] - out_sums[bisect.bisect_right(out_days, day)]
        recent = (
            in_sums[bisect.bisect_right(in_days, day)]
            - in_sums[bisect.bisect_left(in_days, day - timedelta(days=idle_days))]
        )
        return cash > 0 and cash > recent

    turns = {on + timedelta(days=idle_days + 1) for on in in_days}
    days = sorted(d for d in {*in_days, *out_days, *turns} if d <= today)
    since = today
    for day in reversed(days):
        if not idle_on(day):
            break
        since = day
    return since


def late_episodes(late: Sequence[checks.LateReceipt], today: date) -> list[list[checks.LateReceipt]]:
    """Late receipts grouped into runs whose late periods (deadline → passed down, or today) overlap."""
    runs: list[list[checks.LateReceipt]] = []
    end: date | None = None
    for receipt in sorted(late, key=lambda r: (r.deadline, r.movement_id or "")):
        stop = receipt.passed_down_on or today
        if end is None or receipt.deadline > end:
            runs.append([receipt])
            end = stop
        else:
            runs[-1].append(receipt)
            end = max(end, stop)
    return runs


async def pass_down_and_idle(session: AsyncSession, settings: FundsSettings, today: date) -> list[Finding]:
    """FUNDS-LATE-PASS-DOWN for nodes with children, FUNDS-IDLE-FUNDS for every node holding cash."""
    nodes = await nodes_repo.all_nodes(session)
    parents = await nodes_repo.parent_ids(session)
    movements = await warnings_repo.scan_movements(session, parents)
    by_node: dict[uuid.UUID, list[Movement]] = {}
    for m in movements:
        for node_id in {m.from_node_id, m.to_node_id} - {None}:
            by_node.setdefault(node_id, []).append(m)  # type: ignore[arg-type]
    programmes: dict[uuid.UUID, Programme] = await programmes_repo.programmes_by_ids(
        session, {n.programme_id for n in nodes}
    )
    children: dict[uuid.UUID, list[str]] = {}
    for n in nodes:
        if n.parent_id is not None:
            children.setdefault(n.parent_id, []).append(n.region_code)
    findings: list[Finding] = []
    idle_nodes: list[tuple[Node, checks.Idle, int]] = []
    for node in nodes:
        if programmes[node.programme_id].budget_source:  # budget derived from a payments file: nothing to judge
            continue
        limits = rules.thresholds(settings, programmes[node.programme_id].thresholds)
        mine = by_node.get(node.id, [])
        kinds = checks.pass_down_kinds(node.region_code, children.get(node.id, []), limits.pass_down_kind)
        deadline = checks.pass_down_deadline(limits.pass_down_days, str(node.tier), kinds)
        if node.id in parents and node.tier != Tier.BENEFICIARY and deadline:
            days, kind = deadline
            receipts, uses = quota_flows(node.id, mine)
            late = checks.late_receipts(receipts, uses, today=today, deadline_days=days)
            for run in late_episodes(late, today):
                worst = max(r.days_late for r in run)
                level = Level.RED if worst >= limits.pass_down_red_after_days else Level.ORANGE
                since = run[0].deadline
                evidence = {
                    "programme_id": str(node.programme_id),
                    "node_id": str(node.id),
                    "tier": str(node.tier),
                    "kind": kind,
                    "legal_basis": checks.PASS_DOWN_BASIS.get((str(node.tier), kind), "set for this programme"),
                    "deadline_days": days,
                    "red_after_days": limits.pass_down_red_after_days,
                    "late_since": since.isoformat(),
                    "max_days_late": worst,
                    "outstanding_fen": sum(r.outstanding_fen for r in run),
                    "late_receipts": [
                        {
                            "movement_id": r.movement_id,
                            "received_on": r.received_on.isoformat(),
                            "amount_fen": r.amount_fen,
                            "deadline": r.deadline.isoformat(),
                            "passed_down_on": r.passed_down_on.isoformat() if r.passed_down_on else None,
                            "outstanding_fen": r.outstanding_fen,
                            "days_late": r.days_late,
                        }
                        for r in run[:MAX_LISTED]
                    ],
                    "as_of": today.isoformat(),
                }
                key = f"FUNDS-LATE-PASS-DOWN:node:{node.id}:since:{since.isoformat()}"
                # new evidence: a receipt joins the run, or one is passed on (days late alone grow by themselves)
                material = [[r.movement_id, r.passed_down_on] for r in run]
                findings.append(_node_finding(rules.LATE_PASS_DOWN, node, evidence, key, level, material))
        idle = checks.idle_cash(cash_receipts(node.id, mine), node.cash_fen, today=today, idle_days=limits.idle_days)
        if idle is not None:
            idle_nodes.append((node, idle, limits.idle_days))
    paid = await movements_repo.payment_days(session, {n.id for n, _, _ in idle_nodes if n.id not in parents})
    for node, idle, idle_days in idle_nodes:
        mine = by_node.get(node.id, [])
        outflows = cash_outflows(node.id, mine) + [checks.Flow(on, total) for on, total in paid.get(node.id, [])]
        since = idle_since(cash_receipts(node.id, mine), outflows, today=today, idle_days=idle_days)
        evidence = {
            "programme_id": str(node.programme_id),
            "node_id": str(node.id),
            "cash_fen": node.cash_fen,
            "idle_fen": idle.idle_fen,
            "idle_since": since.isoformat(),
            "oldest_receipt_on": idle.oldest_receipt_on.isoformat(),
            "days_idle": idle.days_idle,
            "idle_days": idle_days,
            "as_of": today.isoformat(),
        }
        key = f"FUNDS-IDLE-FUNDS:node:{node.id}:since:{since.isoformat()}"
        findings.append(_node_finding(rules.IDLE_FUNDS, node, evidence, key, material=[]))  # once per episode
    return findings


async def overdue_audit_findings(session: AsyncSession, today: date) -> list[Finding]:
    findings = []
    for item, audit in await records_repo.overdue_findings(session, today):
        findings.append(
            Finding(
                rule=rules.AUDIT_UNRECTIFIED,
                subject_kind=audit.subject_kind,
                subject_id=str(audit.subject_id),
                label=f"audit by {audit.auditor} on {audit.audited_on.isoformat()}"[:300],
                region_code=audit.region_code,
                programme_id=audit.programme_id,
                evidence={
                    "programme_id": str(audit.programme_id),
                    "audit_id": str(audit.id),
                    "finding_id": str(item.id),
                    "rectify_by": item.rectify_by.isoformat(),
                    "days_overdue": checks.days_overdue(item.rectify_by, item.rectified_on, today),
                    "amount_fen": item.amount_fen,
                    "as_of": today.isoformat(),
                },
                dedupe_key=f"FUNDS-AUDIT-UNRECTIFIED:audit_finding:{item.id}",
                material=[item.rectify_by, item.amount_fen],  # days overdue grow by themselves
            )
        )
    return findings


def previous_quarter(today: date) -> tuple[date, date, str]:
    start, _, _ = checks.quarter_of(today)
    return checks.quarter_of(start - timedelta(days=1))


async def benford_findings(
    session: AsyncSession, settings: FundsSettings, today: date, *, quarter: tuple[date, date, str] | None = None
) -> list[Finding]:
    """FUNDS-BENFORD for each node whose payments in the last complete quarter deviate (blue)."""
    start, end, label = quarter or previous_quarter(today)
    amounts = await movements_repo.expend_amounts(session, start=start, end=end)
    nodes = await nodes_repo.nodes_by_ids(session, set(amounts))
    programmes = await programmes_repo.programmes_by_ids(session, {n.programme_id for n in nodes.values()})
    findings = []
    for node_id, values in sorted(amounts.items()):
        if node_id not in nodes:
            continue
        node = nodes[node_id]
        limits = rules.thresholds(settings, programmes[node.programme_id].thresholds)
        verdict = checks.benford_verdict(
            values,
            min_count=settings.benford_min_count,
            alpha=settings.benford_alpha,
            mad_threshold=settings.benford_mad_threshold,
            min_distinct_percent=settings.benford_min_distinct_percent,
            reporting_floor_fen=limits.reporting_floor_fen,
            fixed_amounts=limits.per_head_standard_fen is not None,
        )
        if not verdict.deviates or verdict.result is None:
            continue
        result = verdict.result
        evidence = {
            "programme_id": str(node.programme_id),
            "node_id": str(node.id),
            "period": label,
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
            "count": result.count,
            "distinct_amounts": verdict.distinct,
            "floor_fen": verdict.floor_fen,
            "mad": result.mad,
            "mad_threshold": settings.benford_mad_threshold,
            "conformity": result.conformity,
            "chi_square": result.chi_square,
            "p_value": float(f"{result.p_value:.3g}"),
            "alpha": settings.benford_alpha,
            "chi_square_critical_5pct": checks.CHI_SQUARE_CRITICAL_5PCT,
            "observed": [round(o, 4) for o in result.observed],
            "counts": list(result.counts),
        }
        key = f"FUNDS-BENFORD:node:{node.id}:{label}"
        findings.append(_node_finding(rules.BENFORD, node, evidence, key, material=[result.count, list(result.counts)]))
    return findings


async def run_scans(session: AsyncSession, settings: FundsSettings, *, now: datetime) -> ScanOut:
    """Every periodic rule as of ``now``, in one transaction."""
    today = local_today(settings, now)
    findings = [
        *(await pass_down_and_idle(session, settings, today)),
        *(await overdue_audit_findings(session, today)),
        *(await benford_findings(session, settings, today)),
    ]
    raised = await alerts.raise_findings(session, findings, now=now, periodic=True)
    await session.commit()
    return ScanOut(as_of=now, findings=dict(Counter(f.rule.id for f in findings)), raised=raised)


def job(settings: FundsSettings) -> Job:
    async def run(app: FastAPI) -> None:
        async with app.state.db.sessions() as session:
            await run_scans(session, app.state.settings, now=utcnow())

    return Job("funds-scans", settings.scan_every_seconds, run)


async def scan_now(session: AsyncSession, settings: FundsSettings, *, as_of: datetime | None = None) -> ScanOut:
    """``POST /v1/funds/scans``: the periodic scan, now or as of a past instant."""
    now = utcnow()
    if as_of is not None and as_of.tzinfo is None:
        raise FutureScan("as_of needs a time zone (e.g. 2026-03-01T00:00:00Z)", field="as_of")
    if as_of is not None and as_of > now:
        raise FutureScan("as_of lies in the future", field="as_of")
    return await run_scans(session, settings, now=as_of or now)
