"""Imports of real public payment files (真实数据导入), mapped onto programmes, nodes and payments.

Oxford City Council's quarterly "expenditure over £500" file becomes one programme: its root is
the council (finance bureau tier), each service area a department node, each row a payment
(expend) from its service area to the supplier (an organisation known by the council's
supplier id), charged to the ``Revenue`` or ``Capital`` budget line, with the expenditure
category and the transaction number as reference. A credit note (a negative row with a
supplier) is the supplier paying back: it becomes a refund of the latest earlier payment to
that supplier it fits in (same service area first), dated on the credit; one that fits no
payment of the file is listed in ``skipped``. Amounts stay in minor units (pence in ``*_fen``).

The file says nothing about budgets or when money reached the service areas, so the import
does not invent dates for it: the budget (what the file pays out) is approved, allocated and
disbursed to each service area on the day of the file's first payment, and the pass-down
deadlines cannot fire on dates of the import's own making. For the same reason the programme
carries ``budget_source``: the scans judge neither late pass-down nor idle funds on it — a credit
note's money back at a service area would otherwise turn "idle" 90 days later only because the
next quarter's spending is another file (another programme), a warning of the import's making.
The file lists payments over £500 only, so the programme's reporting floor is £500
(FUNDS-BENFORD tests amounts from £1,000 up).

Everything — programme, tree, allocations, payments, refunds, warnings — is written in one
commit through the ledger's batch path, or nothing is.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.batches import BatchTooLarge

from funds import service
from funds.errors import ImportInvalid
from funds.importers import oxford
from funds.ledger_batches import write_batch
from funds.models import MovementKind, PayeeKind, Tier
from funds.repository import movements as movements_repo
from funds.schemas.imports import ImportOut, SkippedLine
from funds.schemas.movements import BatchOut, MovementIn, PayeeIn
from funds.schemas.nodes import NodeIn
from funds.schemas.programmes import BudgetLineIn, ProgrammeIn, ProgrammeThresholds
from funds.settings import FundsSettings

SUPPLIER_PREFIX = "oxford:"
REPORTING_FLOOR_MINOR = 50_000  # the file lists payments over £500
BUDGET_SOURCE = "oxford-payments-file"  # the budget is what the file pays: no budget-execution rules on it


def match_credits(
    payments: list[oxford.OxfordPayment], credits: list[oxford.OxfordPayment]
) -> tuple[list[tuple[oxford.OxfordPayment, int]], list[tuple[int, str]]]:
    """Each credit note with the index of the payment it pays back, and the credits that fit none.

    A credit pays back an earlier (or same-day) payment to the same supplier that still has at least
    its amount left: one of the same service area and amount first, then of the same service area,
    then of any; the latest such payment.
    """
    left = [p.amount_minor for p in payments]
    by_supplier: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(payments):
        by_supplier[p.supplier_id].append(i)
    matched: list[tuple[oxford.OxfordPayment, int]] = []
    unmatched: list[tuple[int, str]] = []
    for credit in sorted(credits, key=lambda c: (c.paid_on, c.line)):
        fits = [
            i
            for i in by_supplier.get(credit.supplier_id, [])
            if payments[i].paid_on <= credit.paid_on and left[i] >= credit.amount_minor
        ]
        if not fits:
            unmatched.append(
                (
                    credit.line,
                    f"credit note {credit.reference}: no earlier payment to the supplier in the file to set it against",
                )
            )
            continue

        def rank(i: int, credit: oxford.OxfordPayment = credit) -> tuple[bool, bool, object, int]:
            p = payments[i]
            same_area = p.service_area == credit.service_area
            return (same_area and p.amount_minor == credit.amount_minor, same_area, p.paid_on, i)

        best = max(fits, key=rank)
        left[best] -= credit.amount_minor
        matched.append((credit, best))
    return matched, unmatched


async def import_oxford_expenditure(
    session: AsyncSession,
    settings: FundsSettings,
    who: Principal,
    *,
    raw: bytes,
    code: str,
    region_code: str,
    name: str | None = None,
) -> tuple[ImportOut, bool]:
    """The import's summary, and whether it replays an earlier import of the same file under the same code."""
    who.ensure_can_write(region_code)
    batch_key = f"import:oxford:{code}"[:120]
    fingerprint = await asyncio.to_thread(lambda: hashlib.sha256(raw).hexdigest())
    earlier = await movements_repo.batch(session, who.subject, batch_key)
    if earlier is not None and earlier.fingerprint == fingerprint and "import" in earlier.result:
        return ImportOut.model_validate(earlier.result["import"]), True
    try:  # parsing a file of thousands of rows is CPU work: off the event loop
        parsed = await asyncio.to_thread(lambda: oxford.read(raw.decode("utf-8")))
    except UnicodeDecodeError:
        raise ImportInvalid("the file is not UTF-8") from None
    except oxford.OxfordFormatError as exc:
        raise ImportInvalid(str(exc)) from None
    if not parsed.payments:
        raise ImportInvalid("the file holds no payments")
    payments = parsed.payments
    areas: dict[str, list[oxford.OxfordPayment]] = defaultdict(list)
    for payment in payments:
        areas[payment.service_area].append(payment)
    if 2 * len(areas) + len(payments) > settings.batch_max_records:
        raise BatchTooLarge(f"{len(payments)} payments; an import holds at most {settings.batch_max_records} records")
    lines: dict[str, int] = defaultdict(int)
    for payment in payments:
        lines[payment.type] += payment.amount_minor
    total = sum(lines.values())
    first, last = min(p.paid_on for p in payments), max(p.paid_on for p in payments)
    client = next((p.client for p in payments if p.client), None)
    credits, unmatched = match_credits(payments, parsed.credits)
    programme, _ = await service.add_programme(
        session,
        who,
        ProgrammeIn(
            code=code,
            name=name or f"Oxford City Council payments over £500, {first.isoformat()} – {last.isoformat()}",
            category="municipal-expenditure",
            fiscal_year=first.year,
            budget_fen=total,
            budget_approved_on=first,
            region_code=region_code,
            thresholds=ProgrammeThresholds(reporting_floor_fen=REPORTING_FLOOR_MINOR),
            budget_lines=[
                BudgetLineIn(code=t, name=f"{t} expenditure", amount_fen=a) for t, a in sorted(lines.items())
            ],
        ),
        thresholds_reason="set by the import: the file lists only payments over £500 (a fact of the data)",
    )
    programme.budget_source = BUDGET_SOURCE
    council = f"Oxford City Council ({client})" if client else "Oxford City Council"
    root = await service.add_node(
        session,
        who,
        programme,
        NodeIn(tier=Tier.FINANCE_BUREAU, name=council, region_code=region_code),
        budget_on=first,
    )
    bodies: list[MovementIn] = []
    nodes = {}
    for area in sorted(areas):
        node = await service.add_node(
            session, who, programme, NodeIn(parent_id=root.id, tier=Tier.DEPARTMENT, name=area, region_code=region_code)
        )
        nodes[area] = node
        spent = sum(p.amount_minor for p in areas[area])
        for kind in (MovementKind.ALLOCATE, MovementKind.DISBURSE):
            bodies.append(
                MovementIn(kind=kind, from_node_id=root.id, to_node_id=node.id, amount_fen=spent, occurred_on=first)
            )
    funding = len(bodies)
    for payment in payments:
        bodies.append(
            MovementIn(
                kind=MovementKind.EXPEND,
                from_node_id=nodes[payment.service_area].id,
                amount_fen=payment.amount_minor,
                occurred_on=payment.paid_on,
                reference=payment.reference[:100],
                payee=PayeeIn(
                    kind=PayeeKind.ORGANISATION,
                    name=payment.supplier_name[:200],
                    external_id=f"{SUPPLIER_PREFIX}{payment.supplier_id}"[:80],
                ),
                category=payment.category[:64],
                budget_line_code=payment.type,
            )
        )
    summary = {
        "programme_id": programme.id,
        "nodes": 1 + len(nodes),
        "payments": len(payments),
        "payees": len({p.supplier_id for p in payments}),
        "total_fen": total,
        "refunds": len(credits),
        "refunded_fen": sum(c.amount_minor for c, _ in credits),
        "skipped": [SkippedLine(line=line, reason=reason) for line, reason in sorted([*parsed.skipped, *unmatched])],
    }
    raised = 0

    def describe(out: BatchOut) -> dict[str, object]:
        return {"import": ImportOut(**summary, warnings_raised=raised + out.warnings_raised).model_dump(mode="json")}

    if credits:  # the refunds name the payments' ids: the payments are written first, in the same transaction
        paid, _ = await write_batch(
            session,
            settings,
            who,
            bodies,
            batch_key=f"{batch_key}:payments",
            fingerprint=fingerprint,
            record_refusals=False,
            commit=False,
        )
        raised = paid.warnings_raised
        ids = paid.movement_ids[funding:]
        bodies = [
            MovementIn(
                kind=MovementKind.REFUND,
                refund_of=ids[index],
                amount_fen=credit.amount_minor,
                occurred_on=credit.paid_on,
                reference=credit.reference[:100],
            )
            for credit, index in credits
        ]
    out, _ = await write_batch(
        session,
        settings,
        who,
        bodies,
        batch_key=batch_key,
        fingerprint=fingerprint,
        record_refusals=False,
        describe=describe,
    )
    return ImportOut(**summary, warnings_raised=raised + out.warnings_raised), False
