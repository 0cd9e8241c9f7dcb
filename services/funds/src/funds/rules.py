"""Warning rules of the funds service (the registry behind GET /v1/funds/rules and docs/rules.md).

Each rule is declared once here (id, level, titles, the settings it reads, the evidence it
records) together with the pure function that decides it. The functions take plain facts
and an explicit ``today`` — no database, no clock — so tests drive them directly; the
write-time checks live in ``screening.py``, the periodic ones in ``scans.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sunlight.codes import validate_uscc
from sunlight.warnings import Level, Rule, RuleRegistry

RULES = RuleRegistry("funds")

OVERSPEND = RULES.add(
    Rule(
        id="FUNDS-OVERSPEND",
        level=Level.RED,
        title="A node tried to pass on or spend more than it holds",
        title_zh="超额拨付/支出",
        description="A movement asked for more than the source node holds: quota (received minus passed on and "
        "spent), cash on hand, the child's allocation not yet paid, or a budget line's remainder. The ledger "
        "refused it; the attempt itself is the finding.",
        evidence=(
            "programme_id",
            "node_id",
            "kind",
            "limit",
            "requested_fen",
            "available_fen",
            "to_node_id",
            "refusal_id",
        ),
        risk_point="fund-allocation",
        evaluated_by=("funds.ledger.shortfall", "funds.ledger.overspend_finding"),
    )
)

LATE_PASS_DOWN = RULES.add(
    Rule(
        id="FUNDS-LATE-PASS-DOWN",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Received funds were not passed down within the statutory deadline",
        title_zh="资金下达不及时",
        description="A node with children received quota and did not pass it on (or spend it) within its "
        "deadline, in calendar days from each receipt (the root receives the budget on the day it is approved). "
        "The deadline depends on the tier and on what the passing down is (Budget Law of the PRC, 预算法 2018, "
        "Art. 52): to a body of the node's own government (a child in the same region) it approves a budget — "
        "finance → departments 20 days (¶1), department → its units 15 days (¶1); to a lower-level government "
        "(a child in a region inside the node's) it issues a transfer — county level and up 30 days for general "
        "and 60 days for special transfers (¶4, pass_down_kind; programmes are special funds, 专项资金, by "
        "default), a province 30 days for central transfers (¶3). Townships have no statutory deadline. A "
        "node passing down both kinds gets the longer one; a programme may set its own days per tier. "
        "Receipts are matched to outflows first in, first out; money coming back down is a receipt of its own. "
        "Red when the delay reaches pass_down_red_after_days. Not judged on a programme whose budget an import "
        "derived from a payments file (budget_source).",
        parameters=("pass_down_days", "pass_down_kind", "pass_down_red_after_days"),
        evidence=(
            "programme_id",
            "node_id",
            "tier",
            "kind",
            "legal_basis",
            "deadline_days",
            "max_days_late",
            "late_receipts",
        ),
        risk_point="fund-allocation",
        evaluated_by=("funds.rules.pass_down_deadline", "funds.rules.late_receipts", "funds.scans.pass_down_and_idle"),
    )
)

IDLE_FUNDS = RULES.add(
    Rule(
        id="FUNDS-IDLE-FUNDS",
        level=Level.ORANGE,
        title="Cash received and left unspent too long",
        title_zh="资金闲置沉淀",
        description="Cash on hand at a node (received, neither passed on nor spent) that arrived more than "
        "idle_days calendar days ago (exactly idle_days is not yet idle), the newest receipts matched to what is "
        "left. Money that came back — a child's refund, a payee paying back — counts from the day it returned. "
        "idle_days is a deployment default (90: one quarter), not a statutory deadline. Not judged on a programme "
        "whose budget an import derived from a payments file (budget_source): the file says nothing about cash.",
        parameters=("idle_days",),
        evidence=("programme_id", "node_id", "cash_fen", "idle_fen", "oldest_receipt_on", "days_idle", "idle_days"),
        risk_point="fund-use",
        evaluated_by=("funds.rules.idle_cash", "funds.scans.pass_down_and_idle"),
    )
)

DUPLICATE_PAYMENT = RULES.add(
    Rule(
        id="FUNDS-DUPLICATE-PAYMENT",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="The same payee was paid the same amount again",
        title_zh="重复支付",
        description="A payment to the same payee for the same amount (net of refunds, any programme) as an earlier "
        "one. When both carry the supplier's invoice number (invoice_no) it decides: the same number within "
        "duplicate_invoice_window_days is red, different numbers are different invoices and never match. Without "
        "invoice numbers, payments within duplicate_window_days of each other are orange (three days: a payment "
        "entered twice, or again after a weekend; weekly and monthly payments of one amount stay quiet). Source: "
        "the supplier + invoice number + date + amount check of accounts-payable systems (Odoo "
        "account_supplier_invoice_check_duplicates); no statutory threshold.",
        parameters=("duplicate_window_days", "duplicate_invoice_window_days"),
        evidence=(
            "payee_id",
            "amount_fen",
            "match",
            "invoice_no",
            "reference",
            "payment_ids",
            "dates",
            "window_days",
        ),
        risk_point="fund-use",
        evaluated_by=("funds.rules.duplicates_of", "funds.screening._duplicates"),
    )
)

SPLIT_PAYMENT = RULES.add(
    Rule(
        id="FUNDS-SPLIT-PAYMENT",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Payments split to stay under the approval threshold",
        title_zh="拆分支付规避审批",
        description="Either at least split_min_count payments of one programme to one payee, each just under the "
        "approval threshold (from split_band_percent % of it up to below it), within split_window_days of each "
        "other — red from split_red_count of them; or one purchase paid to several payees: payments of one "
        "programme, each under the threshold, sharing the supplier's invoice number (or, without one, the "
        "reference) within split_window_days, that together reach the threshold (orange). Ordinary payments "
        "below the band never count, however many. approval_threshold_fen is the deployment's approval limit "
        "(set per programme to the local rules); the band and window are detection choices, not statutory.",
        parameters=(
            "approval_threshold_fen",
            "split_band_percent",
            "split_window_days",
            "split_min_count",
            "split_red_count",
        ),
        evidence=(
            "programme_id",
            "payee_id",
            "kind",
            "threshold_fen",
            "band_from_fen",
            "window_days",
            "payment_ids",
            "amounts_fen",
            "total_fen",
        ),
        risk_point="fund-use",
        evaluated_by=("funds.rules.split_payments", "funds.rules.split_across_payees", "funds.screening._split"),
    )
)

PAYEE_INELIGIBLE = RULES.add(
    Rule(
        id="FUNDS-PAYEE-INELIGIBLE",
        level=Level.RED,
        title="The payee may not receive these funds",
        title_zh="收款方不符合条件",
        description="The payee is a debarred organisation, carries a USCC whose check character is wrong, or is "
        "a registered official or an official's relative (matched on the keyed hash of the ID number) when such "
        "a list is loaded.",
        evidence=("programme_id", "payment_id", "payee_id", "reason", "uscc", "watch_entry_id", "list_reason"),
        risk_point="fund-use",
        evaluated_by=("funds.screening.ineligible_finding",),
    )
)

CATEGORY_NOT_ALLOWED = RULES.add(
    Rule(
        id="FUNDS-CATEGORY-NOT-ALLOWED",
        level=Level.RED,
        title="Expenditure outside the programme's allowed categories",
        title_zh="超范围支出",
        description="A payment's expenditure category is not in the programme's allowed list (or is missing "
        "while the programme restricts its categories).",
        evidence=("programme_id", "payment_id", "category", "allowed_categories", "amount_fen"),
        risk_point="fund-use",
        evaluated_by=("funds.screening._category",),
    )
)

OVER_STANDARD = RULES.add(
    Rule(
        id="FUNDS-OVER-STANDARD",
        level=Level.RED,
        title="A beneficiary was paid more than the programme's per-head standard",
        title_zh="超标准发放",
        description="The payments of one programme to one person, net of refunds, exceed the programme's "
        "per-head standard.",
        parameters=("per_head_standard_fen",),
        evidence=("programme_id", "payee_id", "payment_id", "total_fen", "standard_fen", "payment_ids"),
        risk_point="fund-use",
        evaluated_by=("funds.screening._over_standard",),
    )
)

BENFORD = RULES.add(
    Rule(
        id="FUNDS-BENFORD",
        level=Level.BLUE,
        title="Payment amounts of a node deviate from Benford's law",
        title_zh="支付金额首位数字分布异常",
        description="The first digits of a node's payments over a calendar quarter deviate from Benford's "
        "distribution, by a test that knows the sample size: the chi-square test (8 degrees of freedom) rejects "
        "Benford at significance benford_alpha — so conforming data fire at most that often, at any size — and the "
        "mean absolute deviation exceeds Nigrini's first-digit nonconformity cut-off benford_mad_threshold (0.015; "
        "Nigrini, Forensic Analytics, 2012, as implemented in the benford.analysis R package), so a huge sample "
        "is not flagged for a trivial deviation. At least benford_min_count payments (expected count of the "
        "digit 9 ≥ 13, well inside the chi-square approximation). Not tested: fixed-amount programmes (a "
        "per-head standard is set, or distinct amounts are fewer than benford_min_distinct_percent % of the "
        "payments: per-head subsidies have no first-digit law), and amounts under the programme's "
        "reporting_floor_fen rounded up to a power of ten (a file of payments over £500 is cut from below).",
        parameters=(
            "benford_min_count",
            "benford_alpha",
            "benford_mad_threshold",
            "benford_min_distinct_percent",
        ),
        evidence=(
            "programme_id",
            "node_id",
            "period",
            "count",
            "mad",
            "conformity",
            "chi_square",
            "p_value",
            "alpha",
            "observed",
        ),
        risk_point="fund-use",
        evaluated_by=("funds.rules.benford", "funds.rules.benford_verdict", "funds.scans.benford_findings"),
    )
)

ACCEPTANCE_MISSING = RULES.add(
    Rule(
        id="FUNDS-ACCEPTANCE-MISSING",
        level=Level.ORANGE,
        title="Final payment made without a passed acceptance",
        title_zh="未验收支付尾款",
        description="A payment marked final (尾款) was made while no passed acceptance of the paying node (or of "
        "the payment) exists on or before its date. An acceptance attaches to what was accepted: one of the "
        "programme or of a node above the payer does not cover the payments below it. Acceptances are recorded "
        "by the accepting body (scope funds:accept), never by the unit that spent the money.",
        evidence=("programme_id", "payment_id", "node_id", "amount_fen", "occurred_on"),
        risk_point="fund-acceptance",
        evaluated_by=("funds.screening._acceptance",),
    )
)

AUDIT_UNRECTIFIED = RULES.add(
    Rule(
        id="FUNDS-AUDIT-UNRECTIFIED",
        level=Level.ORANGE,
        title="An audit finding was not rectified by its deadline",
        title_zh="审计问题逾期未整改",
        description="An audit finding whose rectification deadline has passed has no rectification recorded.",
        evidence=("programme_id", "audit_id", "finding_id", "rectify_by", "days_overdue", "amount_fen"),
        risk_point="fund-audit",
        evaluated_by=("funds.rules.days_overdue", "funds.scans.overdue_audit_findings"),
    )
)

COMPLAINT = RULES.add(
    Rule(
        id="FUNDS-COMPLAINT",
        level=Level.BLUE,
        title="A complaint names this programme, node or payment",
        title_zh="投诉举报涉及资金",
        description="A report filed with the complaints service names a funds subject that has no open warning; "
        "when it has open warnings, integrity raises them one level instead (integrity owns warning state). "
        "One warning per report.",
        evidence=("report_id", "category", "subject_kind", "subject_id"),
        risk_point="supervision-linkage",
        evaluated_by=("funds.linkage.link_complaint",),
    )
)


# --- thresholds: settings, overridden per programme ---------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    approval_threshold_fen: int
    per_head_standard_fen: int | None
    idle_days: int
    duplicate_window_days: int
    duplicate_invoice_window_days: int
    split_window_days: int
    split_min_count: int
    split_band_percent: int
    split_red_count: int
    pass_down_days: dict[str, dict[str, int]]  # tier → kind of pass-down (budget | general | special) → days
    pass_down_kind: str  # general | special: the kind of transfer this programme's money is
    pass_down_red_after_days: int
    reporting_floor_fen: int | None


def thresholds(settings: Any, overrides: dict[str, Any] | None) -> Thresholds:
    """The deployment's thresholds with a programme's own overrides on top.

    A programme's ``pass_down_days`` gives a tier one deadline for every kind of pass-down.
    """
    own = overrides or {}

    def pick(name: str) -> Any:
        value = own.get(name)
        return getattr(settings, name) if value is None else value

    days = {tier: dict(kinds) for tier, kinds in settings.pass_down_days.items()}
    for tier, value in (own.get("pass_down_days") or {}).items():
        days[str(tier)] = {kind: value for kind in PASS_DOWN_KINDS}
    return Thresholds(
        approval_threshold_fen=pick("approval_threshold_fen"),
        per_head_standard_fen=pick("per_head_standard_fen"),
        idle_days=pick("idle_days"),
        duplicate_window_days=pick("duplicate_window_days"),
        duplicate_invoice_window_days=settings.duplicate_invoice_window_days,
        split_window_days=pick("split_window_days"),
        split_min_count=settings.split_min_count,
        split_band_percent=settings.split_band_percent,
        split_red_count=settings.split_red_count,
        pass_down_days=days,
        pass_down_kind=pick("pass_down_kind"),
        pass_down_red_after_days=settings.pass_down_red_after_days,
        reporting_floor_fen=pick("reporting_floor_fen"),
    )


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


# --- what a county office misses: one person under several programmes, many people on one account -------

MULTI_PROGRAMME = RULES.add(
    Rule(
        id="FUNDS-MULTI-PROGRAMME",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="One person paid under programmes that exclude each other",
        title_zh="一人多领",
        description="A person (matched on the keyed hash of the resident ID number, never the name) was paid in "
        "one calendar month under two programmes whose categories may not be combined "
        "(exclusive_programme_categories: groups of programme categories of which a person receives at most "
        "one at a time), within one fiscal year — paid by one county or by two (a city programme and a county "
        "one, two counties): the warning goes to the smallest region holding both payments, so it never shows "
        "a region a payment outside it. Red when it happened in at least "
        "multi_programme_red_months different months (a pattern, not a one-month slip when a person moves from "
        "one scheme to the other). Defaults follow the State Council's rules on social assistance: a person "
        "supported as extremely poor (特困人员救助供养) no longer receives the minimum living allowance (低保) "
        "(国发〔2016〕14号; 社会救助暂行办法 art. 14–19), and a child who qualifies as an orphan or a de facto "
        "unsupported child receives that allowance instead of support as extremely poor (特困人员认定办法, "
        "民发〔2021〕43号). A deployment lists its own incompatible programme categories.",
        parameters=("exclusive_programme_categories", "multi_programme_red_months"),
        evidence=(
            "payee_id",
            "fiscal_year",
            "categories",
            "programme_ids",
            "payment_ids",
            "months",
        ),
        risk_point="fund-use",
        evaluated_by=("funds.rules.exclusive_overlaps", "funds.crosschecks.multi_programme"),
    )
)

SHARED_ACCOUNT = RULES.add(
    Rule(
        id="FUNDS-SHARED-ACCOUNT",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Many beneficiaries paid into one bank account",
        title_zh="多名受益人共用一个收款账户",
        description="At least shared_account_min_payees different persons paid in one region have the same bank "
        "account (matched on the keyed hash of the account, kept beside its encrypted value). Subsidies are paid "
        "into each beneficiary's own card account (惠民惠农财政补贴资金“一卡通”: the Ministry of Finance's "
        "guidance on 一卡通 management, 2019, one card per person or household — its document number is to be "
        "confirmed by the deployment); several beneficiaries on one account is how benefits "
        "are drawn in others' names (冒领). Red when one of them changed to this account within "
        "account_change_days before the payment: an account switched shortly before money arrives is the "
        "evidence auditors look for. Two persons on one account (spouses of one household) stay quiet by "
        "default. Account changes are kept (GET /v1/funds/payees/{id}/accounts).",
        parameters=("shared_account_min_payees", "account_change_days"),
        evidence=(
            "payment_id",
            "account",
            "payee_ids",
            "payees",
            "min_payees",
            "recent_changes",
            "account_change_days",
        ),
        risk_point="fund-use",
        evaluated_by=("funds.rules.recent_account_changes", "funds.crosschecks.shared_accounts"),
    )
)


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
