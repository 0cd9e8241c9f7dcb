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
    )
)

LATE_PASS_DOWN = RULES.add(
    Rule(
        id="FUNDS-LATE-PASS-DOWN",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Received funds were not passed down within the statutory deadline",
        title_zh="资金下达不及时",
        description="A node with children received quota and did not pass it on (or spend it) within the "
        "deadline of its tier, in calendar days (Budget Law Art. 52: province 30 days for central transfers, "
        "finance bureau → departments 20, departments → units 15, county level and up 30). Receipts are matched "
        "to outflows first in, first out. Red when the delay reaches pass_down_red_after_days.",
        parameters=("pass_down_days", "pass_down_red_after_days"),
        evidence=("programme_id", "node_id", "tier", "deadline_days", "max_days_late", "late_receipts"),
        risk_point="fund-allocation",
    )
)

IDLE_FUNDS = RULES.add(
    Rule(
        id="FUNDS-IDLE-FUNDS",
        level=Level.ORANGE,
        title="Cash received and left unspent too long",
        title_zh="资金闲置沉淀",
        description="Cash on hand at a node (received, neither passed on nor spent) that arrived more than "
        "idle_days calendar days ago, matched first in, first out.",
        parameters=("idle_days",),
        evidence=("programme_id", "node_id", "cash_fen", "idle_fen", "oldest_receipt_on", "days_idle", "idle_days"),
        risk_point="fund-use",
    )
)

DUPLICATE_PAYMENT = RULES.add(
    Rule(
        id="FUNDS-DUPLICATE-PAYMENT",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="The same payee was paid the same amount for the same reference again",
        title_zh="重复支付",
        description="A payment with the same payee, amount and reference as another within "
        "duplicate_window_days days (any programme). Red when both fall on the same day.",
        parameters=("duplicate_window_days",),
        evidence=("payee_id", "amount_fen", "reference", "payment_ids", "dates", "window_days"),
        risk_point="fund-use",
    )
)

SPLIT_PAYMENT = RULES.add(
    Rule(
        id="FUNDS-SPLIT-PAYMENT",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Several payments to one payee stay just under the approval threshold",
        title_zh="拆分支付规避审批",
        description="Within split_window_days, at least split_min_count payments of one programme to one payee, "
        "each below the approval threshold, together reach it. Red when every one of them is within "
        "split_near_percent below the threshold.",
        parameters=("approval_threshold_fen", "split_window_days", "split_min_count", "split_near_percent"),
        evidence=(
            "programme_id",
            "payee_id",
            "threshold_fen",
            "window_days",
            "payment_ids",
            "amounts_fen",
            "total_fen",
        ),
        risk_point="fund-use",
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
    )
)

BENFORD = RULES.add(
    Rule(
        id="FUNDS-BENFORD",
        level=Level.BLUE,
        title="Payment amounts of a node deviate from Benford's law",
        title_zh="支付金额首位数字分布异常",
        description="The first digits of a node's payments over a calendar quarter deviate from Benford's "
        "distribution: mean absolute deviation above benford_mad_threshold (Nigrini: > 0.015 is nonconformity), "
        "with at least benford_min_count payments. Chi-square (8 degrees of freedom) is recorded too.",
        parameters=("benford_min_count", "benford_mad_threshold"),
        evidence=("programme_id", "node_id", "period", "count", "mad", "conformity", "chi_square", "observed"),
        risk_point="fund-use",
    )
)

ACCEPTANCE_MISSING = RULES.add(
    Rule(
        id="FUNDS-ACCEPTANCE-MISSING",
        level=Level.ORANGE,
        title="Final payment made without a passed acceptance",
        title_zh="未验收支付尾款",
        description="A payment marked final was made while no passed acceptance exists on or before its date "
        "for the payment, its node or an ancestor, or the programme.",
        evidence=("programme_id", "payment_id", "node_id", "amount_fen", "occurred_on"),
        risk_point="fund-acceptance",
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
    )
)

COMPLAINT = RULES.add(
    Rule(
        id="FUNDS-COMPLAINT",
        level=Level.BLUE,
        title="A complaint names this programme, node or payment",
        title_zh="投诉举报涉及资金",
        description="A report filed with the complaints service names a funds subject that has no open warning; "
        "when it has open warnings they are escalated one level instead.",
        evidence=("report_id", "category", "subject_kind", "subject_id"),
        risk_point="supervision-linkage",
    )
)


# --- thresholds: settings, overridden per programme ---------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    approval_threshold_fen: int
    per_head_standard_fen: int | None
    idle_days: int
    duplicate_window_days: int
    split_window_days: int
    split_min_count: int
    split_near_percent: int
    pass_down_days: dict[str, int]
    pass_down_red_after_days: int


def thresholds(settings: Any, overrides: dict[str, Any] | None) -> Thresholds:
    """The deployment's thresholds with a programme's own overrides on top."""
    own = overrides or {}

    def pick(name: str) -> Any:
        value = own.get(name)
        return getattr(settings, name) if value is None else value

    return Thresholds(
        approval_threshold_fen=pick("approval_threshold_fen"),
        per_head_standard_fen=pick("per_head_standard_fen"),
        idle_days=pick("idle_days"),
        duplicate_window_days=pick("duplicate_window_days"),
        split_window_days=pick("split_window_days"),
        split_min_count=settings.split_min_count,
        split_near_percent=settings.split_near_percent,
        pass_down_days={**settings.pass_down_days, **(own.get("pass_down_days") or {})},
        pass_down_red_after_days=settings.pass_down_red_after_days,
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


def duplicates_of(new: PaymentFact, history: Iterable[PaymentFact], window_days: int) -> list[PaymentFact]:
    """Earlier payments to the same payee with the same amount and reference within the window."""
    if not new.reference:
        return []
    return [
        p
        for p in history
        if p.id != new.id
        and p.payee_id == new.payee_id
        and p.amount_fen == new.amount_fen
        and p.reference == new.reference
        and abs((p.occurred_on - new.occurred_on).days) <= window_days
    ]


@dataclass(frozen=True)
class Split:
    payments: tuple[PaymentFact, ...]
    total_fen: int
    all_near: bool


def split_payments(
    new: PaymentFact,
    history: Iterable[PaymentFact],
    *,
    threshold_fen: int,
    window_days: int,
    min_count: int,
    near_percent: int,
) -> Split | None:
    """Payments under the threshold to one payee in one programme that together reach it."""
    if new.amount_fen >= threshold_fen:
        return None
    start = new.occurred_on - timedelta(days=window_days)
    group = [
        p
        for p in history
        if p.id != new.id
        and p.payee_id == new.payee_id
        and p.programme_id == new.programme_id
        and 0 < p.amount_fen < threshold_fen
        and start < p.occurred_on <= new.occurred_on
    ]
    group = sorted([*group, new], key=lambda p: (p.occurred_on, p.id))
    total = sum(p.amount_fen for p in group)
    if len(group) < min_count or total < threshold_fen:
        return None
    floor = threshold_fen * (100 - near_percent) / 100
    return Split(payments=tuple(group), total_fen=total, all_near=all(p.amount_fen >= floor for p in group))


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


def first_digit(amount_fen: int) -> int:
    return int(str(abs(amount_fen))[0])


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
    return BenfordResult(n, observed, tuple(counts), round(mad, 6), round(chi, 4), conformity)


def quarter_of(day: date) -> tuple[date, date, str]:
    """The calendar quarter holding ``day``: first day, first day of the next, label (2026Q1)."""
    q = (day.month - 1) // 3
    start = date(day.year, 3 * q + 1, 1)
    end = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    return start, end, f"{day.year}Q{q + 1}"


# --- time-based: late pass-down, idle cash, overdue audit findings -------------------------------


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
    """Cash on hand that arrived more than ``idle_days`` ago (the newest receipts are spent last)."""
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
        if receipt.on <= cutoff and part > 0:
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
