"""The arithmetic of the funds rules: pure functions over plain facts and an explicit ``today``.

No database and no clock, so tests drive them directly. The rules themselves (id, level, settings, evidence,
legal source) are declared in ``rules.py``; the write-time checks that feed these functions live in
``screening.py``, the periodic ones in ``scans.py`` and ``crosschecks.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sunlight.codes import validate_uscc

# --- payments: duplicates, splits, per-head standard ---------------------------------------------


@dataclass(frozen=True)
class PaymentFact:
    id: str
    programme_id: str
    node_id: str
    payee_id: str
    amount_fen: int  # net of refunds
    occurred_on: date
    reference: str | None
    invoice_no: str | None = None  # the supplier's invoice number (发票号码), when the paying system has it
    region_code: str = ""  # the paying node's region: payments are compared within one region only


@dataclass(frozen=True)
class Duplicate:
    match: str  # invoice (same invoice number) | payee_amount_date (no invoice number to tell them apart)
    payments: tuple[PaymentFact, ...]  # the earlier payments it repeats


def duplicates_of(
    new: PaymentFact, history: Iterable[PaymentFact], *, window_days: int, invoice_window_days: int
) -> Duplicate | None:
    """Earlier payments that ``new`` repeats: same payee and amount, and

    - both carry the supplier's invoice number: the same number, within ``invoice_window_days``
      (an invoice is paid once; two different numbers are two invoices, whatever the dates);
    - otherwise: within ``window_days`` of each other (the paying system gives nothing better).
    """
    strong: list[PaymentFact] = []
    weak: list[PaymentFact] = []
    for p in history:
        if p.id == new.id or p.payee_id != new.payee_id or p.amount_fen != new.amount_fen or new.amount_fen <= 0:
            continue
        apart = abs((p.occurred_on - new.occurred_on).days)
        if new.invoice_no and p.invoice_no:
            if p.invoice_no == new.invoice_no and apart <= invoice_window_days:
                strong.append(p)
        elif apart <= window_days:
            weak.append(p)
    if strong:
        return Duplicate("invoice", tuple(strong))
    if weak:
        return Duplicate("payee_amount_date", tuple(weak))
    return None


@dataclass(frozen=True)
class Split:
    kind: str  # just_under (one payee, a cluster just under the threshold) | shared_invoice (several payees)
    payments: tuple[PaymentFact, ...]
    total_fen: int
    band_from_fen: int


def split_payments(
    new: PaymentFact,
    history: Iterable[PaymentFact],
    *,
    threshold_fen: int,
    window_days: int,
    min_count: int,
    band_percent: int,
) -> Split | None:
    """At least ``min_count`` payments of one programme to one payee, each *just under* the approval
    threshold (at or above ``band_percent`` % of it and below it), within ``window_days`` of each other."""
    floor = math.ceil(threshold_fen * band_percent / 100)
    if not floor <= new.amount_fen < threshold_fen:
        return None
    start = new.occurred_on - timedelta(days=window_days)
    group = [
        p
        for p in history
        if p.id != new.id
        and p.payee_id == new.payee_id
        and p.programme_id == new.programme_id
        and floor <= p.amount_fen < threshold_fen
        and start <= p.occurred_on <= new.occurred_on
    ]
    group = sorted([*group, new], key=lambda p: (p.occurred_on, p.id))
    if len(group) < min_count:
        return None
    return Split("just_under", tuple(group), sum(p.amount_fen for p in group), floor)


def split_across_payees(
    new: PaymentFact, history: Iterable[PaymentFact], *, threshold_fen: int, window_days: int
) -> Split | None:
    """One purchase paid to several payees: payments of one programme under the threshold that share the
    supplier's invoice number (or, with no invoice number, the reference) within ``window_days``, go to
    more than one payee and together reach the threshold."""
    key = new.invoice_no or new.reference
    if not key or not 0 < new.amount_fen < threshold_fen:
        return None
    start = new.occurred_on - timedelta(days=window_days)
    group = [
        p
        for p in history
        if p.id != new.id
        and p.programme_id == new.programme_id
        and (p.invoice_no or p.reference) == key
        and 0 < p.amount_fen < threshold_fen
        and start <= p.occurred_on <= new.occurred_on
    ]
    group = sorted([*group, new], key=lambda p: (p.occurred_on, p.id))
    total = sum(p.amount_fen for p in group)
    if len({p.payee_id for p in group}) < 2 or total < threshold_fen:
        return None
    return Split("shared_invoice", tuple(group), total, 0)


def uscc_is_valid(value: str) -> bool:
    try:
        validate_uscc(value)
    except ValueError:
        return False
    return True


# --- Benford's law -----------------------------------------------------------------------------

BENFORD_EXPECTED = tuple(math.log10(1 + 1 / d) for d in range(1, 10))
CHI_SQUARE_CRITICAL_5PCT = 15.507  # 8 degrees of freedom


@dataclass(frozen=True)
class BenfordResult:
    count: int
    observed: tuple[float, ...]  # proportions of first digits 1..9
    counts: tuple[int, ...]
    mad: float
    chi_square: float
    conformity: str  # close | acceptable | marginal | nonconformity (Nigrini, first digit)
    p_value: float = 1.0  # of the chi-square statistic, 8 degrees of freedom


def first_digit(amount_fen: int) -> int:
    return int(str(abs(amount_fen))[0])


def chi_square_sf_8(x: float) -> float:
    """P(X >= x) for a chi-square variable with 8 degrees of freedom (closed form for even degrees)."""
    if x <= 0:
        return 1.0
    half = x / 2
    return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(4))


def benford(amounts_fen: Iterable[int]) -> BenfordResult:
    counts = [0] * 9
    for amount in amounts_fen:
        if amount:
            counts[first_digit(amount) - 1] += 1
    n = sum(counts)
    if n == 0:
        return BenfordResult(0, (0.0,) * 9, tuple(counts), 0.0, 0.0, "close")
    observed = tuple(c / n for c in counts)
    mad = sum(abs(o - e) for o, e in zip(observed, BENFORD_EXPECTED, strict=True)) / 9
    chi = sum(n * (o - e) ** 2 / e for o, e in zip(observed, BENFORD_EXPECTED, strict=True))
    if mad <= 0.006:
        conformity = "close"
    elif mad <= 0.012:
        conformity = "acceptable"
    elif mad <= 0.015:
        conformity = "marginal"
    else:
        conformity = "nonconformity"
    return BenfordResult(n, observed, tuple(counts), round(mad, 6), round(chi, 4), conformity, chi_square_sf_8(chi))


@dataclass(frozen=True)
class BenfordVerdict:
    """Whether a set of payments deviates from Benford's law, and why it was or was not tested."""

    deviates: bool
    reason: str  # deviates | conforms | too_few | fixed_amounts
    result: BenfordResult | None
    tested: int  # payments tested (those at or above the floor)
    distinct: int  # distinct amounts among them
    floor_fen: int  # amounts below this were left out


def benford_floor(reporting_floor_fen: int | None) -> int:
    """The smallest amount tested when payments below ``reporting_floor_fen`` are not published.

    A file of payments "over £500" is cut from below, so its first digits cannot follow Benford
    (5–9 are over-represented). Cut at the next power of ten instead, the amounts left keep
    Benford's first-digit shares (the law is scale-invariant: truncating at a power of ten removes
    whole decades), so only those are tested.
    """
    if not reporting_floor_fen or reporting_floor_fen <= 1:
        return 0
    return 10 ** math.ceil(math.log10(reporting_floor_fen))


def benford_verdict(
    amounts_fen: Sequence[int],
    *,
    min_count: int,
    alpha: float,
    mad_threshold: float,
    min_distinct_percent: int,
    reporting_floor_fen: int | None = None,
    fixed_amounts: bool = False,
) -> BenfordVerdict:
    """FUNDS-BENFORD on one node's payments of one quarter.

    A deviation needs both: the chi-square test rejects Benford's distribution at significance
    ``alpha`` (size-aware: its false-positive rate on conforming data is ``alpha`` at any sample
    size, where Nigrini's MAD cut-off alone flags most small conforming samples), and the mean
    absolute deviation exceeds Nigrini's nonconformity cut-off ``mad_threshold`` (so a very large
    sample is not flagged for a deviation too small to matter). Not tested: fewer than
    ``min_count`` payments, a fixed-amount programme (per-head subsidies: ``fixed_amounts``), or
    payments whose distinct amounts are fewer than ``min_distinct_percent`` % of them.
    """
    floor = benford_floor(reporting_floor_fen)
    tested = [a for a in amounts_fen if a > 0 and a >= floor]
    distinct = len(set(tested))
    if fixed_amounts or (tested and distinct * 100 < min_distinct_percent * len(tested)):
        return BenfordVerdict(False, "fixed_amounts", None, len(tested), distinct, floor)
    if len(tested) < min_count:
        return BenfordVerdict(False, "too_few", None, len(tested), distinct, floor)
    result = benford(tested)
    deviates = result.p_value < alpha and result.mad > mad_threshold
    return BenfordVerdict(deviates, "deviates" if deviates else "conforms", result, len(tested), distinct, floor)


def quarter_of(day: date) -> tuple[date, date, str]:
    """The calendar quarter holding ``day``: first day, first day of the next, label (2026Q1)."""
    q = (day.month - 1) // 3
    start = date(day.year, 3 * q + 1, 1)
    end = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    return start, end, f"{day.year}Q{q + 1}"


# --- time-based: late pass-down, idle cash, overdue audit findings -------------------------------


# Budget Law of the PRC (预算法, 2018 revision) Art. 52 — the deadlines FUNDS-LATE-PASS-DOWN enforces:
#   ¶1 the finance department approves the budgets of the departments of its own government within 20 days
#      of the people's congress approving the budget; a department approves its units' budgets within 15 days
#      of receiving its own;
#   ¶2 the central government issues general transfers within 30 days and special transfers within 90 days
#      of the NPC approving the budget (the central tier is not a node tier here);
#   ¶3 a province passes central general and special transfers down to the governments of county level and
#      up in its area within 30 days of receiving them;
#   ¶4 local governments of county level and up issue their general transfers to lower-level governments
#      within 30 days, and their special transfers within 60 days, of their people's congress approving the
#      budget.
# Townships are not "county level and up": Art. 52 sets them no deadline, so none is checked by default.
PASS_DOWN_KINDS = ("budget", "general", "special")
PASS_DOWN_BASIS = {
    ("province", "budget"): "预算法第五十二条第一款 (Budget Law Art. 52 ¶1): 20 days",
    ("province", "general"): "预算法第五十二条第三款 (Budget Law Art. 52 ¶3): 30 days",
    ("province", "special"): "预算法第五十二条第三款 (Budget Law Art. 52 ¶3): 30 days",
    ("finance_bureau", "budget"): "预算法第五十二条第一款 (Budget Law Art. 52 ¶1): 20 days",
    ("department", "budget"): "预算法第五十二条第一款 (Budget Law Art. 52 ¶1): 15 days",
    ("county", "budget"): "预算法第五十二条第一款 (Budget Law Art. 52 ¶1): 20 days",
}
for _tier in ("finance_bureau", "department", "county"):
    PASS_DOWN_BASIS[(_tier, "general")] = "预算法第五十二条第四款 (Budget Law Art. 52 ¶4): 30 days"
    PASS_DOWN_BASIS[(_tier, "special")] = "预算法第五十二条第四款 (Budget Law Art. 52 ¶4): 60 days"


def pass_down_kinds(region_code: str, child_regions: Iterable[str], transfer_kind: str) -> set[str]:
    """What a node's passing down is, by where its children sit: to a body of its own government (same region)
    it approves a budget (``budget``); to a lower-level government (a region inside its own) it issues a
    transfer of the programme's kind (``general`` or ``special``)."""
    return {"budget" if child == region_code else transfer_kind for child in child_regions}


def pass_down_deadline(days: dict[str, dict[str, int]], tier: str, kinds: Iterable[str]) -> tuple[int, str] | None:
    """The deadline of a node of ``tier`` passing down ``kinds`` (days, kind), or None when none is set.

    A node passing down two kinds (a department approving its own units' budgets and transferring to
    counties) gets the longer deadline: a red warning has to be certain.
    """
    table = days.get(tier) or {}
    options = [(table[kind], kind) for kind in kinds if kind in table]
    return max(options) if options else None


@dataclass(frozen=True)
class Flow:
    on: date
    amount_fen: int
    movement_id: str | None = None


@dataclass(frozen=True)
class LateReceipt:
    movement_id: str | None
    received_on: date
    amount_fen: int
    deadline: date
    passed_down_on: date | None  # None: not yet passed down
    outstanding_fen: int
    days_late: int


def late_receipts(
    receipts: Sequence[Flow], outflows: Sequence[Flow], *, today: date, deadline_days: int
) -> list[LateReceipt]:
    """Receipts passed down (or still held) later than ``deadline_days`` after receipt, first in, first out."""
    ins = sorted(receipts, key=lambda f: (f.on, f.movement_id or ""))
    outs = sorted(outflows, key=lambda f: f.on)
    running: list[tuple[date, int]] = []  # (date, cumulative outflow) after each outflow
    total_out = 0
    for flow in outs:
        total_out += flow.amount_fen
        running.append((flow.on, total_out))
    late: list[LateReceipt] = []
    target = 0
    for receipt in ins:
        before = target
        target += receipt.amount_fen
        deadline = receipt.on + timedelta(days=deadline_days)
        covered = next((on for on, cum in running if cum >= target), None)
        if covered is not None:
            covered = max(covered, receipt.on)
            if covered > deadline:
                late.append(_late(receipt, deadline, covered, 0, (covered - deadline).days))
            continue
        outstanding = min(receipt.amount_fen, target - max(total_out, before))
        if outstanding > 0 and today > deadline:
            late.append(_late(receipt, deadline, None, outstanding, (today - deadline).days))
    return late


def _late(receipt: Flow, deadline: date, passed: date | None, outstanding: int, days: int) -> LateReceipt:
    return LateReceipt(
        movement_id=receipt.movement_id,
        received_on=receipt.on,
        amount_fen=receipt.amount_fen,
        deadline=deadline,
        passed_down_on=passed,
        outstanding_fen=outstanding,
        days_late=days,
    )


@dataclass(frozen=True)
class Idle:
    idle_fen: int
    oldest_receipt_on: date
    days_idle: int


def idle_cash(receipts: Sequence[Flow], cash_fen: int, *, today: date, idle_days: int) -> Idle | None:
    """Cash on hand that arrived more than ``idle_days`` ago (exactly ``idle_days`` is not idle yet).

    Cash on hand is matched to the newest receipts first; money that came back (a child's refund, a
    payee paying back) is a receipt of its own, dated on its return.
    """
    if cash_fen <= 0:
        return None
    left = cash_fen
    cutoff = today - timedelta(days=idle_days)
    idle = 0
    oldest: date | None = None
    for receipt in sorted(receipts, key=lambda f: (f.on, f.movement_id or ""), reverse=True):
        if left <= 0:
            break
        part = min(left, receipt.amount_fen)
        left -= part
        if receipt.on < cutoff and part > 0:
            idle += part
            oldest = receipt.on
    if idle <= 0 or oldest is None:
        return None
    return Idle(idle_fen=idle, oldest_receipt_on=oldest, days_idle=(today - oldest).days)


def days_overdue(rectify_by: date, rectified_on: date | None, today: date) -> int:
    """Days past the rectification deadline of an open finding (0 when rectified or not yet due)."""
    if rectified_on is not None or today <= rectify_by:
        return 0
    return (today - rectify_by).days


@dataclass(frozen=True)
class BenefitFact:
    """A payment to a person, as the 一人多领 check needs it."""

    id: str
    programme_id: str
    category: str
    fiscal_year: int
    occurred_on: date
    region_code: str = ""  # the paying node's region


def exclusive_overlaps(
    new: BenefitFact, history: Iterable[BenefitFact], groups: Sequence[Sequence[str]]
) -> list[BenefitFact]:
    """Earlier payments to the same person, in the same fiscal year and calendar month, under another programme
    whose category shares an exclusive group with ``new``'s."""
    partners = {c for g in groups if new.category in g for c in g}
    if not partners:
        return []
    month = (new.occurred_on.year, new.occurred_on.month)
    return [
        p
        for p in history
        if p.id != new.id
        and p.programme_id != new.programme_id
        and p.fiscal_year == new.fiscal_year
        and p.category in partners
        and (p.category != new.category or len(partners) == 1)
        and (p.occurred_on.year, p.occurred_on.month) == month
    ]


@dataclass(frozen=True)
class AccountChange:
    payee_id: str
    changed_on: date
    previous_tail: str | None


def recent_account_changes(changes: Iterable[AccountChange], *, on: date, days: int) -> list[AccountChange]:
    """Changes to an account (a payee's account became this one) within ``days`` before ``on`` (inclusive),
    not counting a payee's first account (no previous one: nothing was changed)."""
    return [c for c in changes if c.previous_tail is not None and 0 <= (on - c.changed_on).days <= days]
