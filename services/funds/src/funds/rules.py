"""Warning rules of the funds service (the registry behind GET /v1/funds/rules and docs/rules.md).

Each rule is declared once here (id, level, titles, the settings it reads, the evidence it
records, its legal source), with the thresholds a programme may override. The pure functions that
decide them are in ``checks.py``; the write-time checks live in ``screening.py``, the periodic ones
in ``scans.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sunlight.warnings import Level, Rule, RuleRegistry

from funds.checks import PASS_DOWN_KINDS

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
        evaluated_by=(
            "funds.checks.pass_down_deadline",
            "funds.checks.late_receipts",
            "funds.scans.pass_down_and_idle",
        ),
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
        evaluated_by=("funds.checks.idle_cash", "funds.scans.pass_down_and_idle"),
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
        evaluated_by=("funds.checks.duplicates_of", "funds.screening._duplicates"),
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
        evaluated_by=("funds.checks.split_payments", "funds.checks.split_across_payees", "funds.screening._split"),
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
        evaluated_by=("funds.checks.benford", "funds.checks.benford_verdict", "funds.scans.benford_findings"),
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
        evaluated_by=("funds.checks.days_overdue", "funds.scans.overdue_audit_findings"),
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
        evaluated_by=("funds.checks.exclusive_overlaps", "funds.crosschecks.multi_programme"),
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
        evaluated_by=("funds.checks.recent_account_changes", "funds.crosschecks.shared_accounts"),
    )
)
