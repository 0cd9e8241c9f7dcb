"""Contracts, their change orders (工程变更) and settlement (结算)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses

from tenders import contracts
from tenders.deps import IdempotencyKeyDep, SessionDep, SettingsDep, TendersReader, TendersWriter
from tenders.errors import AlreadyDone, InvalidTransition
from tenders.schemas.lifecycle import ChangeOrderIn, ChangeOrderOut, ContractOut, SettlementIn

router = APIRouter(prefix="/v1/tenders/contracts", tags=["contracts"])


@router.get(
    "/{contract_id}", operation_id="getTenderContract", summary="One contract", responses=problem_responses(NotFound)
)
async def get_contract(contract_id: uuid.UUID, session: SessionDep, who: TendersReader) -> ContractOut:
    """The contract with its approved changes and settlement."""
    return await contracts.read_contract(session, who, contract_id)


@router.post(
    "/{contract_id}/change-orders",
    status_code=201,
    operation_id="createTenderChangeOrder",
    summary="Record a change order",
    responses=problem_responses(NotFound, InvalidTransition),
)
async def add_change_order(
    contract_id: uuid.UUID,
    body: ChangeOrderIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> ChangeOrderOut:
    """Raises TENDERS-CHANGE-ORDERS when the change orders add up past their share of the contract price."""
    return await contracts.add_change_order(session, settings, who, contract_id, body, key=key)


@router.post(
    "/{contract_id}/settlement",
    operation_id="settleTenderContract",
    summary="Record the settlement of a contract",
    responses=problem_responses(NotFound, InvalidTransition, AlreadyDone),
)
async def settle(
    contract_id: uuid.UUID, body: SettlementIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> ContractOut:
    """Raises TENDERS-SETTLEMENT-OVER when the settlement exceeds the contract plus approved changes."""
    return await contracts.settle(session, who, contract_id, body, key=key)
