"""Funds queries. Never commits: the service function owns the transaction.

Row locks (``for_update``) are always taken in one global order — nodes by id, then the
payee, then budget lines — so two writers never wait on each other in a circle.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_prefix
from sunlight.db import within_regions
from sunlight.pagination import PageParams, SortOrder, keyset, sorted_keyset

from funds.models import (
    Acceptance,
    Audit,
    AuditFinding,
    BudgetLine,
    FundsWarning,
    Hold,
    Movement,
    MovementBatch,
    MovementKind,
    Node,
    Payee,
    PayeeAccount,
    Programme,
    RefusedMovement,
    ThresholdChange,
    WatchChange,
    WatchEntry,
)
from funds.schemas import WarningFilter

# --- programmes and budget lines -----------------------------------------------------------------


async def programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme | None:
    return await session.get(Programme, programme_id)


async def unit_regions(session: AsyncSession, uscc: str) -> set[str]:
    """The regions where funds knows the unit ``uscc``: of the nodes it holds and the programmes it answers for."""
    nodes = select(Node.region_code).where(Node.unit_uscc == uscc).distinct()  # type: ignore[arg-type]
    programmes = select(Programme.region_code).where(Programme.responsible_uscc == uscc).distinct()  # type: ignore[arg-type]
    found = (await session.execute(nodes)).scalars().all() + (await session.execute(programmes)).scalars().all()
    return set(found)


async def programme_by_code(session: AsyncSession, code: str) -> Programme | None:
    return (await session.execute(select(Programme).where(Programme.code == code))).scalar_one_or_none()


async def programmes_by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Programme]:
    if not ids:
        return {}
    rows = (await session.execute(select(Programme).where(Programme.id.in_(ids)))).scalars().all()  # type: ignore[attr-defined]
    return {p.id: p for p in rows}


async def programmes(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    fiscal_year: int | None = None,
    category: str | None = None,
    region_code: str | None = None,
) -> Sequence[Programme]:
    query = select(Programme).where(within_regions(Programme.region_code, prefixes))
    if fiscal_year is not None:
        query = query.where(Programme.fiscal_year == fiscal_year)
    if category:
        query = query.where(Programme.category == category)
    if region_code:
        query = query.where(within_regions(Programme.region_code, [region_prefix(region_code)]))
    return (await session.execute(keyset(query, page, Programme.created_at, Programme.id))).scalars().all()


async def budget_lines(session: AsyncSession, programme_ids: Collection[uuid.UUID]) -> Sequence[BudgetLine]:
    if not programme_ids:
        return []
    query = select(BudgetLine).where(BudgetLine.programme_id.in_(programme_ids)).order_by(BudgetLine.code)  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def lock_budget_lines(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, BudgetLine]:
    if not ids:
        return {}
    query = select(BudgetLine).where(BudgetLine.id.in_(ids)).order_by(BudgetLine.id).with_for_update()  # type: ignore[attr-defined]
    return {line.id: line for line in (await session.execute(query)).scalars().all()}


async def budget_line(session: AsyncSession, line_id: uuid.UUID) -> BudgetLine | None:
    return await session.get(BudgetLine, line_id)


# --- nodes -------------------------------------------------------------------------------------


async def node(session: AsyncSession, node_id: uuid.UUID, *, for_update: bool = False) -> Node | None:
    """A node; ``for_update`` takes its row lock on PostgreSQL (SQLite transactions are already exclusive)."""
    query = select(Node).where(Node.id == node_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def nodes_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, Node]:
    """Several nodes; with ``for_update`` their locks are taken in id order (no deadlocks between writers)."""
    if not ids:
        return {}
    query = select(Node).where(Node.id.in_(ids)).order_by(Node.id)  # type: ignore[attr-defined]
    if for_update:
        query = query.with_for_update()
    return {n.id: n for n in (await session.execute(query)).scalars().all()}


async def root_of(session: AsyncSession, programme_id: uuid.UUID) -> Node | None:
    query = select(Node).where(Node.programme_id == programme_id, Node.parent_id.is_(None))  # type: ignore[union-attr]
    return (await session.execute(query)).scalar_one_or_none()


async def nodes_of(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Node]:
    query = select(Node).where(Node.programme_id == programme_id).order_by(Node.created_at, Node.id)
    return (await session.execute(query)).scalars().all()


async def all_nodes(session: AsyncSession) -> Sequence[Node]:
    return (await session.execute(select(Node).order_by(Node.programme_id, Node.created_at))).scalars().all()


async def parent_ids(session: AsyncSession) -> set[uuid.UUID]:
    """Ids of every node that has at least one child."""
    query = select(Node.parent_id).where(Node.parent_id.is_not(None)).distinct()  # type: ignore[union-attr]
    return {row for row in (await session.execute(query)).scalars().all() if row is not None}


# --- payees ------------------------------------------------------------------------------------


async def payee(session: AsyncSession, payee_id: uuid.UUID) -> Payee | None:
    return await session.get(Payee, payee_id)


async def payees_by_ids(
    session: AsyncSession, ids: Collection[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, Payee]:
    if not ids:
        return {}
    query = select(Payee).where(Payee.id.in_(ids)).order_by(Payee.id)  # type: ignore[attr-defined]
    if for_update:
        query = query.with_for_update()
    return {p.id: p for p in (await session.execute(query)).scalars().all()}


async def payees_by_identity(session: AsyncSession, identities: Collection[str]) -> dict[str, Payee]:
    if not identities:
        return {}
    query = select(Payee).where(Payee.identity.in_(identities))  # type: ignore[attr-defined]
    return {p.identity: p for p in (await session.execute(query)).scalars().all()}


async def payees_matching(session: AsyncSession, *, usccs: Collection[str], id_hashes: Collection[str]) -> list[Payee]:
    clauses = []
    if usccs:
        clauses.append(Payee.uscc.in_(usccs))  # type: ignore[union-attr]
    if id_hashes:
        clauses.append(Payee.id_hash.in_(id_hashes))  # type: ignore[union-attr]
    if not clauses:
        return []
    return list((await session.execute(select(Payee).where(or_(*clauses)))).scalars().all())


# --- movements and refusals ------------------------------------------------------------------------


async def movement(session: AsyncSession, movement_id: uuid.UUID, *, for_update: bool = False) -> Movement | None:
    query = select(Movement).where(Movement.id == movement_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def movements_by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Movement]:
    if not ids:
        return {}
    rows = (await session.execute(select(Movement).where(Movement.id.in_(ids)))).scalars().all()  # type: ignore[attr-defined]
    return {m.id: m for m in rows}


async def movements(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    node_id: uuid.UUID | None = None,
    kind: MovementKind | None = None,
    payee_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    sort: str = "recorded_at",
    order: SortOrder = SortOrder.DESC,
) -> Sequence[Movement]:
    query = select(Movement).where(within_regions(Movement.region_code, prefixes))
    if programme_id:
        query = query.where(Movement.programme_id == programme_id)
    if node_id:
        query = query.where(or_(Movement.from_node_id == node_id, Movement.to_node_id == node_id))
    if kind:
        query = query.where(Movement.kind == kind)
    if payee_id:
        query = query.where(Movement.payee_id == payee_id)
    if batch_id:
        query = query.where(Movement.batch_id == batch_id)
    query = sorted_keyset(query, page, sort, order, getattr(Movement, sort), Movement.id)
    return (await session.execute(query)).scalars().all()


async def programme_movements(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Movement]:
    query = (
        select(Movement)
        .where(Movement.programme_id == programme_id)
        .order_by(Movement.occurred_on, Movement.recorded_at, Movement.id)
    )
    return (await session.execute(query)).scalars().all()


async def node_movements(session: AsyncSession, node_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Every movement into or out of these nodes (for the time-based rules)."""
    if not node_ids:
        return []
    query = (
        select(Movement)
        .where(or_(Movement.from_node_id.in_(node_ids), Movement.to_node_id.in_(node_ids)))  # type: ignore[union-attr]
        .order_by(Movement.occurred_on, Movement.id)
    )
    return (await session.execute(query)).scalars().all()


async def inflows(session: AsyncSession, node_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Budget, supplements, allocations and disbursements into these nodes."""
    if not node_ids:
        return []
    kinds = (MovementKind.BUDGET, MovementKind.SUPPLEMENT, MovementKind.ALLOCATE, MovementKind.DISBURSE)
    query = (
        select(Movement)
        .where(Movement.to_node_id.in_(node_ids), Movement.kind.in_(kinds))  # type: ignore[union-attr, attr-defined]
        .order_by(Movement.occurred_on, Movement.recorded_at)
    )
    return (await session.execute(query)).scalars().all()


async def payments_of_payees(
    session: AsyncSession, payee_ids: Collection[uuid.UUID], *, since: date
) -> Sequence[Movement]:
    """Expend movements to these payees on or after ``since`` (history for the payment rules)."""
    if not payee_ids:
        return []
    query = select(Movement).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.payee_id.in_(payee_ids),  # type: ignore[union-attr]
        Movement.occurred_on >= since,
    )
    return (await session.execute(query)).scalars().all()


async def payments_sharing(
    session: AsyncSession, *, invoices: Collection[str], references: Collection[str], since: date
) -> Sequence[Movement]:
    """Expend movements on or after ``since`` carrying one of these supplier invoice numbers or references."""
    if not invoices and not references:
        return []
    query = select(Movement).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.occurred_on >= since,
        or_(
            Movement.invoice_no.in_(list(invoices)),  # type: ignore[union-attr]
            Movement.reference.in_(list(references)),  # type: ignore[union-attr]
        ),
    )
    return (await session.execute(query)).scalars().all()


async def programme_payee_totals(
    session: AsyncSession, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[uuid.UUID]]]:
    """Net amount paid per (programme, payee), and the payment ids, for the per-head standard."""
    if not pairs:
        return {}
    programmes = {p for p, _ in pairs}
    payees = {q for _, q in pairs}
    query = select(
        Movement.programme_id, Movement.payee_id, Movement.id, Movement.amount_fen - Movement.refunded_fen
    ).where(
        Movement.kind == MovementKind.EXPEND,
        Movement.programme_id.in_(programmes),  # type: ignore[attr-defined]
        Movement.payee_id.in_(payees),  # type: ignore[union-attr]
    )
    out: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[uuid.UUID]]] = {}
    for programme_id, payee_id, movement_id, net in (await session.execute(query)).all():
        total, ids = out.get((programme_id, payee_id), (0, []))
        out[(programme_id, payee_id)] = (total + int(net), [*ids, movement_id])
    return out


async def expend_amounts(
    session: AsyncSession, *, start: date, end: date, node_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, list[int]]:
    """Payment amounts per paying node with ``start <= occurred_on < end`` (Benford)."""
    query = select(Movement.from_node_id, Movement.amount_fen).where(
        Movement.kind == MovementKind.EXPEND, Movement.occurred_on >= start, Movement.occurred_on < end
    )
    if node_ids is not None:
        query = query.where(Movement.from_node_id.in_(node_ids))  # type: ignore[union-attr]
    out: dict[uuid.UUID, list[int]] = {}
    for node_id, amount in (await session.execute(query)).all():
        out.setdefault(node_id, []).append(int(amount))
    return out


async def movement_sums(
    session: AsyncSession, programme_id: uuid.UUID
) -> list[tuple[MovementKind, uuid.UUID | None, uuid.UUID | None, int]]:
    """The programme's ledger summed per (kind, from node, to node): what the trace recomputes counters from."""
    query = (
        select(Movement.kind, Movement.from_node_id, Movement.to_node_id, func.sum(Movement.amount_fen))
        .where(Movement.programme_id == programme_id)
        .group_by(Movement.kind, Movement.from_node_id, Movement.to_node_id)
    )
    return [(MovementKind(k), f, t, int(total)) for k, f, t, total in (await session.execute(query)).all()]


async def payment_days(
    session: AsyncSession, node_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[date, int]]]:
    """Per paying node, what it paid out per day (idle funds: when the cash it holds was last spent down)."""
    if not node_ids:
        return {}
    query = (
        select(Movement.from_node_id, Movement.occurred_on, func.sum(Movement.amount_fen))
        .where(Movement.kind == MovementKind.EXPEND, Movement.from_node_id.in_(node_ids))  # type: ignore[union-attr]
        .group_by(Movement.from_node_id, Movement.occurred_on)
    )
    out: dict[uuid.UUID, list[tuple[date, int]]] = {}
    for node_id, on, total in (await session.execute(query)).all():
        out.setdefault(node_id, []).append((on, int(total)))
    return out


async def refusals(
    session: AsyncSession, prefixes: Sequence[str], page: PageParams, *, programme_id: uuid.UUID | None = None
) -> Sequence[RefusedMovement]:
    query = select(RefusedMovement).where(within_regions(RefusedMovement.region_code, prefixes))
    if programme_id:
        query = query.where(RefusedMovement.programme_id == programme_id)
    return (await session.execute(keyset(query, page, RefusedMovement.recorded_at, RefusedMovement.id))).scalars().all()


async def batch(session: AsyncSession, client_id: str, batch_key: str) -> MovementBatch | None:
    query = select(MovementBatch).where(MovementBatch.client_id == client_id, MovementBatch.batch_key == batch_key)
    return (await session.execute(query)).scalar_one_or_none()


# --- acceptance and audit --------------------------------------------------------------------------


async def passed_acceptances(session: AsyncSession, programme_ids: Collection[uuid.UUID]) -> Sequence[Acceptance]:
    if not programme_ids:
        return []
    query = select(Acceptance).where(Acceptance.programme_id.in_(programme_ids), Acceptance.result == "passed")  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def acceptances(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Sequence[Acceptance]:
    query = select(Acceptance).where(within_regions(Acceptance.region_code, prefixes))
    if programme_id:
        query = query.where(Acceptance.programme_id == programme_id)
    if subject_id:
        query = query.where(Acceptance.subject_id == subject_id)
    return (await session.execute(keyset(query, page, Acceptance.recorded_at, Acceptance.id))).scalars().all()


async def audits(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    programme_id: uuid.UUID | None = None,
    subject_id: uuid.UUID | None = None,
) -> Sequence[Audit]:
    query = select(Audit).where(within_regions(Audit.region_code, prefixes))
    if programme_id:
        query = query.where(Audit.programme_id == programme_id)
    if subject_id:
        query = query.where(Audit.subject_id == subject_id)
    return (await session.execute(keyset(query, page, Audit.recorded_at, Audit.id))).scalars().all()


async def programme_audits(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[Audit]:
    return (await session.execute(select(Audit).where(Audit.programme_id == programme_id))).scalars().all()


async def audit(session: AsyncSession, audit_id: uuid.UUID) -> Audit | None:
    return await session.get(Audit, audit_id)


async def findings_of(session: AsyncSession, audit_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[AuditFinding]]:
    if not audit_ids:
        return {}
    query = select(AuditFinding).where(AuditFinding.audit_id.in_(audit_ids)).order_by(AuditFinding.rectify_by)  # type: ignore[attr-defined]
    out: dict[uuid.UUID, list[AuditFinding]] = {}
    for finding in (await session.execute(query)).scalars().all():
        out.setdefault(finding.audit_id, []).append(finding)
    return out


async def finding(session: AsyncSession, finding_id: uuid.UUID, *, for_update: bool = False) -> AuditFinding | None:
    query = select(AuditFinding).where(AuditFinding.id == finding_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def overdue_findings(session: AsyncSession, today: date) -> Sequence[tuple[AuditFinding, Audit]]:
    query = (
        select(AuditFinding, Audit)
        .join(Audit, Audit.id == AuditFinding.audit_id)  # type: ignore[arg-type]
        .where(AuditFinding.rectified_on.is_(None), AuditFinding.rectify_by < today)  # type: ignore[union-attr]
    )
    return [(f, a) for f, a in (await session.execute(query)).all()]


# --- watch lists -----------------------------------------------------------------------------------


async def watch_matches(
    session: AsyncSession, *, usccs: Collection[str], id_hashes: Collection[str]
) -> Sequence[WatchEntry]:
    clauses = []
    if usccs:
        clauses.append(and_(WatchEntry.watch_list == "debarred", WatchEntry.uscc.in_(usccs)))  # type: ignore[union-attr]
    if id_hashes:
        clauses.append(and_(WatchEntry.watch_list != "debarred", WatchEntry.id_hash.in_(id_hashes)))  # type: ignore[union-attr]
    if not clauses:
        return []
    return (await session.execute(select(WatchEntry).where(or_(*clauses)))).scalars().all()


async def watch_entries(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> Sequence[WatchEntry]:
    query = select(WatchEntry).where(within_regions(WatchEntry.region_code, prefixes))
    return (await session.execute(keyset(query, page, WatchEntry.created_at, WatchEntry.id))).scalars().all()


async def payments_to(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> Sequence[Movement]:
    if not payee_ids:
        return []
    query = select(Movement).where(Movement.kind == MovementKind.EXPEND, Movement.payee_id.in_(payee_ids))  # type: ignore[union-attr]
    return (await session.execute(query.order_by(Movement.occurred_on))).scalars().all()


# --- warnings and holds ----------------------------------------------------------------------------


async def warnings_by_keys(session: AsyncSession, keys: Collection[str]) -> dict[str, FundsWarning]:
    if not keys:
        return {}
    query = select(FundsWarning).where(FundsWarning.dedupe_key.in_(keys)).with_for_update()  # type: ignore[attr-defined]
    return {w.dedupe_key: w for w in (await session.execute(query)).scalars().all()}


async def warnings(
    session: AsyncSession, prefixes: Sequence[str], where: WarningFilter, page: PageParams
) -> Sequence[FundsWarning]:
    query = select(FundsWarning).where(within_regions(FundsWarning.region_code, prefixes))
    for name in ("rule_id", "level", "status", "subject_kind", "subject_id", "programme_id", "dedupe_key"):
        value = getattr(where, name)
        if value is not None:
            query = query.where(getattr(FundsWarning, name) == value)
    return (await session.execute(keyset(query, page, FundsWarning.last_raised_at, FundsWarning.id))).scalars().all()


async def open_warnings_on(
    session: AsyncSession, subjects: Iterable[tuple[str, str]], *, programme_id: uuid.UUID | None = None
) -> Sequence[FundsWarning]:
    """Open warnings about any of these (kind, id) subjects, or anywhere in ``programme_id``."""
    clauses = [and_(FundsWarning.subject_kind == k, FundsWarning.subject_id == i) for k, i in subjects]
    if programme_id is not None:
        clauses.append(FundsWarning.programme_id == programme_id)
    if not clauses:
        return []
    query = (
        select(FundsWarning)
        .where(or_(*clauses), FundsWarning.status.in_(("open", "in_progress", "in_disposition")))  # type: ignore[attr-defined]
        .order_by(FundsWarning.first_raised_at)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def held(
    session: AsyncSession, subjects: Iterable[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], list[str]]:
    """Which of these (kind, id) subjects are held pending review, with the dedupe keys of their holds (the
    keys say in which region each hold was ordered)."""
    by_kind: dict[str, set[uuid.UUID]] = {}
    for kind, ident in subjects:
        by_kind.setdefault(kind, set()).add(ident)
    if not by_kind:
        return {}
    clauses = [and_(Hold.subject_kind == k, Hold.subject_id.in_(ids)) for k, ids in by_kind.items()]  # type: ignore[attr-defined]
    query = select(Hold.subject_kind, Hold.subject_id, Hold.dedupe_key).where(or_(*clauses))
    out: dict[tuple[str, uuid.UUID], list[str]] = {}
    for kind, ident, key in (await session.execute(query)).all():
        out.setdefault((kind, ident), []).append(key)
    return out


async def held_ids(session: AsyncSession, kind: str, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    query = select(Hold.subject_id).where(Hold.subject_kind == kind, Hold.subject_id.in_(ids))  # type: ignore[attr-defined]
    return set((await session.execute(query)).scalars().all())


async def holds_of(session: AsyncSession, dedupe_key: str) -> Sequence[Hold]:
    return (await session.execute(select(Hold).where(Hold.dedupe_key == dedupe_key))).scalars().all()


async def frozen_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    query = select(Hold.dedupe_key).where(Hold.dedupe_key.in_(keys)).distinct()  # type: ignore[attr-defined]
    return set((await session.execute(query)).scalars().all())


async def delete_holds(session: AsyncSession, dedupe_key: str) -> None:
    await session.execute(delete(Hold).where(Hold.dedupe_key == dedupe_key))


async def count(session: AsyncSession, model: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def scan_movements(session: AsyncSession, parents: Collection[uuid.UUID]) -> Sequence[Movement]:
    """Every movement but the payments of nodes without children (the bulk of a ledger): what the
    pass-down and idle-funds rules read."""
    query = select(Movement).where(
        or_(Movement.kind != MovementKind.EXPEND, Movement.from_node_id.in_(parents))  # type: ignore[union-attr]
    )
    return (await session.execute(query.order_by(Movement.occurred_on, Movement.id))).scalars().all()


async def refusals_of_batch(session: AsyncSession, recorded_by: str, batch_key: str) -> set[tuple[object, ...]]:
    """What the earlier refusals of this principal's batch key recorded (node, amount, held, reason)."""
    query = select(
        RefusedMovement.from_node_id, RefusedMovement.amount_fen, RefusedMovement.available_fen, RefusedMovement.reason
    ).where(RefusedMovement.recorded_by == recorded_by, RefusedMovement.batch_key == batch_key)
    return {tuple(row) for row in (await session.execute(query)).all()}


# --- supervision: threshold changes, account history, watch-list changes ----------------------------


async def threshold_changes(session: AsyncSession, programme_id: uuid.UUID) -> Sequence[ThresholdChange]:
    query = select(ThresholdChange).where(ThresholdChange.programme_id == programme_id)
    return (await session.execute(query.order_by(ThresholdChange.recorded_at, ThresholdChange.id))).scalars().all()


async def account_history(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> Sequence[PayeeAccount]:
    if not payee_ids:
        return []
    query = select(PayeeAccount).where(PayeeAccount.payee_id.in_(payee_ids))  # type: ignore[attr-defined]
    return (await session.execute(query.order_by(PayeeAccount.recorded_at, PayeeAccount.id))).scalars().all()


async def accounts_sharing(session: AsyncSession, hashes: Collection[str]) -> Sequence[PayeeAccount]:
    """Every account-history row with one of these keyed hashes (who was ever paid into the account)."""
    if not hashes:
        return []
    query = select(PayeeAccount).where(PayeeAccount.account_hash.in_(hashes))  # type: ignore[attr-defined]
    return (await session.execute(query)).scalars().all()


async def regions_paying(session: AsyncSession, payee_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The regions whose nodes paid each payee."""
    if not payee_ids:
        return {}
    query = (
        select(Movement.payee_id, Movement.region_code)
        .where(Movement.kind == MovementKind.EXPEND, Movement.payee_id.in_(payee_ids))  # type: ignore[union-attr]
        .distinct()
    )
    out: dict[uuid.UUID, set[str]] = {}
    for payee_id, region in (await session.execute(query)).all():
        out.setdefault(payee_id, set()).add(region)
    return out


async def watch_entry(session: AsyncSession, entry_id: uuid.UUID, *, for_update: bool = False) -> WatchEntry | None:
    query = select(WatchEntry).where(WatchEntry.id == entry_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def watch_changes(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> Sequence[WatchChange]:
    query = select(WatchChange).where(within_regions(WatchChange.region_code, prefixes))
    return (await session.execute(keyset(query, page, WatchChange.recorded_at, WatchChange.id))).scalars().all()


async def persons_on_accounts(session: AsyncSession, hashes: Collection[str]) -> Sequence[Payee]:
    """Persons whose current bank account has one of these keyed hashes."""
    if not hashes:
        return []
    query = select(Payee).where(Payee.account_hash.in_(hashes), Payee.kind == "person")  # type: ignore[union-attr]
    return (await session.execute(query)).scalars().all()


async def supplements_by_node(session: AsyncSession, programme_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """What was added to each node of a programme by supplements (追加预算)."""
    query = (
        select(Movement.to_node_id, func.sum(Movement.amount_fen))
        .where(Movement.programme_id == programme_id, Movement.kind == MovementKind.SUPPLEMENT)
        .group_by(Movement.to_node_id)
    )
    return {node_id: int(total) for node_id, total in (await session.execute(query)).all()}
