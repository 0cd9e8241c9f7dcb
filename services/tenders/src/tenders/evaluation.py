"""Computer-assisted evaluation (计算机辅助评标) of one lot.

Two methods (Implementing Regulation of the Tendering and Bidding Law Art. 49; 评标委员会和评标方法暂行规定):

- ``lowest_price`` (经评审的最低投标价法): valid bids ranked by price, lowest first;
- ``comprehensive`` (综合评估法): a benchmark price B = mean of the valid prices (the highest and the lowest left
  out when there are 5 or more and ``benchmark_trim``) × ``benchmark_factor_permille`` ‰, rounded to the fen;
  a bid's price points = ``price_points`` − ``deduct_above`` per 1 % above B (``deduct_below`` per 1 % below),
  never below 0; its expert points = the mean of the experts' scores of it; ranked by the total, ties by the
  lower price.

Bids above the ceiling price are invalid (Art. 51 (5)), as are the bids the committee disqualifies.
Experts' scores are checked against the drawn committee and for conflicts (TENDERS-EXPERT-CONFLICT),
and an expert far from the others on a bid is flagged (TENDERS-EXPERT-OUTLIER).
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey

from tenders import flags, lifecycle, repository, rules
from tenders.errors import AlreadyDone, InvalidScores, NoValidBid
from tenders.findings import Found, raise_findings
from tenders.models import Bid, BidStatus, Evaluation, EvaluationMethod, ExpertScore, Lot, Tender
from tenders.schemas.lifecycle import EvaluationIn, EvaluationOut, OutlierOut, RankedBid
from tenders.settings import TendersSettings


def benchmark(prices: Sequence[int], *, trim: bool, factor_permille: int) -> int:
    """The benchmark price in fen (see the module's docstring); exact integer arithmetic, half up."""
    chosen = sorted(prices)
    if trim and len(chosen) >= 5:
        chosen = chosen[1:-1]
    numerator = sum(chosen) * factor_permille
    denominator = len(chosen) * 1000
    return (2 * numerator + denominator) // (2 * denominator)


def price_points(price_fen: int, benchmark_fen: int, *, points: float, above: float, below: float) -> float:
    """Points of a price against the benchmark: ``points`` at B, less per 1 % away, not below 0."""
    deviation = (price_fen - benchmark_fen) * 100 / benchmark_fen
    off = deviation * above if deviation > 0 else -deviation * below
    return round(max(0.0, points - off), 4)


def rank(
    bids: Sequence[Bid], method: EvaluationMethod, body: EvaluationIn, scores: dict[str, dict[str, float]]
) -> tuple[int | None, list[RankedBid]]:
    """(benchmark, ranking) of the valid bids."""
    if method == EvaluationMethod.LOWEST_PRICE:
        ordered = sorted(bids, key=lambda b: (b.price_fen, b.submitted_at, str(b.id)))
        return None, [
            RankedBid(rank=i + 1, bid_id=b.id, enterprise_id=b.enterprise_id, price_fen=b.price_fen,
                      price_points=None, expert_points=None, total_points=None)
            for i, b in enumerate(ordered)
        ]  # fmt: skip
    bench = benchmark(
        [b.price_fen for b in bids], trim=body.benchmark_trim, factor_permille=body.benchmark_factor_permille
    )
    rows = []
    for b in bids:
        pp = price_points(
            b.price_fen, bench, points=body.price_points, above=body.deduct_above, below=body.deduct_below
        )
        ep = round(statistics.fmean(scores[str(b.id)].values()), 4)
        rows.append((b, pp, ep, round(pp + ep, 4)))
    rows.sort(key=lambda r: (-r[3], r[0].price_fen, r[0].submitted_at, str(r[0].id)))
    return bench, [
        RankedBid(rank=i + 1, bid_id=b.id, enterprise_id=b.enterprise_id, price_fen=b.price_fen,
                  price_points=pp, expert_points=ep, total_points=total)
        for i, (b, pp, ep, total) in enumerate(rows)
    ]  # fmt: skip


def _check_scores(body: EvaluationIn, valid: Sequence[Bid], lot_bids: set[uuid.UUID]) -> dict[str, dict[str, float]]:
    """scores[bid][expert]; every scoring expert scores every valid bid, once, within the points left."""
    by_bid: dict[str, dict[str, float]] = {str(b.id): {} for b in valid}
    room = 100 - body.price_points
    for index, s in enumerate(body.scores):
        pointer = f"/scores/{index}"
        if s.bid_id not in lot_bids:
            raise InvalidScores("the bid is not in this lot", field=f"{pointer}/bid_id")
        if s.score > room:
            raise InvalidScores(f"experts score at most {room} points here", field=f"{pointer}/score")
        if str(s.bid_id) not in by_bid:
            continue  # a score of an invalid bid counts for nothing
        if str(s.expert_id) in by_bid[str(s.bid_id)]:
            raise InvalidScores("the expert scored this bid twice", field=pointer)
        by_bid[str(s.bid_id)][str(s.expert_id)] = s.score
    if body.method == EvaluationMethod.COMPREHENSIVE:
        experts = {str(s.expert_id) for s in body.scores}
        if not experts:
            raise InvalidScores("comprehensive evaluation needs the experts' scores", field="/scores")
        for bid_id, given in by_bid.items():
            if set(given) != experts:
                raise InvalidScores(f"every expert scores every valid bid; bid {bid_id} lacks some", field="/scores")
    return by_bid


async def _expert_findings(
    session: AsyncSession,
    settings: TendersSettings,
    tender: Tender,
    lot: Lot,
    experts: set[str],
    outliers: dict[str, list[dict[str, float | str]]],
) -> list[Found]:
    if not experts:
        return []
    draws = await repository.draws_of(session, tender.id)
    members = {m for d in draws for m in d.members}
    persons = await repository.persons_by_ids(session, {uuid.UUID(e) for e in experts})
    employers = await repository.enterprises_by_ids(session, {p.employer_id for p in persons.values() if p.employer_id})
    bidder_ids = {b.enterprise_id for b in await repository.bids_of(session, tender.id)}
    bidder_ids |= {r.enterprise_id for r in await repository.registrations_of(session, tender.id)}
    bidders = await repository.enterprises_by_ids(session, bidder_ids)
    bars = await repository.debarments_of(session, "person", [uuid.UUID(e) for e in experts])
    today = utcnow().date()
    found = []
    for expert in sorted(experts):
        person = persons.get(uuid.UUID(expert))
        employer = employers.get(person.employer_id) if person and person.employer_id else None
        facts = [flags.DebarmentFact(str(d.id), d.region_code, d.starts_on, d.ends_on)
                 for d in bars if str(d.subject_id) == expert]  # fmt: skip
        reasons = flags.expert_conflicts(
            employer_uscc=employer.uscc if employer else None,
            bidder_usccs=[e.uscc for e in bidders.values()],
            owner_uscc=tender.owner_uscc,
            debarred=bool(flags.active_debarments(facts, today, tender.region_code)),
            drawn=expert in members,
        )
        if reasons:
            found.append(
                Found.about_tender(
                    tender,
                    rule=rules.EXPERT_CONFLICT,
                    evidence={
                        "tender_id": str(tender.id),
                        "lot_id": str(lot.id),
                        "expert_id": expert,
                        "reasons": reasons,
                    },
                    dedupe_key=f"{rules.EXPERT_CONFLICT.id}:lot:{lot.id}:{expert}",
                )
            )
    for expert, deviations in sorted(outliers.items()):
        found.append(
            Found.about_tender(
                tender,
                rule=rules.EXPERT_OUTLIER,
                evidence={
                    "tender_id": str(tender.id),
                    "lot_id": str(lot.id),
                    "expert_id": expert,
                    "deviations": deviations,
                    "outlier_points": settings.outlier_points,
                },
                dedupe_key=f"{rules.EXPERT_OUTLIER.id}:lot:{lot.id}:{expert}",
            )
        )
    return found


def evaluation_out(row: Evaluation, invalid: list[dict[str, str]]) -> EvaluationOut:
    return EvaluationOut(
        id=row.id,
        tender_id=row.tender_id,
        lot_id=row.lot_id,
        method=row.method,
        parameters=row.parameters,
        benchmark_fen=row.benchmark_fen,
        ranking=[RankedBid.model_validate(r) for r in row.ranking],
        invalid=invalid,
        outliers=[OutlierOut.model_validate(o) for o in row.outliers],
        recorded_at=row.recorded_at,
    )


async def evaluate(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    tender_id: uuid.UUID,
    body: EvaluationIn,
    *,
    key: IdempotencyKey | None,
) -> EvaluationOut:
    tender = await lifecycle.get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    await idempotency.begin(session, who, key)
    lifecycle.require(tender, "evaluate")
    lot = await lifecycle.lot_of(session, tender, body.lot_number)
    if await repository.evaluation_of(session, lot.id):
        raise AlreadyDone(f"lot {lot.number} is evaluated")
    bids = await repository.bids_of(session, tender.id, lot.id)
    by_id = {b.id: b for b in bids}
    reasons: dict[uuid.UUID, str] = {}
    for index, d in enumerate(body.disqualified):
        if d.bid_id not in by_id:
            raise InvalidScores("the bid is not in this lot", field=f"/disqualified/{index}/bid_id")
        reasons[d.bid_id] = d.reason
    for b in bids:
        if b.id not in reasons and lot.ceiling_fen is not None and b.price_fen > lot.ceiling_fen:
            reasons[b.id] = "above_ceiling"
        b.status = BidStatus.DISQUALIFIED if b.id in reasons else BidStatus.VALID
        b.disqualification = reasons.get(b.id)
    valid = [b for b in bids if b.id not in reasons]
    if not valid:
        raise NoValidBid(f"lot {lot.number} has no valid bid", invalid=len(bids))
    scores = _check_scores(body, valid, set(by_id))
    known = await repository.persons_by_ids(session, {s.expert_id for s in body.scores})
    for index, score in enumerate(body.scores):
        if score.expert_id not in known:
            raise NotFound("no such expert in the register", field=f"/scores/{index}/expert_id")
    bench, ranking = rank(valid, body.method, body, scores)
    outliers = flags.outlier_scores(scores, points=settings.outlier_points)
    row = Evaluation(
        tender_id=tender.id,
        lot_id=lot.id,
        method=body.method,
        parameters=body.model_dump(mode="json", exclude={"scores", "disqualified", "lot_number"}),
        benchmark_fen=bench,
        ranking=[r.model_dump(mode="json") for r in ranking],
        outliers=[{"expert_id": e, **d} for e, ds in sorted(outliers.items()) for d in ds],
        region_code=tender.region_code,
        recorded_by=who.subject,
    )
    session.add(row)
    await session.flush()
    session.add_all(
        ExpertScore(evaluation_id=row.id, expert_id=s.expert_id, bid_id=s.bid_id, score=s.score) for s in body.scores
    )
    lifecycle.move(tender, "evaluate", utcnow())
    experts = {str(s.expert_id) for s in body.scores}
    await raise_findings(
        session, await _expert_findings(session, settings, tender, lot, experts, outliers), now=utcnow()
    )
    out = evaluation_out(row, [{"bid_id": str(k), "reason": v} for k, v in reasons.items()])
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_evaluations(session: AsyncSession, who: Principal, tender_id: uuid.UUID) -> list[EvaluationOut]:
    tender = await lifecycle.get_tender(session, who, tender_id)
    rows = await repository.evaluations_of(session, tender.id)
    bids = {b.id: b for b in await repository.bids_of(session, tender.id)}
    return [
        evaluation_out(
            row,
            [
                {"bid_id": str(b.id), "reason": b.disqualification or ""}
                for b in bids.values()
                if b.lot_id == row.lot_id and b.status == BidStatus.DISQUALIFIED
            ],
        )
        for row in rows
    ]
