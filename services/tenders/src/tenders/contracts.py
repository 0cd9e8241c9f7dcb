"""Contracts (合同), change orders (工程变更) and the settlement (结算): the watch points after the award."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey

from tenders import flags, lifecycle, live, repository, rules
from tenders.errors import AlreadyDone
from tenders.findings import Found, raise_findings
from tenders.models import ChangeOrder, Contract
from tenders.schemas.lifecycle import ChangeOrderIn, ChangeOrderOut, ContractIn, ContractOut, SettlementIn
from tenders.settings import TendersSettings


async def create_contract(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    tender_id: uuid.UUID,
    body: ContractIn,
    *,
    key: IdempotencyKey | None,
) -> ContractOut:
    """The contract of an award; the tender screened again by Cardinal's per-tender indicators."""
    tender = await lifecycle.get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    lifecycle.require(tender, "contract")
    award = await repository.award(session, body.award_id)
    if award is None or award.tender_id != tender.id:
        raise NotFound("no such award of this tender", field="award_id")
    if await repository.contract_of_award(session, award.id):
        raise AlreadyDone("the award has its contract")
    contract = Contract(
        tender_id=tender.id,
        award_id=award.id,
        enterprise_id=award.enterprise_id,
        amount_fen=body.amount_fen,
        signed_on=body.signed_on,
        region_code=tender.region_code,
        recorded_by=who.subject,
    )
    session.add(contract)
    await session.flush()
    lots = await repository.lots_of(session, [tender.id])
    contracts = await repository.contracts_of(session, tender.id)
    if len(contracts) >= len(lots):  # every lot contracted: the tender is
        lifecycle.move(tender, "contract", utcnow())
    await raise_findings(session, await live.cardinal_findings(session, settings, tender), now=utcnow())
    out = ContractOut.model_validate(contract)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_contract(
    session: AsyncSession, who: Principal, contract_id: uuid.UUID, *, for_update: bool = False
) -> Contract:
    return who.visible(await repository.contract(session, contract_id, for_update=for_update), "contract")


async def read_contract(session: AsyncSession, who: Principal, contract_id: uuid.UUID) -> ContractOut:
    return ContractOut.model_validate(await get_contract(session, who, contract_id))


async def add_change_order(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    contract_id: uuid.UUID,
    body: ChangeOrderIn,
    *,
    key: IdempotencyKey | None,
) -> ChangeOrderOut:
    """A change order; TENDERS-CHANGE-ORDERS when the changes add up past their share of the contract."""
    contract = await get_contract(session, who, contract_id, for_update=True)
    who.ensure_can_write(contract.region_code)
    await idempotency.begin(session, who, key)
    tender = await lifecycle.get_tender(session, who, contract.tender_id, for_update=True)
    lifecycle.require(tender, "change_order")
    row = ChangeOrder(contract_id=contract.id, region_code=contract.region_code, recorded_by=who.subject,
                      **body.model_dump())  # fmt: skip
    session.add(row)
    if body.approved:
        contract.approved_changes_fen += body.amount_fen
    await session.flush()
    orders = await repository.change_orders_of(session, contract.id)
    changes = sum(abs(o.amount_fen) for o in orders)
    level = flags.change_order_level(
        contract.amount_fen,
        changes,
        percent=settings.change_order_percent,
        red_percent=settings.change_order_red_percent,
    )
    if level is not None:
        finding = Found(
            rule=rules.CHANGE_ORDERS,
            subject_kind="contract",
            subject_id=str(contract.id),
            region_code=contract.region_code,
            tender_id=tender.id,
            label=tender.code,
            level=level,
            evidence={
                "contract_id": str(contract.id),
                "tender_id": str(tender.id),
                "contract_fen": contract.amount_fen,
                "changes_fen": changes,
                "share_percent": round(changes * 100 / contract.amount_fen, 2),
                "change_order_ids": [str(o.id) for o in orders],
            },
            dedupe_key=f"{rules.CHANGE_ORDERS.id}:contract:{contract.id}",
        )
        await raise_findings(session, [finding], now=utcnow())
    out = ChangeOrderOut.model_validate(row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def settle(
    session: AsyncSession, who: Principal, contract_id: uuid.UUID, body: SettlementIn, *, key: IdempotencyKey | None
) -> ContractOut:
    """The settlement of a contract; TENDERS-SETTLEMENT-OVER when it exceeds the contract plus approved changes.
    The tender is settled when all its contracts are."""
    contract = await get_contract(session, who, contract_id, for_update=True)
    who.ensure_can_write(contract.region_code)
    await idempotency.begin(session, who, key)
    tender = await lifecycle.get_tender(session, who, contract.tender_id, for_update=True)
    lifecycle.require(tender, "settle")
    if contract.settled_fen is not None:
        raise AlreadyDone("the contract is settled")
    contract.settled_fen, contract.settled_on = body.amount_fen, body.settled_on
    excess = flags.settlement_excess(contract.amount_fen, contract.approved_changes_fen, body.amount_fen)
    if excess:
        finding = Found(
            rule=rules.SETTLEMENT_OVER,
            subject_kind="contract",
            subject_id=str(contract.id),
            region_code=contract.region_code,
            tender_id=tender.id,
            label=tender.code,
            evidence={
                "contract_id": str(contract.id),
                "tender_id": str(tender.id),
                "contract_fen": contract.amount_fen,
                "approved_changes_fen": contract.approved_changes_fen,
                "settled_fen": body.amount_fen,
                "excess_fen": excess,
            },
            dedupe_key=f"{rules.SETTLEMENT_OVER.id}:contract:{contract.id}",
        )
        await raise_findings(session, [finding], now=utcnow())
    await session.flush()
    if all(c.settled_fen is not None for c in await repository.contracts_of(session, tender.id)):
        lifecycle.move(tender, "settle", utcnow())
    out = ContractOut.model_validate(contract)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out
