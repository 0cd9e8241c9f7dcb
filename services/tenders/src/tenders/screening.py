"""Write-time screening: the rows of a write turned into facts for ``rules.py``, and its findings.

Each function returns ``Found`` items (findings.py); the use case raises them in its own transaction.
Dedupe keys name the rule and the subject (the pair of bids, the tender, the award) so a repeat is
one register entry with more occurrences.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenders import flags, repository, rules
from tenders.findings import Found
from tenders.models import Award, Bid, Enterprise, LinkRole, Lot, Project, Tender
from tenders.settings import TendersSettings


async def _facts(session: AsyncSession, bids: list[Bid]) -> dict[str, flags.BidFacts]:
    enterprises = await repository.enterprises_by_ids(session, {b.enterprise_id for b in bids})
    links = await repository.links_of_enterprises(session, set(enterprises))
    people: dict[tuple[object, LinkRole], set[str]] = {}
    for link in links:
        people.setdefault((link.enterprise_id, link.role), set()).add(str(link.person_id))
    out = {}
    for b in bids:
        e = enterprises[b.enterprise_id]
        out[str(b.id)] = flags.BidFacts(
            bid_id=str(b.id),
            enterprise_id=str(e.id),
            legal_representatives=frozenset(people.get((e.id, LinkRole.LEGAL_REPRESENTATIVE), set())),
            shareholders=frozenset(people.get((e.id, LinkRole.SHAREHOLDER), set())),
            phone_hash=e.phone_hash,
            address_hash=e.address_hash,
            file_sha256=b.file_sha256,
            ip_hash=b.ip_hash,
            project_manager=str(b.project_manager_id) if b.project_manager_id else None,
        )
    return out


async def linked_bidders(session: AsyncSession, tender: Tender, lot: Lot, bid: Bid) -> list[Found]:
    """TENDERS-LINKED-BIDDERS: the new bid against every other bid of its lot."""
    bids = await repository.bids_of(session, tender.id, lot.id)
    facts = await _facts(session, bids)
    mine = facts[str(bid.id)]
    found = []
    for other in bids:
        if other.id == bid.id:
            continue
        shared = flags.links_between(mine, facts[str(other.id)])
        if not shared:
            continue
        pair = sorted([str(bid.id), str(other.id)])
        enterprises = sorted([str(bid.enterprise_id), str(other.enterprise_id)])
        found.append(
            Found.about_tender(
                tender,
                rule=rules.LINKED_BIDDERS,
                evidence={
                    "tender_id": str(tender.id),
                    "lot_id": str(lot.id),
                    "bid_ids": pair,
                    "enterprise_ids": enterprises,
                    "shared": shared,
                },
                dedupe_key=f"{rules.LINKED_BIDDERS.id}:lot:{lot.id}:{enterprises[0]}:{enterprises[1]}",
            )
        )
    return found


def late_bid(tender: Tender, bid: Bid) -> list[Found]:
    """TENDERS-LATE-BID: recorded after the deadline of a tender known before it, dated before the deadline."""
    if not flags.recorded_late(tender.created_at, tender.deadline, bid.submitted_at, bid.recorded_at):
        return []
    return [
        Found.about_tender(
            tender,
            rule=rules.LATE_BID,
            evidence={
                "tender_id": str(tender.id),
                "bid_id": str(bid.id),
                "deadline": tender.deadline.isoformat(),
                "submitted_at": bid.submitted_at.isoformat(),
                "recorded_at": bid.recorded_at.isoformat(),
            },
            dedupe_key=f"{rules.LATE_BID.id}:bid:{bid.id}",
        )
    ]


async def ineligible_bidder(
    session: AsyncSession, tender: Tender, lot: Lot, bid: Bid, enterprise: Enterprise
) -> list[Found]:
    """TENDERS-INELIGIBLE-BIDDER: debarred on the bid's day, or without the required qualification."""
    debarments = [
        flags.DebarmentFact(str(d.id), d.region_code, d.starts_on, d.ends_on)
        for d in await repository.debarments_of(session, "enterprise", [enterprise.id])
    ]
    qualifications = [
        flags.QualificationFact(q.kind, q.grade, q.valid_from, q.valid_until)
        for q in await repository.qualifications_of(session, [enterprise.id])
    ]
    reasons, debarment_ids = flags.ineligibility(
        debarments=debarments,
        qualifications=qualifications,
        required_kind=tender.required_qualification,
        required_grade=tender.required_grade,
        on=bid.submitted_at.date(),
        deadline=tender.deadline.date(),
        region_code=tender.region_code,
    )
    if not reasons:
        return []
    return [
        Found.about_tender(
            tender,
            rule=rules.INELIGIBLE_BIDDER,
            unit_uscc=enterprise.uscc,
            evidence={
                "tender_id": str(tender.id),
                "lot_id": str(lot.id),
                "bid_id": str(bid.id),
                "enterprise_id": str(enterprise.id),
                "reasons": reasons,
                "debarment_ids": debarment_ids,
            },
            dedupe_key=f"{rules.INELIGIBLE_BIDDER.id}:tender:{tender.id}:{enterprise.id}",
        )
    ]


async def tender_findings(
    session: AsyncSession, settings: TendersSettings, tender: Tender, project: Project
) -> list[Found]:
    """TENDERS-NON-COMPETITIVE, TENDERS-SHORT-PERIOD and TENDERS-SPLIT-CONTRACT for a newly published tender."""
    threshold = flags.must_tender_threshold(str(tender.category), str(project.funding_source), settings.must_tender_fen)
    found = []
    if flags.non_competitive(str(tender.procedure), tender.estimate_fen, threshold):
        found.append(
            Found.about_tender(
                tender,
                rule=rules.NON_COMPETITIVE,
                unit_uscc=tender.owner_uscc,
                evidence={
                    "tender_id": str(tender.id),
                    "project_id": str(project.id),
                    "procedure": str(tender.procedure),
                    "category": str(tender.category),
                    "funding_source": str(project.funding_source),
                    "estimate_fen": tender.estimate_fen,
                    "threshold_fen": threshold,
                },
                dedupe_key=f"{rules.NON_COMPETITIVE.id}:tender:{tender.id}",
            )
        )
    zone = settings.zone
    published_on, deadline_on = tender.published_at.astimezone(zone).date(), tender.deadline.astimezone(zone).date()
    days = flags.bid_days(published_on, deadline_on)
    must = threshold is not None and tender.estimate_fen >= threshold
    if must and str(tender.procedure) in flags.COMPETITIVE_PROCEDURES and days < settings.min_bid_days:
        found.append(
            Found.about_tender(
                tender,
                rule=rules.SHORT_PERIOD,
                unit_uscc=tender.owner_uscc,
                evidence={
                    "tender_id": str(tender.id),
                    "published_on": published_on.isoformat(),
                    "deadline_on": deadline_on.isoformat(),
                    "days": days,
                    "min_days": settings.min_bid_days,
                    "estimate_fen": tender.estimate_fen,
                    "threshold_fen": threshold,
                },
                dedupe_key=f"{rules.SHORT_PERIOD.id}:tender:{tender.id}",
            )
        )
    siblings = [t for t in await repository.tenders_of_project(session, project.id) if t.category == tender.category]

    def fact(t: Tender) -> flags.PurchaseFact:
        return flags.PurchaseFact(str(t.id), str(t.procedure), t.estimate_fen, t.published_at.date())

    split = flags.split_under_threshold(
        fact(tender),
        [fact(t) for t in siblings if t.id != tender.id and t.status != "cancelled"],
        threshold_fen=threshold,
        window_days=settings.split_window_days,
    )
    if split:
        found.append(
            Found(
                rule=rules.SPLIT_CONTRACT,
                subject_kind="project",
                subject_id=str(project.id),
                region_code=project.region_code,
                tender_id=tender.id,
                label=project.code,
                unit_uscc=project.owner_uscc,
                evidence={
                    "project_id": str(project.id),
                    "category": str(tender.category),
                    "tender_ids": [p.tender_id for p in split],
                    "estimates_fen": [p.estimate_fen for p in split],
                    "total_fen": sum(p.estimate_fen for p in split),
                    "threshold_fen": threshold,
                },
                dedupe_key=f"{rules.SPLIT_CONTRACT.id}:project:{project.id}:{tender.category}",
            )
        )
    return found


async def award_findings(
    session: AsyncSession, settings: TendersSettings, tender: Tender, lot: Lot, award: Award
) -> list[Found]:
    """TENDERS-WINNER-AT-CEILING and TENDERS-BID-ROTATION for a new award."""
    found = []
    level = flags.at_ceiling(award.amount_fen, lot.ceiling_fen, settings.ceiling_band_permille)
    if level is not None:
        found.append(
            Found.about_tender(
                tender,
                rule=rules.WINNER_AT_CEILING,
                level=level,
                evidence={
                    "tender_id": str(tender.id),
                    "lot_id": str(lot.id),
                    "award_id": str(award.id),
                    "amount_fen": award.amount_fen,
                    "ceiling_fen": lot.ceiling_fen,
                    "band_permille": settings.ceiling_band_permille,
                },
                dedupe_key=f"{rules.WINNER_AT_CEILING.id}:lot:{lot.id}",
            )
        )
    bidders = [b.enterprise_id for b in await repository.bids_of(session, tender.id, lot.id)]
    since = award.awarded_on - timedelta(days=settings.rotation_window_days)
    history = await repository.awards_with_bidders(session, bidders, since, tender.region_code[:4])
    facts = {
        str(a.lot_id): flags.AwardedTender(
            str(a.tender_id), a.awarded_on, frozenset(map(str, bs)), str(a.enterprise_id)
        )
        for a, bs in history
    }
    latest = flags.AwardedTender(
        str(tender.id), award.awarded_on, frozenset(map(str, bidders)), str(award.enterprise_id)
    )
    facts.pop(str(lot.id), None)
    turn = flags.rotation(
        latest,
        list(facts.values()),
        min_tenders=settings.rotation_min_tenders,
        min_members=settings.rotation_min_members,
        window_days=settings.rotation_window_days,
    )
    if turn is not None:
        group = ",".join(turn.members)
        found.append(
            Found.about_tender(
                tender,
                rule=rules.BID_ROTATION,
                evidence={
                    "enterprise_ids": turn.members,
                    "tender_ids": [t.tender_id for t in turn.tenders],
                    "winners": [t.winner for t in turn.tenders],
                },
                dedupe_key=f"{rules.BID_ROTATION.id}:group:{flags.group_key(group)}",
            )
        )
    return found
