"""Every tender published as OCDS 1.1 (信息公开): its rows mapped onto ``tenders.ocds.export.TenderDoc``.

One record per tender: a release per step the tender has reached (tender, award, contract,
implementation), each the process as it stood then, and their compiled release (ocdsmerge).
Parties are organisations only (USCC as ``CN-USCC`` identifiers; the owner is buyer and
procuring entity); no person appears. Lots are not modelled in OCDS 1.1 core: bids, awards and
contracts of every lot are listed under the one tender.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal

from tenders import lifecycle, repository
from tenders.models import BidStatus, Category, Procedure, Tender, TenderStatus
from tenders.ocds import export
from tenders.settings import TendersSettings

METHOD = {
    Procedure.OPEN: "open",
    Procedure.INVITATION: "selective",
    Procedure.COMPETITIVE_NEGOTIATION: "limited",
    Procedure.INQUIRY: "limited",
    Procedure.SINGLE_SOURCE: "direct",
    Procedure.DIRECT: "direct",
}
CATEGORY = {Category.CONSTRUCTION: "works", Category.GOODS: "goods", Category.SERVICES: "services"}
BID_STATUS = {BidStatus.SUBMITTED: "pending", BidStatus.VALID: "valid", BidStatus.DISQUALIFIED: "disqualified"}


def ocid(settings: TendersSettings, tender: Tender) -> str:
    return f"{settings.ocid_prefix}-{tender.id}"


def party_id(uscc: str) -> str:
    return f"CN-USCC-{uscc}"


def _tender_status(status: TenderStatus) -> str:
    if status == TenderStatus.CANCELLED:
        return "cancelled"
    if status == TenderStatus.PUBLISHED:
        return "active"
    return "complete"


async def tender_doc(
    session: AsyncSession, settings: TendersSettings, tender: Tender
) -> tuple[export.TenderDoc, dict[str, str]]:
    """The tender as a TenderDoc, and the date of each step reached (tender, award, contract, implementation)."""
    project = await repository.project(session, tender.project_id)
    bids = await repository.bids_of(session, tender.id)
    awards = await repository.awards_of(session, tender.id)
    contracts = await repository.contracts_of(session, tender.id)
    enterprises = await repository.enterprises_by_ids(session, {b.enterprise_id for b in bids})
    owner = party_id(tender.owner_uscc)
    parties = [
        export.Party(
            id=owner,
            name=project.owner_name if project else tender.owner_uscc,
            roles=["buyer", "procuringEntity"],
            scheme="CN-USCC",
            identifier=tender.owner_uscc,
        )
    ]
    winners = {a.enterprise_id for a in awards}
    for e in sorted(enterprises.values(), key=lambda x: x.uscc):
        roles = ["tenderer", *(["supplier"] if e.id in winners else [])]
        parties.append(export.Party(id=party_id(e.uscc), name=e.name, roles=roles, scheme="CN-USCC", identifier=e.uscc))
    by_award = {c.award_id: c for c in contracts}
    doc_contracts = []
    for c in contracts:
        orders = await repository.change_orders_of(session, c.id)
        supplier = enterprises.get(c.enterprise_id)
        doc_contracts.append(
            export.Contract(
                id=str(c.id),
                award_id=str(c.award_id),
                status="terminated" if c.settled_fen is not None else "active",
                amount_minor=c.amount_fen,
                date_signed=c.signed_on.isoformat() + "T00:00:00+08:00",
                amendments=[
                    export.Amendment(
                        id=str(o.id),
                        date=o.ordered_on.isoformat() + "T00:00:00+08:00",
                        rationale=o.reason,
                        description=f"{'approved' if o.approved else 'not approved'} change of {o.amount_fen} fen",
                    )
                    for o in orders
                ],
                transactions=[
                    export.Transaction(
                        id=f"{c.id}-settlement",
                        date=c.settled_on.isoformat() + "T00:00:00+08:00",
                        amount_minor=c.settled_fen,
                        payer_id=owner,
                        payee_id=party_id(supplier.uscc) if supplier else None,
                    )
                ]
                if c.settled_fen is not None and c.settled_on is not None
                else [],
            )
        )
    doc = export.TenderDoc(
        ocid=ocid(settings, tender),
        tender_id=str(tender.id),
        title=tender.title,
        status=_tender_status(tender.status),
        procurement_method=METHOD[tender.procedure],
        procurement_method_details=str(tender.procedure),
        main_procurement_category=CATEGORY[tender.category],
        buyer_id=owner,
        procuring_entity_id=owner,
        estimate_minor=tender.estimate_fen,
        tender_start=tender.published_at.isoformat(),
        tender_end=tender.deadline.isoformat(),
        parties=parties,
        bids=[
            export.Bid(
                id=str(b.id),
                tenderer_ids=[party_id(enterprises[b.enterprise_id].uscc)],
                status=BID_STATUS[b.status],
                date=b.submitted_at.isoformat(),
                amount_minor=b.price_fen,
            )
            for b in bids
        ],
        awards=[
            export.Award(
                id=str(a.id),
                status="active",
                supplier_ids=[party_id(enterprises[a.enterprise_id].uscc)],
                date=a.awarded_on.isoformat() + "T00:00:00+08:00",
                amount_minor=a.amount_fen,
                related_bids=[str(a.bid_id)],
            )
            for a in awards
        ],
        contracts=doc_contracts,
    )
    steps = {"tender": tender.published_at.isoformat()}
    if awards:
        steps["award"] = max(a.recorded_at for a in awards).isoformat()
    if by_award:
        steps["contract"] = max(c.recorded_at for c in contracts).isoformat()
    return doc, steps


def _upto(doc: export.TenderDoc, step: str) -> export.TenderDoc:
    """The process as it stood at ``step``: later awards and contracts left out, no supplier before an award."""
    if step == "contract":
        return doc
    parties = doc.parties
    if step == "tender":
        parties = [export.Party(**{**p.__dict__, "roles": [r for r in p.roles if r != "supplier"]}) for p in parties]
    return replace(
        doc,
        parties=parties,
        awards=doc.awards if step == "award" else [],
        contracts=[],
        status=doc.status if step != "tender" or doc.status == "cancelled" else "active",
    )


async def record_package(
    session: AsyncSession, settings: TendersSettings, who: Principal, tender_id: uuid.UUID, *, uri: str
) -> dict[str, Any]:
    """The tender's OCDS record package: one release per step reached, and the compiled release."""
    tender = await lifecycle.get_tender(session, who, tender_id)
    doc, steps = await tender_doc(session, settings, tender)
    releases = [
        export.release(_upto(doc, step), release_id=f"{tender.id}-{step}", date=date, tag=[step])
        for step, date in steps.items()
    ]
    published = max(steps.values())
    return export.record_package([export.record(releases)], uri=uri, published_date=published)
