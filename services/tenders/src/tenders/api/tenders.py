"""Tenders and their lifecycle: publication, registration, bids, opening, evaluation, award, contract, cancellation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from tenders import contracts, evaluation, lifecycle, publication
from tenders.deps import IdempotencyKeyDep, PageDep, SessionDep, SettingsDep, TendersReader, TendersWriter
from tenders.errors import (
    AlreadyBid,
    AlreadyDone,
    BidAfterDeadline,
    DuplicateCode,
    InvalidDates,
    InvalidScores,
    InvalidTransition,
    NotEvaluated,
    NotRegistered,
    NoValidBid,
    TooEarly,
    UnknownEnterprise,
    UnknownLot,
    UnknownPerson,
)
from tenders.models import TenderStatus
from tenders.schemas.lifecycle import (
    AwardIn,
    AwardOut,
    BidIn,
    BidOut,
    CancellationIn,
    ContractIn,
    ContractOut,
    EvaluationIn,
    EvaluationOut,
    OpeningIn,
    RefusedBidOut,
    RegistrationIn,
    RegistrationOut,
    TenderIn,
    TenderOut,
)

router = APIRouter(prefix="/v1/tenders/tenders", tags=["tenders"])


@router.post(
    "",
    status_code=201,
    operation_id="createTender",
    summary="Publish a tender of a project",
    responses=problem_responses(NotFound, DuplicateCode, ForbiddenRegion),
)
async def create_tender(
    body: TenderIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> TenderOut:
    """Procedure, lots, estimate and ceiling price, tender period and document fingerprints. Screened at once for a
    non-competitive procedure above the must-tender threshold and for a project split under it."""
    return await lifecycle.create_tender(session, settings, who, body, key=key)


@router.get("", operation_id="listTenders", summary="Tenders in the caller's regions")
async def list_tenders(
    session: SessionDep,
    who: TendersReader,
    page: PageDep,
    status: TenderStatus | None = None,
    project_id: uuid.UUID | None = None,
) -> Page[TenderOut]:
    """Newest first; filter by status or project."""
    return await lifecycle.list_tenders(session, who, page, status=status, project_id=project_id)


@router.get("/{tender_id}", operation_id="getTender", summary="One tender", responses=problem_responses(NotFound))
async def get_tender(tender_id: uuid.UUID, session: SessionDep, who: TendersReader) -> TenderOut:
    """The tender with its lots, its state and the steps it may take now."""
    return await lifecycle.read_tender(session, who, tender_id)


@router.post(
    "/{tender_id}/registrations",
    status_code=201,
    operation_id="createTenderRegistration",
    summary="Register an enterprise as a bidder (投标报名)",
    responses=problem_responses(NotFound, UnknownEnterprise, InvalidTransition, BidAfterDeadline),
)
async def register_bidder(
    tender_id: uuid.UUID, body: RegistrationIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> RegistrationOut:
    """Open until the deadline; registering twice returns the first registration."""
    return await lifecycle.register_bidder(session, who, tender_id, body, key=key)


@router.post(
    "/{tender_id}/bids",
    status_code=201,
    operation_id="createTenderBid",
    summary="Record a bid",
    responses=problem_responses(
        NotFound,
        UnknownEnterprise,
        UnknownLot,
        UnknownPerson,
        NotRegistered,
        AlreadyBid,
        InvalidTransition,
        BidAfterDeadline,
        InvalidDates,
    ),
)
async def submit_bid(
    tender_id: uuid.UUID,
    body: BidIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> BidOut:
    """Price, time, the submitting IP (kept as a keyed hash) and the bid file's fingerprint. At or after the deadline
    the bid is refused with 409 ``…/bid-after-deadline`` (``deadline``, ``submitted_at``) and the attempt is kept.
    Screened as it arrives: linked bidders, debarred or unqualified bidder."""
    return await lifecycle.submit_bid(session, settings, who, tender_id, body, key=key)


@router.get(
    "/{tender_id}/bids",
    operation_id="listTenderBids",
    summary="The bids of a tender",
    responses=problem_responses(NotFound),
)
async def list_bids(tender_id: uuid.UUID, session: SessionDep, who: TendersReader, page: PageDep) -> Page[BidOut]:
    """Newest first."""
    return await lifecycle.list_bids(session, who, tender_id, page)


@router.get(
    "/{tender_id}/refused-bids",
    operation_id="listTenderRefusedBids",
    summary="Bids the platform refused (after the deadline)",
    responses=problem_responses(NotFound),
)
async def list_refused_bids(
    tender_id: uuid.UUID, session: SessionDep, who: TendersReader, page: PageDep
) -> Page[RefusedBidOut]:
    """Every refused attempt is kept as evidence, newest first."""
    return await lifecycle.list_refused_bids(session, who, tender_id, page)


@router.post(
    "/{tender_id}/opening",
    operation_id="openTender",
    summary="Open the bids (开标)",
    responses=problem_responses(NotFound, InvalidTransition, TooEarly),
)
async def open_tender(
    tender_id: uuid.UUID,
    body: OpeningIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> TenderOut:
    """Not before the deadline (Tendering and Bidding Law Art. 34); no bid is taken afterwards. Cardinal's
    per-tender indicators (single bid, identical prices) are evaluated in the same transaction."""
    return await lifecycle.open_tender(session, settings, who, tender_id, body, key=key)


@router.post(
    "/{tender_id}/cancellation",
    operation_id="cancelTender",
    summary="Cancel the tender (终止招标)",
    responses=problem_responses(NotFound, InvalidTransition),
)
async def cancel_tender(
    tender_id: uuid.UUID, body: CancellationIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> TenderOut:
    """Possible until a contract is signed; the reason is kept."""
    return await lifecycle.cancel_tender(session, who, tender_id, body, key=key)


@router.post(
    "/{tender_id}/evaluations",
    status_code=201,
    operation_id="createTenderEvaluation",
    summary="Evaluate a lot (计算机辅助评标)",
    responses=problem_responses(NotFound, UnknownLot, InvalidTransition, InvalidScores, NoValidBid, AlreadyDone),
)
async def evaluate(
    tender_id: uuid.UUID,
    body: EvaluationIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> EvaluationOut:
    """Lowest evaluated price, or comprehensive scoring against a benchmark price from the valid bids with the
    experts' scores averaged; bids above the ceiling are invalid. Experts are checked against the drawn committee
    and for conflicts; outlier experts are flagged."""
    return await evaluation.evaluate(session, settings, who, tender_id, body, key=key)


@router.get(
    "/{tender_id}/evaluations",
    operation_id="listTenderEvaluations",
    summary="The evaluations of a tender's lots",
    responses=problem_responses(NotFound),
)
async def list_evaluations(tender_id: uuid.UUID, session: SessionDep, who: TendersReader) -> Page[EvaluationOut]:
    """One per evaluated lot (a tender has few lots: one page)."""
    return Page[EvaluationOut](items=await evaluation.list_evaluations(session, who, tender_id), next_cursor=None)


@router.post(
    "/{tender_id}/awards",
    status_code=201,
    operation_id="createTenderAward",
    summary="Award a lot (定标)",
    responses=problem_responses(NotFound, UnknownLot, InvalidTransition, NotEvaluated, AlreadyDone),
)
async def award(
    tender_id: uuid.UUID,
    body: AwardIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> AwardOut:
    """The first-ranked bid unless ``bid_id`` names another valid one. Screened for a winner at the ceiling price,
    an ineligible winner and bid rotation."""
    return await lifecycle.award_lot(session, settings, who, tender_id, body, key=key)


@router.get(
    "/{tender_id}/ocds",
    operation_id="getTenderOcdsRecord",
    summary="The tender as an OCDS 1.1 record package",
    responses=problem_responses(NotFound),
)
async def ocds_record(tender_id: uuid.UUID, request: Request, session: SessionDep, who: TendersReader,
                      settings: SettingsDep) -> dict[str, Any]:  # fmt: skip
    """A release per step reached (tender, award, contract) and their compiled release, valid against the OCDS 1.1
    release and record package schemas with the Bids extension; organisations only, no person."""
    return await publication.record_package(session, settings, who, tender_id, uri=str(request.url))


@router.post(
    "/{tender_id}/contracts",
    status_code=201,
    operation_id="createTenderContract",
    summary="Record the contract signed on an award",
    responses=problem_responses(NotFound, InvalidTransition, AlreadyDone),
)
async def create_contract(
    tender_id: uuid.UUID,
    body: ContractIn,
    session: SessionDep,
    who: TendersWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
) -> ContractOut:
    """The tender is contracted once every lot has its contract; Cardinal's per-tender indicators are evaluated
    again in the same transaction."""
    return await contracts.create_contract(session, settings, who, tender_id, body, key=key)
