"""Write-time screening of payments (支付审查): the payment rules, run on every expend as it is recorded.

The history each rule needs is read once per call (a batch of thousands of payments costs a
few queries, not one per payment); payments earlier in the same batch count as history for
later ones. Every function here only reads and returns findings; the caller commits.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import region_contains
from sunlight.warnings import Level, Rule

from funds import checks, crosschecks, rules
from funds.alerts import Finding
from funds.models import Movement, MovementKind, Node, Payee, PayeeKind, Programme, WatchEntry
from funds.payees import subject_label
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import records as records_repo
from funds.repository import watchlist as watchlist_repo
from funds.settings import FundsSettings

if TYPE_CHECKING:
    from funds.ledger import Draft, Entry


def fact(movement: Movement | Entry) -> checks.PaymentFact:
    return checks.PaymentFact(
        id=str(movement.id),
        programme_id=str(movement.programme_id),
        node_id=str(movement.from_node_id),
        payee_id=str(movement.payee_id),
        amount_fen=movement.amount_fen - movement.refunded_fen,
        occurred_on=movement.occurred_on,
        reference=movement.reference,
        invoice_no=movement.invoice_no,
        region_code=movement.region_code,
    )


def payment_label(movement: Movement | Entry, programme: Programme) -> str:
    return f"payment {movement.reference or str(movement.id)[:8]} ({programme.code})"[:300]


async def screen_payments(
    session: AsyncSession, settings: FundsSettings, pairs: Sequence[tuple[Draft, Entry]]
) -> list[Finding]:
    """Findings of the payment rules for these new payments (not yet added to the session)."""
    pays = [(d, m) for d, m in pairs if m.kind == MovementKind.EXPEND and d.payee is not None and d.source is not None]
    if not pays:
        return []
    programmes = {d.programme.id: d.programme for d, _ in pays}  # thresholds once per programme, not per payment
    limits = {pid: rules.thresholds(settings, p.thresholds) for pid, p in programmes.items()}
    window = max(max(t.duplicate_window_days, t.split_window_days) for t in limits.values())
    first = min(m.occurred_on for _, m in pays)
    payee_ids = {m.payee_id for _, m in pays if m.payee_id}
    # history, then this call's payments, per payee and paying region: two counties paying one supplier the
    # same sum is not a duplicate, and a region's warning never carries another region's payments
    seen_by_payee: dict[tuple[str, str], list[checks.PaymentFact]] = defaultdict(list)
    # the same, by amount too: a duplicate has the payee's amount, so a batch of thousands of payments to one
    # supplier compares each with its few equals, not with every earlier one
    seen_by_amount: dict[tuple[str, str, int], list[checks.PaymentFact]] = defaultdict(list)
    for m in await movements_repo.payments_of_payees(session, payee_ids, since=first - timedelta(days=window)):
        old = fact(m)
        seen_by_payee[(old.payee_id, old.region_code)].append(old)
        seen_by_amount[(old.payee_id, old.region_code, old.amount_fen)].append(old)
    # payments sharing an invoice number (an invoice paid twice, months apart) or a reference (one purchase
    # paid to several payees)
    seen_by_key: dict[str, list[checks.PaymentFact]] = defaultdict(list)
    invoice_window = max(max(t.duplicate_invoice_window_days, t.split_window_days) for t in limits.values())
    for m in await movements_repo.payments_sharing(
        session,
        invoices={m.invoice_no for _, m in pays if m.invoice_no},
        references={m.reference for _, m in pays if m.reference and not m.invoice_no},
        since=first - timedelta(days=invoice_window),
    ):
        seen_by_key[_share_key(fact(m))].append(fact(m))
    persons = {(m.programme_id, m.payee_id) for d, m in pays if d.payee and d.payee.kind == PayeeKind.PERSON}
    totals = await movements_repo.programme_payee_totals(session, persons)  # type: ignore[arg-type]
    payees_of = {d.payee.id: d.payee for d, _ in pays if d.payee}
    watch = await watchlist_repo.watch_matches(
        session,
        usccs={p.uscc for p in payees_of.values() if p.uscc},
        id_hashes={p.id_hash for p in payees_of.values() if p.id_hash},
    )
    finals = {m.programme_id for _, m in pays if m.final}
    accepted = await _acceptance_cover(session, finals)

    findings: list[Finding] = await crosschecks.screen(session, settings, pays)  # 一人多领, shared accounts
    running: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, list[str]]] = {
        key: (total, [str(i) for i in ids]) for key, (total, ids) in totals.items()
    }
    for draft, movement in pays:
        assert draft.payee is not None and draft.source is not None
        limit = limits[draft.programme.id]
        new = fact(movement)
        seen = seen_by_payee[(new.payee_id, new.region_code)]
        equal = seen_by_amount[(new.payee_id, new.region_code, new.amount_fen)]
        sharing = seen_by_key[_share_key(new)] if _share_key(new) else []
        by_invoice = [p for p in sharing if p.payee_id == new.payee_id] if new.invoice_no else []
        findings += _duplicates(new, _unique([*equal, *by_invoice]), limit, draft, movement)
        findings += _split(new, seen, sharing, limit, draft, movement)
        findings += _ineligible(draft.payee, watch, draft, movement)
        findings += _category(draft.programme, draft, movement)
        if draft.payee.kind == PayeeKind.PERSON:
            key = (movement.programme_id, draft.payee.id)
            total, ids = running.get(key, (0, []))
            running[key] = (total + movement.amount_fen, [*ids, str(movement.id)])
            findings += _over_standard(running[key], limit, draft, movement)
        if movement.final:
            findings += _acceptance(accepted, draft, movement)
        seen.append(new)
        equal.append(new)
        if _share_key(new):
            sharing.append(new)
    return findings


# a batch pays one supplier thousands of times: its USCC's check character is computed once
_uscc_is_valid = functools.lru_cache(maxsize=4096)(checks.uscc_is_valid)


def _share_key(p: checks.PaymentFact) -> str:
    """What ties the payments of one purchase together: the supplier's invoice number, else the reference."""
    if p.invoice_no:
        return f"{p.region_code}:invoice:{p.invoice_no}"
    return f"{p.region_code}:reference:{p.reference}" if p.reference else ""


def _unique(payments: Sequence[checks.PaymentFact]) -> list[checks.PaymentFact]:
    return list({p.id: p for p in payments}.values())


def _on_payment(
    rule: Rule,
    draft: Draft,
    movement: Entry,
    *,
    evidence: dict[str, object],
    dedupe_key: str,
    level: Level | None = None,
) -> Finding:
    """A finding whose subject is the payment itself (a freeze on it holds its payee)."""
    assert draft.source is not None
    return Finding(
        rule=rule,
        level=level,
        subject_kind="movement",
        subject_id=str(movement.id),
        label=payment_label(movement, draft.programme),
        region_code=movement.region_code,
        unit_uscc=draft.source.unit_uscc,
        programme_id=draft.programme.id,
        evidence=evidence,
        dedupe_key=dedupe_key,
        record_id=str(movement.id),
        amount_fen=movement.amount_fen,
    )


def _duplicates(
    new: checks.PaymentFact, seen: list[checks.PaymentFact], limit: rules.Thresholds, draft: Draft, movement: Entry
) -> list[Finding]:
    dup = checks.duplicates_of(
        new, seen, window_days=limit.duplicate_window_days, invoice_window_days=limit.duplicate_invoice_window_days
    )
    if dup is None:
        return []
    group = sorted([*dup.payments, new], key=lambda p: (p.occurred_on, p.id))
    strong = dup.match == "invoice"
    key = hashlib.sha256((new.invoice_no or "").encode()).hexdigest()[:16] if strong else str(new.amount_fen)
    return [
        _on_payment(
            rules.DUPLICATE_PAYMENT,
            draft,
            movement,
            level=Level.RED if strong else Level.ORANGE,
            evidence={
                "payee_id": new.payee_id,
                "amount_fen": new.amount_fen,
                "match": dup.match,
                "invoice_no": new.invoice_no,
                "reference": new.reference,
                "references": [p.reference for p in group],
                "payment_ids": [p.id for p in group],
                "dates": [p.occurred_on.isoformat() for p in group],
                "window_days": limit.duplicate_invoice_window_days if strong else limit.duplicate_window_days,
            },
            dedupe_key=f"FUNDS-DUPLICATE-PAYMENT:payee:{new.payee_id}:{'invoice' if strong else 'amount'}:{key}",
        )
    ]


def _split(
    new: checks.PaymentFact,
    seen: list[checks.PaymentFact],
    sharing: list[checks.PaymentFact],
    limit: rules.Thresholds,
    draft: Draft,
    movement: Entry,
) -> list[Finding]:
    split = checks.split_payments(
        new,
        seen,
        threshold_fen=limit.approval_threshold_fen,
        window_days=limit.split_window_days,
        min_count=limit.split_min_count,
        band_percent=limit.split_band_percent,
    ) or checks.split_across_payees(
        new, sharing, threshold_fen=limit.approval_threshold_fen, window_days=limit.split_window_days
    )
    if split is None:
        return []
    assert draft.payee is not None and draft.source is not None
    evidence = {
        "programme_id": new.programme_id,
        "payee_id": new.payee_id,
        "kind": split.kind,
        "threshold_fen": limit.approval_threshold_fen,
        "band_from_fen": split.band_from_fen,
        "window_days": limit.split_window_days,
        "payment_ids": [p.id for p in split.payments],
        "payee_ids": sorted({p.payee_id for p in split.payments}),
        "amounts_fen": [p.amount_fen for p in split.payments],
        "dates": [p.occurred_on.isoformat() for p in split.payments],
        "total_fen": split.total_fen,
    }
    if split.kind == "shared_invoice":
        shared = new.invoice_no or new.reference or ""
        evidence["invoice_no"], evidence["reference"] = new.invoice_no, None if new.invoice_no else new.reference
        digest = hashlib.sha256(shared.encode()).hexdigest()[:16]
        return [
            _on_payment(
                rules.SPLIT_PAYMENT,
                draft,
                movement,
                level=Level.ORANGE,
                evidence=evidence,
                dedupe_key=f"FUNDS-SPLIT-PAYMENT:programme:{new.programme_id}:shared:{digest}",
            )
        ]
    return [
        Finding(
            rule=rules.SPLIT_PAYMENT,
            level=Level.RED if len(split.payments) >= limit.split_red_count else Level.ORANGE,
            subject_kind="payee",
            subject_id=new.payee_id,
            label=subject_label(draft.payee),
            region_code=movement.region_code,
            unit_uscc=draft.source.unit_uscc,
            programme_id=draft.programme.id,
            evidence=evidence,
            dedupe_key=f"FUNDS-SPLIT-PAYMENT:programme:{new.programme_id}:payee:{new.payee_id}",
            record_id=str(movement.id),
            amount_fen=movement.amount_fen,
        )
    ]


def _ineligible(payee: Payee, watch: Sequence[WatchEntry], draft: Draft, movement: Entry) -> list[Finding]:
    reasons: list[tuple[str, WatchEntry | None]] = []
    if payee.kind == PayeeKind.ORGANISATION and payee.uscc and not _uscc_is_valid(payee.uscc):
        reasons.append(("invalid_uscc", None))
    for entry in watch:
        matches = (entry.watch_list == "debarred" and entry.uscc and entry.uscc == payee.uscc) or (
            entry.watch_list != "debarred" and entry.id_hash and entry.id_hash == payee.id_hash
        )
        active = entry.listed_on <= movement.occurred_on and (
            entry.delisted_on is None or movement.occurred_on < entry.delisted_on
        )
        if matches and active and region_contains(entry.region_code, movement.region_code):
            reasons.append((entry.watch_list, entry))
    return [
        ineligible_finding(payee, reason, entry, draft.programme, movement, draft.source) for reason, entry in reasons
    ]


def ineligible_finding(
    payee: Payee,
    reason: str,
    entry: WatchEntry | None,
    programme: Programme,
    movement: Movement | Entry,
    node: Node | None,
) -> Finding:
    return Finding(
        rule=rules.PAYEE_INELIGIBLE,
        subject_kind="movement",
        subject_id=str(movement.id),
        label=payment_label(movement, programme),
        region_code=movement.region_code,
        unit_uscc=node.unit_uscc if node else None,
        programme_id=programme.id,
        evidence={
            "programme_id": str(programme.id),
            "payment_id": str(movement.id),
            "payee_id": str(payee.id),
            "reason": reason,
            "uscc": payee.uscc if payee.kind == PayeeKind.ORGANISATION else None,
            "watch_entry_id": str(entry.id) if entry else None,
            "list_reason": entry.reason if entry else None,
            "amount_fen": movement.amount_fen,
            "occurred_on": movement.occurred_on.isoformat(),
        },
        dedupe_key=f"FUNDS-PAYEE-INELIGIBLE:payee:{payee.id}:{reason}",
        record_id=str(movement.id),
        amount_fen=movement.amount_fen,
    )


def _category(programme: Programme, draft: Draft, movement: Entry) -> list[Finding]:
    allowed = programme.allowed_categories or []
    if not allowed or movement.category in allowed:
        return []
    return [
        _on_payment(
            rules.CATEGORY_NOT_ALLOWED,
            draft,
            movement,
            evidence={
                "programme_id": str(programme.id),
                "payment_id": str(movement.id),
                "category": movement.category,
                "allowed_categories": list(allowed),
                "amount_fen": movement.amount_fen,
            },
            dedupe_key=f"FUNDS-CATEGORY-NOT-ALLOWED:movement:{movement.id}",
        )
    ]


def _over_standard(
    running: tuple[int, list[str]], limit: rules.Thresholds, draft: Draft, movement: Entry
) -> list[Finding]:
    total, ids = running
    standard = limit.per_head_standard_fen
    if standard is None or total <= standard:
        return []
    return [
        _on_payment(
            rules.OVER_STANDARD,
            draft,
            movement,
            evidence={
                "programme_id": str(movement.programme_id),
                "payee_id": str(movement.payee_id),
                "payment_id": str(movement.id),
                "total_fen": total,
                "standard_fen": standard,
                "payment_ids": ids,
            },
            dedupe_key=f"FUNDS-OVER-STANDARD:programme:{movement.programme_id}:payee:{movement.payee_id}",
        )
    ]


async def _acceptance_cover(
    session: AsyncSession, programme_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[dict[uuid.UUID, uuid.UUID | None], list[tuple[str, uuid.UUID, date]]]]:
    """Per programme: its node parents, and its passed acceptances (kind, subject, accepted_on)."""
    out: dict[uuid.UUID, tuple[dict[uuid.UUID, uuid.UUID | None], list[tuple[str, uuid.UUID, date]]]] = {}
    if not programme_ids:
        return out
    passed = await records_repo.passed_acceptances(session, programme_ids)
    for programme_id in programme_ids:
        parents = {n.id: n.parent_id for n in await nodes_repo.nodes_of(session, programme_id)}
        records = [(a.subject_kind, a.subject_id, a.accepted_on) for a in passed if a.programme_id == programme_id]
        out[programme_id] = (parents, records)
    return out


def ancestry(node_id: uuid.UUID | None, parents: dict[uuid.UUID, uuid.UUID | None]) -> list[uuid.UUID]:
    """The node and its ancestors up to the root."""
    chain: list[uuid.UUID] = []
    while node_id is not None and node_id not in chain:
        chain.append(node_id)
        node_id = parents.get(node_id)
    return chain


def _acceptance(
    cover: dict[uuid.UUID, tuple[dict[uuid.UUID, uuid.UUID | None], list[tuple[str, uuid.UUID, date]]]],
    draft: Draft,
    movement: Entry,
) -> list[Finding]:
    _parents, records = cover.get(movement.programme_id, ({}, []))
    # an acceptance attaches to what was accepted: the paying node's work (or the payment itself). One of the
    # programme, or of a node above, accepted that subject — not every payment below it.
    for kind, subject, accepted_on in records:
        if accepted_on > movement.occurred_on:
            continue
        if kind in ("node", "movement") and subject in (movement.from_node_id, movement.id):
            return []
    return [
        _on_payment(
            rules.ACCEPTANCE_MISSING,
            draft,
            movement,
            evidence={
                "programme_id": str(movement.programme_id),
                "payment_id": str(movement.id),
                "node_id": str(movement.from_node_id),
                "amount_fen": movement.amount_fen,
                "occurred_on": movement.occurred_on.isoformat(),
            },
            dedupe_key=f"FUNDS-ACCEPTANCE-MISSING:movement:{movement.id}",
        )
    ]
