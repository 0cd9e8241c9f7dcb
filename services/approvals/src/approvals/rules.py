"""Warning rules of the approvals service (the registry behind GET /v1/approvals/rules and docs/rules.md).

Each rule is declared once here with the pure functions that decide it: plain facts in (step
sequences, day counts), no database and no clock, so tests and the analysts' command
(``approvals-check``) drive them directly. ``checks.py`` turns a stored case into findings
(at write time and in the sweep); ``logcheck.py`` applies the ones that make sense to an
imported process log.

Legal sources of the defaults — the Administrative Licensing Law of the PRC (中华人民共和国行政许可法,
2003, amended 2019), article by article in ``LEGAL_BASIS``; where no statute sets a threshold the source
is the dzjc e-supervision rule guide (research/approvals.md §b) and says so. /work/shared has no text of the
Law, so each article was checked against third-party copies of its text (not an official publication; the pages
are listed in docs/legal-sources.md), and ``LEGAL_BASIS`` quotes the decisive words. "research Rn":
research/approvals.md §b agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sunlight.warnings import Level, Rule, RuleRegistry

RULES = RuleRegistry("approvals")

LEGAL_BASIS = {
    "art32": '行政许可法 Art. 32 ¶1(4) (research R9; checked: "当场或者在五日内一次告知申请人需要补正的全部内容，'
    '逾期不告知的，自收到申请材料之日起即为受理"): missing or non-conforming materials — tell the applicant every '
    "item to correct, once, on the spot or within 5 days; if not told in time the application counts as accepted",
    "art38": '行政许可法 Art. 38 ¶2 (checked: "作出不予行政许可的书面决定的，应当说明理由"; research R10 cites a '
    "local regulation, lawyee 第六条(一)(五)): a written decision not to grant a licence states its reasons. The "
    "article speaks of 不予行政许可 only: for 不予受理 Art. 32 asks a sealed, dated written certificate, not reasons",
    "art42": '行政许可法 Art. 42 ¶1 (research R11; checked: "自受理行政许可申请之日起二十日内作出行政许可决定", '
    '"经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人"): decide within 20 days of acceptance; '
    "the head of the organ may approve 10 more days, and the reasons are told to the applicant",
    "art44": '行政许可法 Art. 44 (research R6; checked: "应当自作出决定之日起十日内向申请人颁发、送达行政许可证件"): '
    "the licence is issued and delivered within 10 days of the decision to grant it",
    "art45": '行政许可法 Art. 45 (research R4; checked: "依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审'
    '的，所需时间不计算在本节规定的期限内。行政机关应当将所需时间书面告知申请人"): time needed for hearing, tender, '
    "auction, inspection, testing, quarantine, appraisal and expert review is not counted; the applicant is told",
    "art58": '行政许可法 Art. 58 (checked: "不得收取任何费用。但是，法律、行政法规另有规定的，依照其规定"): no fee '
    "for granting or supervising a licence unless a law or administrative regulation provides for one",
    "art59": '行政许可法 Art. 59 (checked: "依照法律、行政法规收取费用的，应当按照公布的法定项目和标准收费"): '
    "fees charged under a law or administrative regulation follow the published statutory items and rates",
    "art82": '行政许可法 Art. 82 (checked: "本法规定的行政机关实施行政许可的期限以工作日计算，不含法定节假日"): the '
    "organ's time limits are counted in working days, public holidays excluded",
    "art33": '行政许可法 Art. 33 (checked: "推行电子政务，在行政机关的网站上公布行政许可事项", for applications by '
    "electronic means) and 国办发〔2018〕45号 (checked: the 一网、一门、一次 reform plan, 一网通办; research R13 cites "
    "lawyee 第六条(六)): electronic applications; which items must be online is set by the deployment",
    "dzjc": "dzjc rule guide (监察规则说明): promise near 2 days before, online pre-acceptance within 2 days "
    "(research/approvals.md §b R1, R5)",
}

PROMISE_NEAR = RULES.add(
    Rule(
        id="APPROVALS-PROMISE-NEAR",
        level=Level.BLUE,
        title="A case nears its promised time limit",
        title_zh="承诺时限临近",
        description="An open, running case has used at least its promised limit minus promise_near_days working days "
        "and not more than the promised limit (working days from acceptance, special procedures excluded, part days "
        "in full — Art. 82). Source of the 2 days: the dzjc rule guide (research/approvals.md R1; no "
        "statute).",
        parameters=("promise_near_days",),
        evidence=("case_no", "item_code", "accepted_on", "used_days", "promised_days", "promised_due_on", "as_of"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.time_limit_rules", "approvals.checks.time_findings"),
    )
)

PROMISE_OVERDUE = RULES.add(
    Rule(
        id="APPROVALS-PROMISE-OVERDUE",
        level=Level.ORANGE,
        title="A case passed its promised time limit",
        title_zh="超承诺时限",
        description="A case has used more working days than the item's promised limit (承诺时限): open cases counted "
        "to today by the sweep, concluded ones to their conclusion. A part day counts as a full day.",
        evidence=("case_no", "item_code", "accepted_on", "used_days", "promised_days", "days_over", "as_of"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.time_limit_rules", "approvals.checks.time_findings"),
    )
)

LEGAL_OVERDUE = RULES.add(
    Rule(
        id="APPROVALS-LEGAL-OVERDUE",
        level=Level.RED,
        title="A case passed its legal time limit",
        title_zh="超法定时限",
        description="A case has used more working days than its legal limit (法定时限: the item's, by default 20 "
        "working days — Art. 42, research/approvals.md R11; Art. 82) plus any extension approved by the "
        "head of the organ (Art. 42; an unapproved one does not count).",
        parameters=("default_legal_days",),
        evidence=("case_no", "item_code", "accepted_on", "used_days", "legal_days", "extension_days", "days_over"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.time_limit_rules", "approvals.checks.time_findings"),
    )
)

SPECIAL_OVERRUN = RULES.add(
    Rule(
        id="APPROVALS-SPECIAL-PROCEDURE-OVERRUN",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="A special procedure ran past the days granted for it",
        title_zh="特别程序超期",
        description="A hearing, test, inspection or expert review (Art. 45, research/approvals.md R4: its time is "
        "not counted in the limits, and the applicant is told in writing how long it takes) lasted more working days "
        "than granted_days; red when over by more than special_red_after_days (dzjc rule guide, "
        "research/approvals.md R4: over by >0 yellow card, >1 red).",
        parameters=("special_red_after_days",),
        evidence=("case_no", "procedure", "started_on", "ended_on", "granted_days", "used_days", "days_over"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.overrun_level", "approvals.checks.special_procedure_findings"),
    )
)

PREACCEPT_LATE = RULES.add(
    Rule(
        id="APPROVALS-PREACCEPT-LATE",
        level=Level.ORANGE,
        title="An online application was not pre-accepted in time",
        title_zh="网上预受理超时",
        description="An application submitted online was not pre-accepted (nor accepted, sent back for correction or "
        "refused) within preaccept_days working days of submission. Source: the dzjc rule guide "
        "(research/approvals.md R5: 2 days; no statute).",
        parameters=("preaccept_days",),
        evidence=("case_no", "submitted_on", "answered_on", "days_taken", "preaccept_days"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.late_by", "approvals.checks.intake_findings"),
    )
)

CORRECTION_LATE = RULES.add(
    Rule(
        id="APPROVALS-CORRECTION-LATE",
        level=Level.ORANGE,
        title="The correction notice came late",
        title_zh="补正告知超时",
        description="The applicant was told to correct the application more than correction_notice_days working days "
        "after submission, or — still open — neither accepted, refused nor told within them. Art. 32 "
        "(research/approvals.md R9): on the spot or within 5 days; a late notice means the application counts as "
        "accepted on receipt.",
        parameters=("correction_notice_days",),
        evidence=("case_no", "submitted_on", "notice_on", "days_taken", "correction_notice_days"),
        risk_point="approval-intake",
        evaluated_by=("approvals.rules.late_by", "approvals.checks.intake_findings"),
    )
)

CORRECTION_PIECEMEAL = RULES.add(
    Rule(
        id="APPROVALS-CORRECTION-PIECEMEAL",
        level=Level.ORANGE,
        title="Corrections were asked for piecemeal",
        title_zh="多次补正告知",
        description="More than one correction request in one case: Art. 32 (research/approvals.md R9) requires every "
        "missing item to be named at once (一次性告知).",
        evidence=("case_no", "requests", "missing_items"),
        risk_point="approval-intake",
        evaluated_by=("approvals.checks.intake_findings",),
    )
)

REFUSAL_WITHOUT_REASON = RULES.add(
    Rule(
        id="APPROVALS-REFUSAL-WITHOUT-REASON",
        level=Level.RED,
        title="An application was refused without a stated reason",
        title_zh="不予许可未说明理由",
        description="A refusal (不予受理 or 不予许可) recorded with no reason. Art. 38 ¶2: a refusal to "
        "grant states its reasons and the applicant's right to review or sue (the Law asks no reasons for 不予受理, "
        "only a written certificate — Art. 32); research/approvals.md R10 flags a refusal without a stated reason "
        "after a local regulation (lawyee 第六条(一)(五)).",
        evidence=("case_no", "step_id", "refused_at", "officer_code"),
        risk_point="approval-decision",
        evaluated_by=("approvals.checks.decision_findings",),
    )
)

EXTENSION_UNAPPROVED = RULES.add(
    Rule(
        id="APPROVALS-EXTENSION-UNAPPROVED",
        level=Level.ORANGE,
        title="A time limit was extended without approval or reason",
        title_zh="延期未经批准",
        description="An extension without the approval of the head of the organ (approved_by), without a reason for "
        "the applicant, or longer than extension_max_days. Art. 42 (research/approvals.md R11): 10 more days, "
        "approved by the head, reasons told. It does not extend the legal limit.",
        parameters=("extension_max_days",),
        evidence=("case_no", "step_id", "days", "problem", "extension_max_days"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.extension_problem", "approvals.checks.decision_findings"),
    )
)

ILLEGAL_FEE = RULES.add(
    Rule(
        id="APPROVALS-ILLEGAL-FEE",
        level=Level.RED,
        title="A fee outside the item's legal fee items or rates",
        title_zh="违规收费",
        description="A fee for an item whose catalogue lists no such fee item, or above its rate. Art. 58: no fee "
        "unless a law or administrative regulation provides for it; Art. 59: only the published statutory items and "
        "rates (research/approvals.md R12 flags fees outside the legal items or rates after a local "
        "regulation, lawyee 第六条(七)).",
        evidence=("case_no", "step_id", "fee_item", "amount_fen", "max_fen", "problem"),
        risk_point="approval-fees",
        evaluated_by=("approvals.rules.fee_problem", "approvals.checks.decision_findings"),
    )
)

OFFLINE = RULES.add(
    Rule(
        id="APPROVALS-OFFLINE-HANDLING",
        level=Level.ORANGE,
        title="An item that must be handled online was handled offline",
        title_zh="应网办未网办",
        description="A case of an item the catalogue marks online_mandatory came in through a window (channel "
        "offline). Source: the deployment's catalogue (Art. 33 allows electronic applications; research "
        "R13 flags offline handling after a local regulation, lawyee 第六条(六); which items must go online is set "
        "locally).",
        evidence=("case_no", "item_code", "channel"),
        risk_point="approval-intake",
        evaluated_by=("approvals.checks.intake_findings",),
    )
)

SELF_APPROVAL = RULES.add(
    Rule(
        id="APPROVALS-SELF-APPROVAL",
        level=Level.RED,
        title="One person did two steps that must be done by different people",
        title_zh="同一人经办与审批 (四眼原则)",
        description="The same officer (or, in an imported log, the same org:resource) did both steps of a pair the "
        "item requires to be done by different people (four_eyes; by default accept/decide and review/decide). "
        "Source: research/approvals.md R14 (proposed; no statute).",
        evidence=("case_no", "steps", "officer_code"),
        risk_point="approval-decision",
        evaluated_by=("approvals.rules.four_eyes_violations", "approvals.checks.decision_findings"),
    )
)

STEP_ORDER = RULES.add(
    Rule(
        id="APPROVALS-STEP-ORDER",
        level=Level.ORANGE,
        title="Steps skipped or done out of order",
        title_zh="环节缺失或顺序异常",
        description="A case's steps do not conform to its item's required steps: a required step is missing while a "
        "later one was done (skipped), a later required step came before an earlier one, or a step came where it "
        "cannot (a resume without a suspension, anything but delivery after conclusion, a correction request after "
        "acceptance). The steps are kept as they came; this flags them. Source: research/approvals.md R15 (proposed; "
        "no statute).",
        evidence=("case_no", "skipped", "out_of_order", "misplaced"),
        risk_point="approval-process",
        evaluated_by=(
            "approvals.rules.order_problems",
            "approvals.rules.misplaced_steps",
            "approvals.checks.order_findings",
        ),
    )
)

CERTIFICATE_LATE = RULES.add(
    Rule(
        id="APPROVALS-CERTIFICATE-LATE",
        level=Level.ORANGE,
        title="The licence was not delivered in time",
        title_zh="证照送达超时",
        description="A decision to grant was not followed by delivery of the certificate within certificate_days "
        "working days (10 days from the decision: Art. 44, research/approvals.md R6; working days: Art. 82); "
        "items that issue a licence (deliver_certificate among their required steps) "
        "only. The sweep keeps such a case in view until the licence is delivered.",
        parameters=("certificate_days",),
        evidence=("case_no", "decided_on", "delivered_on", "days_taken", "certificate_days"),
        risk_point="approval-timeliness",
        evaluated_by=("approvals.rules.late_by", "approvals.checks.certificate_findings"),
    )
)


# --- the pure decisions --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeVerdict:
    rule: Rule
    days_over: int  # negative: days left (PROMISE-NEAR)


def time_limit_rules(
    used_days: int, *, promised_days: int, legal_days: int, near_days: int, open_and_running: bool
) -> list[TimeVerdict]:
    """Which time-limit rules a case's clock breaks: legal overdue (red), promised overdue (orange), promised near
    (blue, open running cases only). A case past its promise is not also "near" it."""
    out: list[TimeVerdict] = []
    if used_days > legal_days:
        out.append(TimeVerdict(LEGAL_OVERDUE, used_days - legal_days))
    if used_days > promised_days:
        out.append(TimeVerdict(PROMISE_OVERDUE, used_days - promised_days))
    elif open_and_running and used_days >= promised_days - near_days:
        out.append(TimeVerdict(PROMISE_NEAR, used_days - promised_days))
    return out


def overrun_level(days_over: int, red_after: int) -> Level | None:
    """A special procedure's level: None within its granted days, orange when over, red when over by more."""
    if days_over <= 0:
        return None
    return Level.RED if days_over > red_after else Level.ORANGE


def late_by(days_taken: int, allowed: int) -> int:
    """How many working days past ``allowed`` an answer took (0: in time)."""
    return max(days_taken - allowed, 0)


def extension_problem(*, days: int | None, approved_by: str | None, reason: str | None, max_days: int) -> str | None:
    """Why an extension does not count (Art. 42 ¶1), or None when it does."""
    if not (approved_by or "").strip():
        return "not approved by the head of the organ"
    if not (reason or "").strip():
        return "no reason given to the applicant"
    if days is None or days < 1:
        return "no number of days"
    if days > max_days:
        return f"{days} days, more than the {max_days} allowed"
    return None


def fee_problem(
    fees: Sequence[dict[str, object]], fee_item: str | None, amount_fen: int
) -> tuple[str, int | None] | None:
    """Why a fee is outside the item's legal items and rates (Art. 58–59), with the rate, or None when it is not."""
    if not fees:
        return "the item has no statutory fee (Art. 58)", None
    match = next((f for f in fees if f.get("code") == fee_item), None)
    if match is None:
        return "not a statutory fee item of this item (Art. 59)", None
    limit = match.get("max_fen")
    if isinstance(limit, int) and amount_fen > limit:
        return "above the statutory rate (Art. 59)", limit
    return None


def order_problems(sequence: Sequence[str], required: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Conformance of a sequence of steps (activities) to the required ones, in order.

    Returns (skipped, out_of_order): the required steps missing while a later required step was done,
    and the pairs ``[earlier, later]`` of required steps whose first occurrences came the other way round
    (pm4py's *eventually follows* on first occurrences). Steps not in ``required`` are ignored; repeats of a
    step are allowed.
    """
    first: dict[str, int] = {}
    for index, step in enumerate(sequence):
        first.setdefault(step, index)
    rank = {step: i for i, step in enumerate(required)}
    present = [s for s in required if s in first]
    last = max((rank[s] for s in present), default=-1)
    skipped = [s for s in required[:last] if s not in first]
    inverted = [[a, b] for i, a in enumerate(present) for b in present[i + 1 :] if first[b] < first[a]]
    return skipped, inverted


def four_eyes_violations(
    events: Sequence[tuple[str, str | None]], pairs: Sequence[Sequence[str]]
) -> list[dict[str, object]]:
    """Who did both steps of a pair that must be done by different people (pm4py's four-eyes principle).

    ``events``: (step, person) in any order; a step without a person cannot break the rule.
    """
    did: dict[str, set[str]] = {}
    for step, person in events:
        if person:
            did.setdefault(step, set()).add(person)
    out: list[dict[str, object]] = []
    for a, b in (tuple(p) for p in pairs):
        for person in sorted(did.get(a, set()) & did.get(b, set())):
            out.append({"steps": [a, b], "person": person})
    return out


MAIN_RANK = {
    "submit": 0,
    "pre_accept": 1,
    "accept": 2,
    "undertake": 3,
    "review": 4,
    "decide": 5,
    "conclude": 6,
    "deliver_certificate": 7,
}
NEEDS_ACCEPTANCE = frozenset({"extend", "suspend", "resume"})


def misplaced_steps(kinds: Sequence[str]) -> list[int]:
    """Indexes of the steps of a case (in time order) that came where they cannot.

    A main-line step after a later main-line step (a review after the decision); a correction request after
    acceptance; an extension or special procedure before acceptance or after conclusion; a resume with no
    suspension running, or a suspension while one runs; anything but the certificate's delivery after
    conclusion.
    """
    out: list[int] = []
    highest = -1
    accepted = concluded = suspended = False
    for index, kind in enumerate(kinds):
        rank = MAIN_RANK.get(kind)
        wrong = False
        if concluded and kind not in ("deliver_certificate", "conclude"):
            wrong = True
        elif rank is not None:
            wrong = rank < highest
            highest = max(highest, rank)
        elif kind == "request_correction":
            wrong = accepted
        elif kind in NEEDS_ACCEPTANCE:
            wrong = not accepted
            if kind == "resume":
                wrong = wrong or not suspended
                suspended = False
            elif kind == "suspend":
                wrong = wrong or suspended
                suspended = True
        accepted = accepted or kind == "accept"
        concluded = concluded or kind == "conclude"
        if wrong:
            out.append(index)
    return out


BAD_RATING_UNRECTIFIED = RULES.add(
    Rule(
        id="APPROVALS-BAD-RATING-UNRECTIFIED",
        level=Level.ORANGE,
        title="A bad rating was not rectified by its deadline",
        title_zh="差评未按期整改",
        description="A rating of 1 or 2 (不满意/非常不满意) not rectified within rating_rectify_days working days of "
        "the rating (国办发〔2019〕51号, research/approvals.md R17: bad ratings are verified and rectified; cities "
        "set 5, 7 or 15 working days). An appeal pending or upheld (a mistaken or malicious rating) holds it.",
        parameters=("rating_rectify_days",),
        evidence=("case_no", "score", "rated_on", "rectify_by", "rectified_on", "days_late"),
        risk_point="approval-service",
        evaluated_by=("approvals.rules.rating_overdue", "approvals.ratings.rating_findings"),
    )
)

REPEATED_ERRORS = RULES.add(
    Rule(
        id="APPROVALS-REPEATED-ERRORS",
        level=Level.ORANGE,
        title="One window made the same error again and again",
        title_zh="同一窗口重复出错",
        description="The error-correction library (纠错库) holds errors_repeat_count or more errors of one kind by "
        "one window within errors_window_days calendar days. A deployment default (3 in 90 days); no statute sets "
        "it.",
        parameters=("errors_repeat_count", "errors_window_days"),
        evidence=("window_code", "error_code", "count", "first_on", "last_on", "error_ids"),
        risk_point="approval-process",
        evaluated_by=("approvals.rules.repeated", "approvals.ratings.error_findings"),
    )
)


def rating_overdue(
    *, score: int, rectify_by: date | None, rectified_on: date | None, today: date, appeal: str | None
) -> int:
    """Days a bad rating's rectification is late (0: not late, not bad, or held by an appeal)."""
    if score > 2 or rectify_by is None or appeal in ("pending", "upheld"):
        return 0
    done = rectified_on or today
    return max((done - rectify_by).days, 0)


def repeated(days: Sequence[date], *, count: int, window_days: int) -> list[date] | None:
    """The most recent run of at least ``count`` dates within ``window_days`` of each other's span, or None."""
    ordered = sorted(days)
    best: list[date] | None = None
    start = 0
    for end in range(len(ordered)):
        while (ordered[end] - ordered[start]).days > window_days:
            start += 1
        if end - start + 1 >= count:
            best = ordered[start : end + 1]
    return best


# the enforcement indicators register themselves in RULES (kept apart: rules.py holds the approval rules)
from approvals import rules_enforcement  # noqa: E402, F401
