"""The tender lifecycle: publication, bidder registration, bids, opening, award, cancellation.

``TRANSITIONS`` is the state machine; every step checks it (``require``) and refuses with 409
``…/invalid-transition`` naming the state and what it allows. A bid at or after the deadline is
refused with 409 ``…/bid-after-deadline`` and the attempt is kept (``refused_bid``): the
platform never accepts a late bid silently (Tendering and Bidding Law Art. 28).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import NotFound
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from tenders import events, live, registers, repository, screening
from tenders.errors import (
    AlreadyBid,
    AlreadyDone,
    BidAfterDeadline,
    DuplicateCode,
    InvalidDates,
    InvalidTransition,
    NotEvaluated,
    NotRegistered,
    TooEarly,
    UnknownLot,
    UnknownPerson,
)
from tenders.findings import raise_findings
from tenders.models import Award, Bid, BidStatus, Lot, RefusedBid, Registration, Tender, TenderStatus
from tenders.registers import stamp_key
from tenders.schemas.lifecycle import (
    AwardIn,
    AwardOut,
    BidIn,
    BidOut,
    CancellationIn,
    LotOut,
    OpeningIn,
    RefusedBidOut,
    RegistrationIn,
    RegistrationOut,
    TenderIn,
    TenderOut,
)
from tenders.settings import TendersSettings

S = TenderStatus
CLOCK_SKEW = timedelta(minutes=5)  # a trading system's clock may run this far ahead of ours
# step -> (the states it may start from, the state it leads to; None: stays)
TRANSITIONS: dict[str, tuple[frozenset[TenderStatus], TenderStatus | None]] = {
    "register": (frozenset({S.PUBLISHED}), None),
    "bid": (frozenset({S.PUBLISHED}), None),
    "draw": (frozenset({S.PUBLISHED, S.OPENED}), None),
    "open": (frozenset({S.PUBLISHED}), S.OPENED),
    "evaluate": (frozenset({S.OPENED, S.EVALUATED}), S.EVALUATED),
    "award": (frozenset({S.EVALUATED, S.AWARDED}), S.AWARDED),
    "contract": (frozenset({S.AWARDED, S.CONTRACTED}), S.CONTRACTED),
    "change_order": (frozenset({S.CONTRACTED}), None),
    "settle": (frozenset({S.CONTRACTED}), S.SETTLED),
    "cancel": (frozenset({S.PUBLISHED, S.OPENED, S.EVALUATED, S.AWARDED}), S.CANCELLED),
}


def allowed_steps(status: TenderStatus) -> list[str]:
    return [step for step, (starts, _) in TRANSITIONS.items() if status in starts]


def require(tender: Tender, step: str) -> TenderStatus | None:
    """Refuse ``step`` unless the tender's state allows it; the state it leads to (None: unchanged)."""
    starts, leads_to = TRANSITIONS[step]
    if tender.status not in starts:
        raise InvalidTransition(
            f"a tender that is {tender.status} cannot {step.replace('_', ' ')}",
            tender_status=str(tender.status),
            step=step,
            allowed=allowed_steps(tender.status),
        )
    return leads_to


def move(tender: Tender, step: str, now: datetime) -> None:
    leads_to = require(tender, step)
    if leads_to is not None and leads_to != tender.status:
        tender.status = leads_to
        tender.status_changed_at = now


def tender_out(tender: Tender, lots: Sequence[Lot]) -> TenderOut:
    return TenderOut(
        id=tender.id,
        code=tender.code,
        project_id=tender.project_id,
        title=tender.title,
        category=tender.category,
        procedure=tender.procedure,
        estimate_fen=tender.estimate_fen,
        ceiling_fen=tender.ceiling_fen,
        published_at=tender.published_at,
        deadline=tender.deadline,
        documents=list(tender.documents),
        required_qualification=tender.required_qualification,
        required_grade=tender.required_grade,
        status=tender.status,
        allowed_steps=allowed_steps(tender.status),
        cancel_reason=tender.cancel_reason,
        owner_uscc=tender.owner_uscc,
        region_code=tender.region_code,
        lots=[LotOut.model_validate(lot) for lot in lots],
        created_at=tender.created_at,
    )


# --- tenders ---------------------------------------------------------------------------------------------


async def create_tender(
    session: AsyncSession, settings: TendersSettings, who: Principal, body: TenderIn, *, key: IdempotencyKey | None
) -> TenderOut:
    project = await registers.get_project(session, who, body.project_id, field="project_id")
    who.ensure_can_write(project.region_code)
    await idempotency.begin(session, who, key)
    if await repository.tender_by_code(session, body.code):
        raise DuplicateCode(f"tender {body.code} is registered", field="code")
    tender = Tender(
        **body.model_dump(exclude={"documents", "lots"}),
        documents=[d.model_dump() for d in body.documents],
        owner_uscc=project.owner_uscc,
        region_code=project.region_code,
        created_by=who.subject,
    )
    session.add(tender)
    await session.flush()
    lots = [Lot(tender_id=tender.id, **lot.model_dump()) for lot in body.lots] or [
        Lot(tender_id=tender.id, number=1, title=tender.title, estimate_fen=tender.estimate_fen,
            ceiling_fen=tender.ceiling_fen)
    ]  # fmt: skip
    session.add_all(lots)
    await session.flush()
    now = utcnow()
    add_event(session, events.tender_published(tender))
    await raise_findings(session, await screening.tender_findings(session, settings, tender, project), now=now)
    out = tender_out(tender, lots)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_tender(
    session: AsyncSession, who: Principal, tender_id: uuid.UUID, *, for_update: bool = False
) -> Tender:
    return who.visible(await repository.tender(session, tender_id, for_update=for_update), "tender")


async def read_tender(session: AsyncSession, who: Principal, tender_id: uuid.UUID) -> TenderOut:
    tender = await get_tender(session, who, tender_id)
    return tender_out(tender, await repository.lots_of(session, [tender.id]))


async def list_tenders(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    status: TenderStatus | None = None,
    project_id: uuid.UUID | None = None,
) -> Page[TenderOut]:
    rows = await repository.tenders(session, who.region_prefixes, page, status=status, project_id=project_id)
    lots = await repository.lots_of(session, [t.id for t in rows])
    return make_page(rows, page, stamp_key, lambda t: tender_out(t, [x for x in lots if x.tender_id == t.id]))


async def lot_of(session: AsyncSession, tender: Tender, number: int) -> Lot:
    found = await repository.lot(session, tender.id, number)
    if found is None:
        raise UnknownLot(f"tender {tender.code} has no lot {number}", field="lot_number")
    return found


# --- registration and bids ---------------------------------------------------------------------------------


async def register_bidder(
    session: AsyncSession, who: Principal, tender_id: uuid.UUID, body: RegistrationIn, *, key: IdempotencyKey | None
) -> RegistrationOut:
    tender = await get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    require(tender, "register")
    enterprise = await registers._enterprise_named(session, body.uscc, "uscc")
    at = body.registered_at or utcnow()
    if at >= tender.deadline:
        raise BidAfterDeadline(
            "registration closes at the deadline", deadline=tender.deadline.isoformat(), submitted_at=at.isoformat()
        )
    row = await repository.registration(session, tender.id, enterprise.id)
    if row is None:
        row = Registration(tender_id=tender.id, enterprise_id=enterprise.id, registered_at=at)
        session.add(row)
        await session.flush()
    out = RegistrationOut(
        id=row.id, tender_id=tender.id, enterprise_id=enterprise.id, uscc=enterprise.uscc,
        registered_at=row.registered_at,
    )  # fmt: skip
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def bid_out(session: AsyncSession, bids: Sequence[Bid]) -> list[BidOut]:
    found = await repository.enterprises_by_ids(session, {b.enterprise_id for b in bids})
    lots = {lot.id: lot for lot in await repository.lots_of(session, {b.tender_id for b in bids})}
    return [
        BidOut(
            id=b.id,
            tender_id=b.tender_id,
            lot_id=b.lot_id,
            lot_number=lots[b.lot_id].number,
            enterprise_id=b.enterprise_id,
            uscc=found[b.enterprise_id].uscc,
            bidder_name=found[b.enterprise_id].name,
            price_fen=b.price_fen,
            submitted_at=b.submitted_at,
            has_ip=b.ip_hash is not None,
            file_sha256=b.file_sha256,
            status=b.status,
            disqualification=b.disqualification,
            recorded_at=b.recorded_at,
        )
        for b in bids
    ]


async def submit_bid(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    tender_id: uuid.UUID,
    body: BidIn,
    *,
    key: IdempotencyKey | None,
) -> BidOut:
    """A bid, screened as it arrives (linked bidders, ineligible bidder). At or after the deadline it is refused:
    the attempt is recorded and committed, then 409 ``…/bid-after-deadline``."""
    tender = await get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    now = utcnow()
    at = body.submitted_at or now
    if at > now + CLOCK_SKEW:
        raise InvalidDates("a bid cannot be received in the future", field="/submitted_at")
    enterprise = await registers._enterprise_named(session, body.uscc, "uscc")
    if at >= tender.deadline:
        session.add(
            RefusedBid(
                tender_id=tender.id,
                enterprise_id=enterprise.id,
                price_fen=body.price_fen,
                submitted_at=at,
                reason="after_deadline",
                region_code=tender.region_code,
                recorded_by=who.subject,
            )
        )
        problem = BidAfterDeadline(
            f"the deadline was {tender.deadline.isoformat()}; the bid arrived {at.isoformat()}",
            deadline=tender.deadline.isoformat(),
            submitted_at=at.isoformat(),
        )
        await idempotency.complete(session, who, key, problem.status, problem.to_dict())
        await session.commit()
        raise problem
    require(tender, "bid")
    lot = await lot_of(session, tender, body.lot_number)
    if await repository.registration(session, tender.id, enterprise.id) is None:
        raise NotRegistered(f"{enterprise.uscc} did not register for tender {tender.code}", field="uscc")
    manager = None
    if body.project_manager_resident_id:
        manager = await repository.person_by_hash(
            session, registers.id_hash(settings, body.project_manager_resident_id)
        )
        if manager is None:
            raise UnknownPerson("register the project manager first", field="project_manager_resident_id")
    bid = Bid(
        tender_id=tender.id,
        lot_id=lot.id,
        enterprise_id=enterprise.id,
        price_fen=body.price_fen,
        submitted_at=at,
        ip_hash=settings.hasher.hash(body.submitter_ip, purpose="tenders.ip") if body.submitter_ip else None,
        file_sha256=body.file_sha256,
        project_manager_id=manager.id if manager else None,
        region_code=tender.region_code,
        recorded_by=who.subject,
    )
    try:
        async with session.begin_nested():
            session.add(bid)
            await session.flush()
    except IntegrityError:
        raise AlreadyBid(f"{enterprise.uscc} has a bid for lot {lot.number}", field="uscc") from None
    add_event(session, events.bid_submitted(bid, enterprise.uscc))
    found = await screening.linked_bidders(session, tender, lot, bid)
    found += await screening.ineligible_bidder(session, tender, lot, bid, enterprise)
    found += screening.late_bid(tender, bid)
    # The findings are stamped when raised (after screening), as funds stamps its refusal: the warning's
    # first_seen_at is when the flag was found; the bid's own time stays the bid's.
    await raise_findings(session, found, now=utcnow())
    out = (await bid_out(session, [bid]))[0]
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_bids(session: AsyncSession, who: Principal, tender_id: uuid.UUID, page: PageParams) -> Page[BidOut]:
    tender = await get_tender(session, who, tender_id)
    rows = await repository.bids_page(session, tender.id, page)
    outs = {b.id: b for b in await bid_out(session, rows)}
    return make_page(rows, page, stamp_key, lambda b: outs[b.id])


async def list_refused_bids(
    session: AsyncSession, who: Principal, tender_id: uuid.UUID, page: PageParams
) -> Page[RefusedBidOut]:
    tender = await get_tender(session, who, tender_id)
    rows = await repository.refused_bids(session, tender.id, page)
    return make_page(rows, page, stamp_key, RefusedBidOut.model_validate)


# --- opening, cancellation, award ----------------------------------------------------------------------------


async def open_tender(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    tender_id: uuid.UUID,
    body: OpeningIn,
    *,
    key: IdempotencyKey | None,
) -> TenderOut:
    """The bids opened; the tender screened by Cardinal's per-tender indicators (single bid, identical prices)."""
    tender = await get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    now = utcnow()
    at = body.opened_at or now
    require(tender, "open")
    if at < tender.deadline:
        raise TooEarly(f"the deadline is {tender.deadline.isoformat()}", deadline=tender.deadline.isoformat())
    move(tender, "open", at)
    await raise_findings(session, await live.cardinal_findings(session, settings, tender), now=now)
    out = tender_out(tender, await repository.lots_of(session, [tender.id]))
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def cancel_tender(
    session: AsyncSession, who: Principal, tender_id: uuid.UUID, body: CancellationIn, *, key: IdempotencyKey | None
) -> TenderOut:
    tender = await get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    move(tender, "cancel", utcnow())
    tender.cancel_reason = body.reason
    out = tender_out(tender, await repository.lots_of(session, [tender.id]))
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def award_lot(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    tender_id: uuid.UUID,
    body: AwardIn,
    *,
    key: IdempotencyKey | None,
) -> AwardOut:
    """The award of a lot: the evaluation's first-ranked bid unless another is named; screened for the price at
    the ceiling, an ineligible winner and a rotation of winners."""
    tender = await get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    require(tender, "award")
    lot = await lot_of(session, tender, body.lot_number)
    if await repository.award_of(session, lot.id):
        raise AlreadyDone(f"lot {lot.number} is awarded")
    evaluation = await repository.evaluation_of(session, lot.id)
    if evaluation is None or not evaluation.ranking:
        raise NotEvaluated(f"lot {lot.number} has no evaluation with a ranking")
    bid_id = body.bid_id or uuid.UUID(evaluation.ranking[0]["bid_id"])
    bid = await repository.bid(session, bid_id)
    if bid is None or bid.lot_id != lot.id or bid.status == BidStatus.DISQUALIFIED:
        raise NotFound("no such valid bid in this lot", field="bid_id")
    award = Award(
        tender_id=tender.id,
        lot_id=lot.id,
        bid_id=bid.id,
        enterprise_id=bid.enterprise_id,
        amount_fen=bid.price_fen,
        awarded_on=body.awarded_on,
        region_code=tender.region_code,
        recorded_by=who.subject,
    )
    session.add(award)
    await session.flush()
    now = utcnow()
    move(tender, "award", now)
    enterprise = await repository.enterprise(session, bid.enterprise_id)
    assert enterprise is not None
    found = await screening.award_findings(session, settings, tender, lot, award)
    found += await screening.ineligible_bidder(session, tender, lot, bid, enterprise)
    found += await live.cardinal_findings(session, settings, tender)
    await raise_findings(session, found, now=now)
    out = AwardOut.model_validate(award)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out
