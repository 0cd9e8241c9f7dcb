"""Payees' bank-account history (收款账户变更记录), masked."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from funds import crosschecks
from funds.deps import FundsReader, PageDep, SessionDep
from funds.schemas.movements import PayeeAccountOut

router = APIRouter(prefix="/v1/funds", tags=["movements"])


@router.get(
    "/payees/{payee_id}/accounts",
    operation_id="listFundsPayeeAccounts",
    summary="Every bank account a payee was paid into, oldest first (masked)",
    responses=problem_responses(NotFound),
)
async def payee_accounts(
    payee_id: uuid.UUID, session: SessionDep, who: FundsReader, page: PageDep
) -> Page[PayeeAccountOut]:
    """A new account given with a payment is a change kept here (who recorded it, from which account, dated by
    the payment), never a silent overwrite; a change shortly before a payment is evidence of
    FUNDS-SHARED-ACCOUNT. To callers who see a payment made to the payee; only the last four digits.
    Paged on ``(recorded_at, id)``, which never change."""
    return await crosschecks.account_history(session, who, payee_id, page)
