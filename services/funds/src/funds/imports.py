"""Imports of real public payment files (真实数据导入), mapped onto programmes, nodes and payments.

Oxford City Council's quarterly "expenditure over £500" file becomes one programme: its root is
the council (finance bureau tier), each service area a department node, each row a payment
(expend) from its service area to the supplier (an organisation known by the council's
supplier id), charged to the ``Revenue`` or ``Capital`` budget line, with the expenditure
category and the transaction number as reference. The budget is what the file spends, so
the council allocates and disburses to each service area exactly what it paid out, on the
day of its first payment. Amounts stay in minor units (pence in ``*_fen`` fields).

Everything — programme, tree, allocations, payments, warnings — is written in one commit
through the ledger's batch path, or nothing is.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal

from funds import repository, service
from funds.errors import BatchTooLarge, ImportInvalid
from funds.importers import oxford
from funds.ledger import write_batch
from funds.models import MovementKind, PayeeKind, Tier
from funds.schemas import BatchOut, BudgetLineIn, ImportOut, MovementIn, NodeIn, PayeeIn, ProgrammeIn, SkippedLine
from funds.settings import FundsSettings

SUPPLIER_PREFIX = "oxford:"


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
    fingerprint = hashlib.sha256(raw).hexdigest()
    earlier = await repository.batch(session, who.subject, batch_key)
    if earlier is not None and earlier.fingerprint == fingerprint and "import" in earlier.result:
        return ImportOut.model_validate(earlier.result["import"]), True
    try:
        parsed = oxford.read(raw.decode("utf-8"))
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
    programme, _ = await service.add_programme(
        session,
        who,
        ProgrammeIn(
            code=code,
            name=name or f"Oxford City Council payments over £500, {first.isoformat()} – {last.isoformat()}",
            category="municipal-expenditure",
            fiscal_year=first.year,
            budget_fen=total,
            region_code=region_code,
            budget_lines=[
                BudgetLineIn(code=t, name=f"{t} expenditure", amount_fen=a) for t, a in sorted(lines.items())
            ],
        ),
    )
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
        on = min(p.paid_on for p in areas[area])
        for kind in (MovementKind.ALLOCATE, MovementKind.DISBURSE):
            bodies.append(
                MovementIn(kind=kind, from_node_id=root.id, to_node_id=node.id, amount_fen=spent, occurred_on=on)
            )
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
        "skipped": [SkippedLine(line=line, reason=reason) for line, reason in parsed.skipped],
    }

    def describe(out: BatchOut) -> dict[str, object]:
        return {"import": ImportOut(**summary, warnings_raised=out.warnings_raised).model_dump(mode="json")}

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
    return ImportOut(**summary, warnings_raised=out.warnings_raised), False
