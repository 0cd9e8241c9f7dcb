"""Tenders queries. Never commits: the service function owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.db import starts_with_digits, within_regions
from sunlight.pagination import PageParams, keyset

from tenders.models import (
    Award,
    Bid,
    ChangeOrder,
    Contract,
    Debarment,
    Draw,
    Enterprise,
    EnterpriseLink,
    Evaluation,
    ExpertScore,
    Finding,
    Lot,
    OcdsImport,
    OcdsProcess,
    Person,
    Project,
    Qualification,
    RefusedBid,
    Registration,
    Replacement,
    Tender,
    TenderStatus,
)

M = TypeVar("M")


async def _get(session: AsyncSession, model: type[M], id_: uuid.UUID, *, for_update: bool = False) -> M | None:
    query: Any = select(model).where(model.id == id_)  # type: ignore[attr-defined]
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalars().first()


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars().all())


# --- registers -------------------------------------------------------------------------------------------


async def enterprise(session: AsyncSession, enterprise_id: uuid.UUID) -> Enterprise | None:
    return await _get(session, Enterprise, enterprise_id)


async def enterprise_by_uscc(session: AsyncSession, uscc: str) -> Enterprise | None:
    return (await session.execute(select(Enterprise).where(Enterprise.uscc == uscc))).scalars().first()


async def enterprises_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Enterprise]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {e.id: e for e in await _all(session, select(Enterprise).where(Enterprise.id.in_(wanted)))}  # type: ignore[attr-defined]


async def enterprises(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> list[Enterprise]:
    query = select(Enterprise).where(within_regions(Enterprise.region_code, prefixes))
    return await _all(session, keyset(query, page, Enterprise.created_at, Enterprise.id))


async def qualifications_of(session: AsyncSession, enterprise_ids: Iterable[uuid.UUID]) -> list[Qualification]:
    query = select(Qualification).where(Qualification.enterprise_id.in_(set(enterprise_ids)))  # type: ignore[attr-defined]
    return await _all(session, query.order_by(Qualification.valid_from))


async def debarments_of(session: AsyncSession, kind: str, ids: Iterable[uuid.UUID]) -> list[Debarment]:
    query = select(Debarment).where(Debarment.subject_kind == kind, Debarment.subject_id.in_(set(ids)))  # type: ignore[attr-defined]
    return await _all(session, query.order_by(Debarment.starts_on))


async def person(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    return await _get(session, Person, person_id)


async def person_by_hash(session: AsyncSession, id_hash: str) -> Person | None:
    return (await session.execute(select(Person).where(Person.id_hash == id_hash))).scalars().first()


async def persons_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in await _all(session, select(Person).where(Person.id.in_(wanted)))}  # type: ignore[attr-defined]


async def persons(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> list[Person]:
    query = select(Person).where(within_regions(Person.region_code, prefixes))
    return await _all(session, keyset(query, page, Person.created_at, Person.id))


async def links_of_persons(session: AsyncSession, person_ids: Iterable[uuid.UUID]) -> list[EnterpriseLink]:
    return await _all(session, select(EnterpriseLink).where(EnterpriseLink.person_id.in_(set(person_ids))))  # type: ignore[attr-defined]


async def links_of_enterprises(session: AsyncSession, enterprise_ids: Iterable[uuid.UUID]) -> list[EnterpriseLink]:
    query = select(EnterpriseLink).where(EnterpriseLink.enterprise_id.in_(set(enterprise_ids)))  # type: ignore[attr-defined]
    return await _all(session, query)


async def project(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await _get(session, Project, project_id)


async def project_by_code(session: AsyncSession, code: str) -> Project | None:
    return (await session.execute(select(Project).where(Project.code == code))).scalars().first()


async def projects(session: AsyncSession, prefixes: Sequence[str], page: PageParams) -> list[Project]:
    query = select(Project).where(within_regions(Project.region_code, prefixes))
    return await _all(session, keyset(query, page, Project.created_at, Project.id))


# --- tenders ---------------------------------------------------------------------------------------------


async def tender(session: AsyncSession, tender_id: uuid.UUID, *, for_update: bool = False) -> Tender | None:
    return await _get(session, Tender, tender_id, for_update=for_update)


async def tender_by_code(session: AsyncSession, code: str) -> Tender | None:
    return (await session.execute(select(Tender).where(Tender.code == code))).scalars().first()


async def tenders(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    status: TenderStatus | None = None,
    project_id: uuid.UUID | None = None,
) -> list[Tender]:
    query = select(Tender).where(within_regions(Tender.region_code, prefixes))
    if status is not None:
        query = query.where(Tender.status == status)
    if project_id is not None:
        query = query.where(Tender.project_id == project_id)
    return await _all(session, keyset(query, page, Tender.created_at, Tender.id))


async def tenders_of_project(session: AsyncSession, project_id: uuid.UUID) -> list[Tender]:
    return await _all(session, select(Tender).where(Tender.project_id == project_id))


async def lots_of(session: AsyncSession, tender_ids: Iterable[uuid.UUID]) -> list[Lot]:
    query = select(Lot).where(Lot.tender_id.in_(set(tender_ids)))  # type: ignore[attr-defined]
    return await _all(session, query.order_by(Lot.number))


async def lot(session: AsyncSession, tender_id: uuid.UUID, number: int) -> Lot | None:
    query = select(Lot).where(Lot.tender_id == tender_id, Lot.number == number)
    return (await session.execute(query)).scalars().first()


async def registration(session: AsyncSession, tender_id: uuid.UUID, enterprise_id: uuid.UUID) -> Registration | None:
    query = select(Registration).where(Registration.tender_id == tender_id, Registration.enterprise_id == enterprise_id)
    return (await session.execute(query)).scalars().first()


async def registrations_of(session: AsyncSession, tender_id: uuid.UUID) -> list[Registration]:
    return await _all(session, select(Registration).where(Registration.tender_id == tender_id))


async def bids_of(session: AsyncSession, tender_id: uuid.UUID, lot_id: uuid.UUID | None = None) -> list[Bid]:
    query = select(Bid).where(Bid.tender_id == tender_id)
    if lot_id is not None:
        query = query.where(Bid.lot_id == lot_id)
    return await _all(session, query.order_by(Bid.submitted_at, Bid.id))


async def bids_page(session: AsyncSession, tender_id: uuid.UUID, page: PageParams) -> list[Bid]:
    return await _all(session, keyset(select(Bid).where(Bid.tender_id == tender_id), page, Bid.recorded_at, Bid.id))


async def refused_bids(session: AsyncSession, tender_id: uuid.UUID, page: PageParams) -> list[RefusedBid]:
    query = select(RefusedBid).where(RefusedBid.tender_id == tender_id)
    return await _all(session, keyset(query, page, RefusedBid.recorded_at, RefusedBid.id))


async def bid(session: AsyncSession, bid_id: uuid.UUID) -> Bid | None:
    return await _get(session, Bid, bid_id)


async def evaluation_of(session: AsyncSession, lot_id: uuid.UUID) -> Evaluation | None:
    return (await session.execute(select(Evaluation).where(Evaluation.lot_id == lot_id))).scalars().first()


async def evaluations_of(session: AsyncSession, tender_id: uuid.UUID) -> list[Evaluation]:
    return await _all(session, select(Evaluation).where(Evaluation.tender_id == tender_id))


async def scores_of(session: AsyncSession, evaluation_id: uuid.UUID) -> list[ExpertScore]:
    return await _all(session, select(ExpertScore).where(ExpertScore.evaluation_id == evaluation_id))


async def award_of(session: AsyncSession, lot_id: uuid.UUID) -> Award | None:
    return (await session.execute(select(Award).where(Award.lot_id == lot_id))).scalars().first()


async def awards_of(session: AsyncSession, tender_id: uuid.UUID) -> list[Award]:
    return await _all(session, select(Award).where(Award.tender_id == tender_id))


async def award(session: AsyncSession, award_id: uuid.UUID) -> Award | None:
    return await _get(session, Award, award_id)


async def awards_with_bidders(
    session: AsyncSession, enterprise_ids: Iterable[uuid.UUID], since: Any, region_prefix: str
) -> list[tuple[Award, list[uuid.UUID]]]:
    """Awards since ``since`` in the region (prefix) of lots where one of ``enterprise_ids`` bid, each with the
    lot's bidders (for the rotation rule)."""
    lots = select(Bid.lot_id).where(
        Bid.enterprise_id.in_(set(enterprise_ids)),  # type: ignore[attr-defined]
        starts_with_digits(Bid.region_code, region_prefix),
    )
    found = await _all(session, select(Award).where(Award.lot_id.in_(lots), Award.awarded_on >= since))  # type: ignore[attr-defined]
    if not found:
        return []
    bidders: dict[uuid.UUID, list[uuid.UUID]] = {}
    rows = await session.execute(
        select(Bid.lot_id, Bid.enterprise_id).where(Bid.lot_id.in_({a.lot_id for a in found}))  # type: ignore[attr-defined]
    )
    for lot_id, enterprise_id in rows.all():
        bidders.setdefault(lot_id, []).append(enterprise_id)
    return [(a, bidders.get(a.lot_id, [])) for a in found]


async def contract(session: AsyncSession, contract_id: uuid.UUID, *, for_update: bool = False) -> Contract | None:
    return await _get(session, Contract, contract_id, for_update=for_update)


async def contract_of_award(session: AsyncSession, award_id: uuid.UUID) -> Contract | None:
    return (await session.execute(select(Contract).where(Contract.award_id == award_id))).scalars().first()


async def contracts_of(session: AsyncSession, tender_id: uuid.UUID) -> list[Contract]:
    return await _all(session, select(Contract).where(Contract.tender_id == tender_id))


async def change_orders_of(session: AsyncSession, contract_id: uuid.UUID) -> list[ChangeOrder]:
    query = select(ChangeOrder).where(ChangeOrder.contract_id == contract_id)
    return await _all(session, query.order_by(ChangeOrder.ordered_on, ChangeOrder.recorded_at))


# --- draws ------------------------------------------------------------------------------------------------


async def draw(session: AsyncSession, draw_id: uuid.UUID, *, for_update: bool = False) -> Draw | None:
    return await _get(session, Draw, draw_id, for_update=for_update)


async def draws_of(session: AsyncSession, tender_id: uuid.UUID) -> list[Draw]:
    return await _all(session, select(Draw).where(Draw.tender_id == tender_id).order_by(Draw.committed_at))


async def replacements_of(session: AsyncSession, draw_id: uuid.UUID) -> list[Replacement]:
    query = select(Replacement).where(Replacement.draw_id == draw_id)
    return await _all(session, query.order_by(Replacement.recorded_at, Replacement.id))


async def pool(session: AsyncSession, region_prefix: str, registered_before: datetime) -> list[Person]:
    """Persons registered in the region (and below) before the commitment, with any specialty (filtered by the
    caller: specialties are a JSON list)."""
    query = select(Person).where(
        starts_with_digits(Person.region_code, region_prefix), Person.created_at < registered_before
    )
    return [p for p in await _all(session, query.order_by(Person.id)) if p.specialties]


async def drawn_for_owner(session: AsyncSession, owner_uscc: str, since: datetime) -> dict[str, int]:
    """How many times each expert sat on a committee drawn for ``owner_uscc`` since ``since``."""
    query = (
        select(Draw)
        .join(Tender, Tender.id == Draw.tender_id)  # type: ignore[arg-type]
        .where(Tender.owner_uscc == owner_uscc, Draw.drawn_at >= since)  # type: ignore[operator]
    )
    counts: dict[str, int] = {}
    for row in await _all(session, query):
        for member in row.members:
            counts[member] = counts.get(member, 0) + 1
    return counts


# --- findings ---------------------------------------------------------------------------------------------


async def findings_by_keys(session: AsyncSession, keys: Iterable[str]) -> dict[str, Finding]:
    rows = await _all(session, select(Finding).where(Finding.dedupe_key.in_(set(keys))))  # type: ignore[attr-defined]
    return {f.dedupe_key: f for f in rows}


async def findings(
    session: AsyncSession,
    prefixes: Sequence[str],
    page: PageParams,
    *,
    tender_id: uuid.UUID | None = None,
    rule_id: str | None = None,
) -> list[Finding]:
    query = select(Finding).where(within_regions(Finding.region_code, prefixes))
    if tender_id is not None:
        query = query.where(Finding.tender_id == tender_id)
    if rule_id is not None:
        query = query.where(Finding.rule_id == rule_id)
    return await _all(session, keyset(query, page, Finding.first_raised_at, Finding.id))


async def count_findings(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Finding))).scalar_one())


async def findings_of_tender(session: AsyncSession, tender_id: uuid.UUID) -> list[Finding]:
    query = select(Finding).where(Finding.tender_id == tender_id).order_by(Finding.first_raised_at, Finding.id)
    return await _all(session, query)


async def tenders_within(session: AsyncSession, prefixes: Sequence[str], *, limit: int) -> list[Tender]:
    query = select(Tender).where(within_regions(Tender.region_code, prefixes)).order_by(Tender.created_at, Tender.id)
    return await _all(session, query.limit(limit))


async def ocds_processes(session: AsyncSession, region_code: str, ocids: Iterable[str]) -> dict[str, OcdsProcess]:
    query = select(OcdsProcess).where(OcdsProcess.region_code == region_code, OcdsProcess.ocid.in_(set(ocids)))  # type: ignore[attr-defined]
    return {p.ocid: p for p in await _all(session, query)}


async def ocds_processes_within(session: AsyncSession, prefixes: Sequence[str], *, limit: int) -> list[OcdsProcess]:
    query = select(OcdsProcess).where(within_regions(OcdsProcess.region_code, prefixes))
    return await _all(session, query.order_by(OcdsProcess.region_code, OcdsProcess.ocid).limit(limit))


async def ocds_processes_page(
    session: AsyncSession, prefixes: Sequence[str], page: PageParams, *, import_id: uuid.UUID | None = None
) -> list[OcdsProcess]:
    query = select(OcdsProcess).where(within_regions(OcdsProcess.region_code, prefixes))
    if import_id is not None:
        query = query.where(OcdsProcess.import_id == import_id)
    return await _all(session, keyset(query, page, OcdsProcess.updated_at, OcdsProcess.id))


async def ocds_process_by_ocid(session: AsyncSession, prefixes: Sequence[str], ocid: str) -> OcdsProcess | None:
    query = select(OcdsProcess).where(OcdsProcess.ocid == ocid, within_regions(OcdsProcess.region_code, prefixes))
    return (await session.execute(query.limit(1))).scalars().first()


async def ocds_import(session: AsyncSession, import_id: uuid.UUID) -> OcdsImport | None:
    return await session.get(OcdsImport, import_id)
