"""The pure arithmetic of the tenders red flags: plain facts in, a result out — no database, no clock.

The rules themselves (ids, levels, legal sources, settings) are declared in ``rules.py``; each names the
function here that decides it in ``evaluated_by``.
"""

from __future__ import annotations

import hashlib
import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sunlight.codes import region_contains
from sunlight.warnings import Level

# --- linked bidders ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidFacts:
    """What links a bid to another: its enterprise's people and contacts, and the bid's own traces."""

    bid_id: str
    enterprise_id: str
    legal_representatives: frozenset[str] = frozenset()  # person ids
    shareholders: frozenset[str] = frozenset()
    phone_hash: str | None = None
    address_hash: str | None = None
    file_sha256: str | None = None
    ip_hash: str | None = None
    project_manager: str | None = None


def links_between(a: BidFacts, b: BidFacts) -> list[str]:
    """What the two bids share (empty: nothing); bids of one enterprise are not compared."""
    if a.enterprise_id == b.enterprise_id:
        return []
    shared = []
    if a.legal_representatives & b.legal_representatives:
        shared.append("legal_representative")
    people_a = a.legal_representatives | a.shareholders
    people_b = b.legal_representatives | b.shareholders
    if (a.shareholders & people_b) or (b.shareholders & people_a):
        shared.append("shareholder")
    for name in ("phone_hash", "address_hash", "file_sha256", "ip_hash", "project_manager"):
        mine, theirs = getattr(a, name), getattr(b, name)
        if mine is not None and mine == theirs:
            shared.append(name.removesuffix("_hash").removesuffix("_sha256"))
    return shared


def recorded_late(
    tender_created_at: datetime, deadline: datetime, submitted_at: datetime, recorded_at: datetime
) -> bool:
    """A live tender (known before its deadline) got a bid recorded after the deadline, dated before it."""
    return tender_created_at < deadline <= recorded_at and submitted_at < deadline


# --- prices ---------------------------------------------------------------------------------------------


def at_ceiling(amount_fen: int, ceiling_fen: int | None, band_permille: int) -> Level | None:
    """Orange when the amount lies within ``band_permille`` ‰ below the ceiling (inclusive), red above it."""
    if ceiling_fen is None:
        return None
    if amount_fen > ceiling_fen:
        return Level.RED
    if amount_fen * 1000 >= ceiling_fen * (1000 - band_permille):
        return Level.ORANGE
    return None


# --- eligibility --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebarmentFact:
    id: str
    region_code: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class QualificationFact:
    kind: str
    grade: int
    valid_from: date
    valid_until: date


def active_debarments(debarments: Iterable[DebarmentFact], on: date, region_code: str) -> list[DebarmentFact]:
    """The debarments in force on ``on`` whose region contains ``region_code`` (``ends_on`` exclusive)."""
    return [
        d
        for d in debarments
        if d.starts_on <= on and (d.ends_on is None or on < d.ends_on) and region_contains(d.region_code, region_code)
    ]


def ineligibility(
    *,
    debarments: Iterable[DebarmentFact],
    qualifications: Iterable[QualificationFact],
    required_kind: str | None,
    required_grade: int | None,
    on: date,
    deadline: date,
    region_code: str,
) -> tuple[list[str], list[str]]:
    """(reasons, debarment ids): ``debarred`` and/or ``unqualified`` (no valid qualification of the kind at
    the required grade or better on the deadline)."""
    reasons: list[str] = []
    active = active_debarments(debarments, on, region_code)
    if active:
        reasons.append("debarred")
    if required_kind is not None:
        fits = [
            q
            for q in qualifications
            if q.kind == required_kind
            and q.valid_from <= deadline <= q.valid_until
            and (required_grade is None or q.grade <= required_grade)
        ]
        if not fits:
            reasons.append("unqualified")
    return reasons, [d.id for d in active]


# --- procedures and thresholds ------------------------------------------------------------------------

PUBLIC_FUNDING = frozenset({"fiscal", "state_owned", "international_loan"})
COMPETITIVE_PROCEDURES = frozenset({"open", "invitation"})


def must_tender_threshold(category: str, funding_source: str, thresholds: dict[str, int]) -> int | None:
    """The must-tender threshold of a contract of ``category`` in a project funded by ``funding_source``
    (None: the project need not be tendered under NDRC Order No. 16)."""
    if funding_source not in PUBLIC_FUNDING:
        return None
    return thresholds.get(category)


def non_competitive(procedure: str, estimate_fen: int, threshold_fen: int | None) -> bool:
    return threshold_fen is not None and procedure not in COMPETITIVE_PROCEDURES and estimate_fen >= threshold_fen


def bid_days(published_on: date, deadline_on: date) -> int:
    """Calendar days from the issue of the documents to the deadline (Art. 24 counts from the day they are
    issued to the day bids close)."""
    return (deadline_on - published_on).days


@dataclass(frozen=True)
class PurchaseFact:
    tender_id: str
    procedure: str
    estimate_fen: int
    published_on: date


def split_under_threshold(
    new: PurchaseFact, others: Sequence[PurchaseFact], *, threshold_fen: int | None, window_days: int
) -> list[PurchaseFact] | None:
    """The purchases (oldest first, ``new`` last) that together reach the threshold while each stays under it
    and none is competitively tendered; None when there is no such split."""
    if threshold_fen is None:
        return None

    def small(p: PurchaseFact) -> bool:
        return p.estimate_fen < threshold_fen and p.procedure not in COMPETITIVE_PROCEDURES

    if not small(new):
        return None
    near = [
        p
        for p in others
        if p.tender_id != new.tender_id and small(p) and abs((new.published_on - p.published_on).days) <= window_days
    ]
    chosen = [*sorted(near, key=lambda p: (p.published_on, p.tender_id)), new]
    if len(chosen) < 2 or sum(p.estimate_fen for p in chosen) < threshold_fen:
        return None
    return chosen


# --- change orders and settlement ---------------------------------------------------------------------


def change_order_level(contract_fen: int, changes_fen: int, *, percent: int, red_percent: int) -> Level | None:
    """``changes_fen``: the sum of the absolute amounts of the change orders. Over ``percent`` % orange, over
    ``red_percent`` % red (strictly over: exactly 10 % is still within)."""
    if changes_fen * 100 > contract_fen * max(percent, red_percent):
        return Level.RED
    if changes_fen * 100 > contract_fen * percent:
        return Level.ORANGE
    return None


def settlement_excess(contract_fen: int, approved_changes_fen: int, settled_fen: int) -> int:
    """How much the settlement exceeds the contract plus approved changes (0: within)."""
    return max(0, settled_fen - (contract_fen + approved_changes_fen))


# --- bid rotation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardedTender:
    tender_id: str
    awarded_on: date
    bidders: frozenset[str]
    winner: str


@dataclass(frozen=True)
class Rotation:
    members: list[str]
    tenders: list[AwardedTender] = field(default_factory=list)


def group_key(members: str) -> str:
    """A short stable key of a group of enterprises (for dedupe keys)."""
    return hashlib.sha256(members.encode()).hexdigest()[:16]


def rotation(
    latest: AwardedTender,
    history: Sequence[AwardedTender],
    *,
    min_tenders: int,
    min_members: int,
    window_days: int,
) -> Rotation | None:
    """A group rotating wins, found from the latest award: the bidders of ``latest`` who bid together in at
    least ``min_tenders`` tenders in the window, each won by one of them, by ``min_members`` winners or more,
    never the same one twice in a row (by award date)."""
    within = [
        t
        for t in history
        if t.tender_id != latest.tender_id and abs((latest.awarded_on - t.awarded_on).days) <= window_days
    ]
    # the members: latest's bidders that bid in at least min_tenders - 1 of the others (and in latest)
    counts = {e: sum(1 for t in within if e in t.bidders) + 1 for e in latest.bidders}
    members = frozenset(e for e, n in counts.items() if n >= min_tenders)
    if len(members) < min_members or latest.winner not in members:
        return None
    together = sorted([t for t in within if members <= t.bidders] + [latest], key=lambda t: (t.awarded_on, t.tender_id))
    if len(together) < min_tenders or any(t.winner not in members for t in together):
        return None
    winners = [t.winner for t in together]
    if len(set(winners)) < min_members or any(a == b for a, b in itertools.pairwise(winners)):
        return None
    return Rotation(members=sorted(members), tenders=together)


# --- experts --------------------------------------------------------------------------------------------


def expert_conflicts(
    *,
    employer_uscc: str | None,
    bidder_usccs: Iterable[str],
    owner_uscc: str,
    debarred: bool,
    drawn: bool,
) -> list[str]:
    """Why an expert may not evaluate this tender (empty: no conflict known)."""
    reasons = []
    if employer_uscc is not None and employer_uscc in set(bidder_usccs):
        reasons.append("works_for_bidder")
    if employer_uscc is not None and employer_uscc == owner_uscc:
        reasons.append("works_for_owner")
    if debarred:
        reasons.append("debarred")
    if not drawn:
        reasons.append("not_drawn")
    return reasons


def outlier_scores(scores: dict[str, dict[str, float]], *, points: float) -> dict[str, list[dict[str, float | str]]]:
    """``scores[bid][expert]``: the experts whose score of a bid lies more than ``points`` from the median of
    the other experts' scores of that bid (needs at least three experts on the bid)."""
    found: dict[str, list[dict[str, float | str]]] = {}
    for bid, by_expert in sorted(scores.items()):
        if len(by_expert) < 3:
            continue
        for expert, score in sorted(by_expert.items()):
            median = statistics.median(s for e, s in by_expert.items() if e != expert)
            if abs(score - median) > points:
                found.setdefault(expert, []).append({"bid_id": bid, "score": score, "others_median": median})
    return found
