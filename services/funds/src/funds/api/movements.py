"""The ledger of movements (资金拨付/支出): one at a time, in bulk, and read back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sunlight.batches import BatchInvalid, BatchKeyReused, BatchTooLarge, UnsupportedBatchFormat, read_body
from sunlight.errors import NotFound, problem_responses
from sunlight.idempotency import BatchKeyDep
from sunlight.pagination import ORDER_DESCRIPTION, Page, SortOrder

from funds import ledger, ledger_batches, service, trace
from funds.deps import FundsReader, FundsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from funds.errors import (
    DateOutOfRange,
    Frozen,
    NotAChild,
    NotAPayment,
    NotTheParent,
    Overspend,
    RefundExceedsPayment,
    UnknownBudgetLine,
)
from funds.models import MovementKind
from funds.schemas.movements import BatchOut, MovementIn, MovementOut, MovementSort, PayeeOut, RefusalOut
from funds.schemas.trace import PaymentPathOut

router = APIRouter(prefix="/v1/funds", tags=["movements"])

BATCH_BODY = {
    "requestBody": {
        "required": True,
        "description": "The records: a JSON array of movements, or one movement per line (NDJSON).",
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/MovementIn"}}},
            "application/x-ndjson": {"schema": {"type": "string", "description": "one MovementIn per line"}},
        },
    }
}


@router.post(
    "/movements",
    operation_id="recordFundsMovement",
    status_code=201,
    summary="Record a movement: allocate, disburse, expend, refund or adjust",
    responses=problem_responses(
        Overspend,
        Frozen,
        NotAChild,
        NotTheParent,
        NotFound,
        UnknownBudgetLine,
        RefundExceedsPayment,
        NotAPayment,
        DateOutOfRange,
    ),
)
async def record_movement(
    body: MovementIn, session: SessionDep, who: FundsWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> MovementOut:
    """Refused with 409 ``…/overspend`` (and ``available_fen``, ``limit``) when the source holds too little;
    the refused attempt is recorded and raises the red warning FUNDS-OVERSPEND. Refused with 409
    ``…/frozen`` when a disposition holds the node, payee or programme. Payments are screened by the
    payment rules as they are recorded."""
    return await ledger.record_movement(session, settings, who, body, key=key)


@router.post(
    "/movements/batch",
    operation_id="recordFundsMovementBatch",
    status_code=201,
    summary="Record a batch of movements, all or nothing",
    responses={
        200: {"description": "The batch was written before under this key; its result again"},
        **problem_responses(BatchInvalid, BatchTooLarge, BatchKeyReused, UnsupportedBatchFormat),
    },
    openapi_extra=BATCH_BODY,
)
async def import_batch(
    request: Request,
    response: Response,
    session: SessionDep,
    who: FundsWriter,
    settings: SettingsDep,
    batch_key: BatchKeyDep,
) -> BatchOut:
    """Every record is checked first (schema, tree, regions, holds, balances in order); one wrong record
    refuses the whole batch with 422 ``…/batch-invalid`` and a list of ``errors`` (index, JSON pointer,
    type, message). At most ``batch_max_records`` records (413 beyond)."""
    raw = await read_body(request, settings.batch_max_bytes)
    out, replayed = await ledger_batches.import_batch(
        session, settings, who, raw=raw, content_type=request.headers.get("content-type", ""), batch_key=batch_key
    )
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return out


@router.get("/movements", operation_id="listFundsMovements", summary="Movements in the caller's regions, newest first")
async def list_movements(
    session: SessionDep,
    who: FundsReader,
    page: PageDep,
    programme_id: uuid.UUID | None = None,
    node_id: uuid.UUID | None = None,
    kind: MovementKind | None = None,
    payee_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    sort: Annotated[MovementSort, Query(description="the key pages are sorted by (then the id)")] = (
        MovementSort.RECORDED_AT
    ),
    order: Annotated[SortOrder, Query(description=ORDER_DESCRIPTION)] = SortOrder.DESC,
) -> Page[MovementOut]:
    """Sorted by ``sort`` in ``order``, then by id; a movement never changes, so paging never skips or repeats,
    and the cursor carries the sort (a cursor used under another sort or order is 400)."""
    return await service.list_movements(
        session,
        who,
        page,
        programme_id=programme_id,
        node_id=node_id,
        kind=kind,
        payee_id=payee_id,
        batch_id=batch_id,
        sort=sort,
        order=order,
    )


@router.get(
    "/movements/{movement_id}",
    operation_id="getFundsMovement",
    summary="One movement",
    responses=problem_responses(NotFound),
)
async def get_movement(movement_id: uuid.UUID, session: SessionDep, who: FundsReader) -> MovementOut:
    return await ledger.movement_out(session, await service.get_movement(session, who, movement_id))


@router.get(
    "/movements/{movement_id}/path",
    operation_id="getFundsPaymentPath",
    summary="The path of a payment back through every node to its budget line",
    responses=problem_responses(NotFound),
)
async def payment_path(movement_id: uuid.UUID, session: SessionDep, who: FundsReader) -> PaymentPathOut:
    return await trace.payment_path(session, who, movement_id)


@router.get(
    "/refusals",
    operation_id="listFundsRefusals",
    summary="Refused movement attempts (overspends, held subjects), newest first",
)
async def list_refusals(
    session: SessionDep, who: FundsReader, page: PageDep, programme_id: uuid.UUID | None = None
) -> Page[RefusalOut]:
    return await service.list_refusals(session, who, page, programme_id=programme_id)


@router.get(
    "/payees/{payee_id}",
    operation_id="getFundsPayee",
    summary="One payee (persons masked)",
    responses=problem_responses(NotFound),
)
async def get_payee(payee_id: uuid.UUID, session: SessionDep, who: FundsReader) -> PayeeOut:
    return await service.get_payee(session, who, payee_id)
