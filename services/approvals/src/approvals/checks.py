"""A stored case, evaluated whole: its state and clock from its steps, and the findings of every case rule.

``evaluate`` is called after every write that touches a case and by the sweep for every open
case; it reads nothing but what it is given (the case, its item, its steps in time order, the
calendar and ``now``). The rules' decisions themselves are the pure functions of ``rules.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sunlight.warnings import Level
from sunlight.workdays import WorkdayCalendar

from approvals import rules
from approvals.alerts import Finding, signature
from approvals.clock import Clock, Suspension, case_clock, suspension_days
from approvals.models import ApprovalCase, CaseStatus, CaseStep, Channel, Item, StepKind
from approvals.settings import ApprovalsSettings

K = StepKind
ANSWERS = (K.PRE_ACCEPT, K.ACCEPT, K.REQUEST_CORRECTION, K.REFUSE)


@dataclass
class Evaluation:
    findings: list[Finding] = field(default_factory=list)
    clock: Clock | None = None
    misplaced: set[uuid.UUID] = field(default_factory=set)


def day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _first(steps: Sequence[CaseStep], *kinds: StepKind) -> CaseStep | None:
    return next((s for s in steps if s.kind in kinds), None)


def derive_state(case: ApprovalCase, item: Item, steps: Sequence[CaseStep]) -> None:
    """The case's status, dates, result and people, from its steps in time order."""
    submit = _first(steps, K.SUBMIT)
    accept = _first(steps, K.ACCEPT)
    conclude = _first(steps, K.CONCLUDE)
    refuse = _first(steps, K.REFUSE)
    decide = _first(steps, K.DECIDE)
    case.submitted_at = (submit or steps[0]).occurred_at if steps else None
    case.accepted_at = accept.occurred_at if accept else None
    denied = refuse is not None or (decide is not None and decide.details.get("outcome") == "deny")
    suspended = False
    for s in steps:
        if s.kind == K.SUSPEND:
            suspended = True
        elif s.kind == K.RESUME:
            suspended = False
    if conclude is not None:
        case.status, case.concluded_at = CaseStatus.CONCLUDED, conclude.occurred_at
    elif refuse is not None:
        case.status, case.concluded_at = CaseStatus.REFUSED, refuse.occurred_at
    elif suspended and accept is not None:
        case.status, case.concluded_at = CaseStatus.SUSPENDED, None
    elif accept is not None:
        case.status, case.concluded_at = CaseStatus.ACCEPTED, None
    else:
        case.status, case.concluded_at = CaseStatus.SUBMITTED, None
    case.result = None if case.concluded_at is None else ("refused" if denied else "approved")
    granted = decide is not None and not denied
    issues_licence = K.DELIVER_CERTIFICATE in item.required_steps
    case.certificate_pending = granted and issues_licence and _first(steps, K.DELIVER_CERTIFICATE) is None
    doer = _first(steps, K.UNDERTAKE) or accept
    case.officer_code = doer.officer_code if doer else None
    case.window_code = next((s.window_code for s in steps if s.window_code), None)
    case.step_count = len(steps)


def suspensions_of(steps: Sequence[CaseStep], zone: ZoneInfo) -> list[tuple[CaseStep, Suspension]]:
    out: list[tuple[CaseStep, Suspension]] = []
    open_at: CaseStep | None = None
    for s in steps:
        if s.kind == K.SUSPEND and open_at is None:
            open_at = s
        elif s.kind == K.RESUME and open_at is not None:
            out.append((open_at, _suspension(open_at, day(s.occurred_at, zone), zone)))
            open_at = None
    if open_at is not None:
        out.append((open_at, _suspension(open_at, None, zone)))
    return out


def _suspension(step: CaseStep, ended_on: date | None, zone: ZoneInfo) -> Suspension:
    return Suspension(
        started_on=day(step.occurred_at, zone),
        ended_on=ended_on,
        granted_days=step.details.get("granted_days"),
        procedure=step.details.get("procedure"),
    )


class Evaluator:
    """The case rules for one case as of ``now``."""

    def __init__(
        self,
        settings: ApprovalsSettings,
        calendar: WorkdayCalendar,
        case: ApprovalCase,
        item: Item,
        steps: Sequence[CaseStep],
        *,
        now: datetime,
        unit_uscc: str | None = None,
    ) -> None:
        self.s, self.cal, self.case, self.item, self.steps = settings, calendar, case, item, steps
        self.zone = settings.zone
        self.closed = case.concluded_at is not None
        self.as_of = day(case.concluded_at, self.zone) if case.concluded_at else day(now, self.zone)
        self.today = day(now, self.zone)
        self.unit_uscc = unit_uscc
        self.out = Evaluation()

    def finding(
        self,
        rule: rules.Rule,
        evidence: dict[str, object],
        episode: str = "",
        level: Level | None = None,
        sig: str | None = None,
    ) -> None:
        key = f"{rule.id}:case:{self.case.id}" + (f":{episode}" if episode else "")
        evidence = {"case_no": self.case.case_no, "item_code": self.item.code, **evidence}
        self.out.findings.append(
            Finding(
                rule=rule,
                case_id=self.case.id,
                case_no=self.case.case_no,
                region_code=self.case.region_code,
                evidence=evidence,
                dedupe_key=key,
                level=level,
                unit_uscc=self.unit_uscc,
                signature=sig,
            )
        )

    def run(self) -> Evaluation:
        order_findings(self)
        decision_findings(self)
        intake_findings(self)
        if self.case.accepted_at is not None:
            time_findings(self)
            special_procedure_findings(self)
        certificate_findings(self)
        return self.out

    def approved_extension_days(self) -> int:
        total = 0
        for s in self.steps:
            if s.kind == K.EXTEND and self._extension_problem(s) is None:
                total += int(s.details.get("days") or 0)
        return total

    def _extension_problem(self, s: CaseStep) -> str | None:
        d = s.details
        return rules.extension_problem(
            days=d.get("days"),
            approved_by=d.get("approved_by"),
            reason=d.get("reason"),
            max_days=self.s.extension_max_days,
        )

    def _late(
        self, rule: rules.Rule, start: date, answer: CaseStep | None, allowed: int, answer_name: str, setting: str
    ) -> None:
        if answer is None and self.closed:
            return
        end = day(answer.occurred_at, self.zone) if answer is not None else self.today
        taken = self.cal.workdays_between(start, end)
        if rules.late_by(taken, allowed) == 0:
            return
        self.finding(
            rule,
            {
                "submitted_on": start.isoformat(),
                answer_name: end.isoformat() if answer is not None else None,
                "days_taken": taken,
                setting: allowed,
                "as_of": end.isoformat(),
            },
        )

    # --- the certificate ---------------------------------------------------------------------------


# --- the rules, one function each (rules.py names them) ---------------------------------------


def order_findings(ev: Evaluator) -> None:
    kinds = [str(s.kind) for s in ev.steps]
    misplaced = rules.misplaced_steps(kinds)
    ev.out.misplaced = {ev.steps[i].id for i in misplaced}
    refuse = _first(ev.steps, K.REFUSE)
    accept = _first(ev.steps, K.ACCEPT)
    refused_at_intake = refuse is not None and (accept is None or refuse.occurred_at < accept.occurred_at)
    sequence = ["decide" if k == "refuse" else k for k in kinds]
    skipped, inverted = rules.order_problems(sequence, ev.item.required_steps)
    if refused_at_intake:
        skipped = []  # 不予受理: the rest of the line never had to happen
    if not (skipped or inverted or misplaced):
        return
    listed = [
        {"step_id": str(ev.steps[i].id), "step": kinds[i], "occurred_at": ev.steps[i].occurred_at.isoformat()}
        for i in misplaced
    ]
    ev.finding(
        rules.STEP_ORDER,
        {"skipped": skipped, "out_of_order": inverted, "misplaced": listed, "sequence": kinds[:50]},
        sig=signature(skipped, inverted, sorted(s["step_id"] for s in listed)),
    )


def decision_findings(ev: Evaluator) -> None:
    for s in ev.steps:
        if s.kind == K.REFUSE and not (s.details.get("reason") or "").strip():
            ev.finding(
                rules.REFUSAL_WITHOUT_REASON,
                {"step_id": str(s.id), "refused_at": s.occurred_at.isoformat(), "officer_code": s.officer_code},
                episode=f"step:{s.id}",
            )
        elif s.kind == K.EXTEND and (problem := ev._extension_problem(s)) is not None:
            ev.finding(
                    rules.EXTENSION_UNAPPROVED,
                    {"step_id": str(s.id), "days": s.details.get("days"), "problem": problem,
                     "extension_max_days": ev.s.extension_max_days},
                    episode=f"step:{s.id}",
                )  # fmt: skip
        elif s.kind == K.CHARGE_FEE:
            amount = int(s.details.get("amount_fen") or 0)
            verdict = rules.fee_problem(ev.item.fees, s.details.get("fee_item"), amount)
            if verdict is not None:
                problem, limit = verdict
                ev.finding(
                        rules.ILLEGAL_FEE,
                        {"step_id": str(s.id), "fee_item": s.details.get("fee_item"), "amount_fen": amount,
                         "max_fen": limit, "problem": problem},
                        episode=f"step:{s.id}",
                    )  # fmt: skip
    events = [(str(s.kind), s.officer_code) for s in ev.steps]
    for v in rules.four_eyes_violations(events, ev.item.four_eyes):
        a, b = v["steps"]  # type: ignore[misc]
        ev.finding(
            rules.SELF_APPROVAL,
            {"steps": v["steps"], "officer_code": v["person"]},
            episode=f"{a}-{b}",
        )


def intake_findings(ev: Evaluator) -> None:
    if ev.item.online_mandatory and ev.case.channel == Channel.OFFLINE:
        ev.finding(rules.OFFLINE, {"channel": str(ev.case.channel)})
    submit = _first(ev.steps, K.SUBMIT)
    corrections = [s for s in ev.steps if s.kind == K.REQUEST_CORRECTION]
    if len(corrections) > 1:
        ev.finding(
            rules.CORRECTION_PIECEMEAL,
            {
                "requests": [
                    {
                        "step_id": str(s.id),
                        "on": day(s.occurred_at, ev.zone).isoformat(),
                        "missing_items": s.details.get("missing_items", []),
                    }
                    for s in corrections
                ],
                "missing_items": sorted({i for s in corrections for i in s.details.get("missing_items", [])}),
            },
            sig=signature(len(corrections)),
        )
    if submit is None:
        return
    submitted_on = day(submit.occurred_at, ev.zone)
    if ev.case.channel == Channel.ONLINE:
        answer = _first(ev.steps, *ANSWERS)
        ev._late(rules.PREACCEPT_LATE, submitted_on, answer, ev.s.preaccept_days, "answered_on", "preaccept_days")
    notice = corrections[0] if corrections else None
    if notice is None and _first(ev.steps, K.ACCEPT, K.REFUSE) is not None:
        return  # answered without asking for corrections
    ev._late(rules.CORRECTION_LATE, submitted_on, notice, ev.s.correction_notice_days, "notice_on",
                   "correction_notice_days")  # fmt: skip


def time_findings(ev: Evaluator) -> None:
    assert ev.case.accepted_at is not None
    clock = case_clock(
        ev.cal,
        accepted_on=day(ev.case.accepted_at, ev.zone),
        as_of=ev.as_of,
        legal_days=ev.item.legal_days,
        promised_days=ev.item.promised_days,
        extension_days=ev.approved_extension_days(),
        suspensions=[sp for _, sp in suspensions_of(ev.steps, ev.zone)],
        concluded=ev.closed,
    )
    ev.out.clock = clock
    verdicts = rules.time_limit_rules(
        clock.used_days,
        promised_days=clock.promised_days,
        legal_days=clock.legal_days,
        near_days=ev.s.promise_near_days,
        open_and_running=clock.running,
    )
    for v in verdicts:
        ev.finding(
            v.rule,
            {
                "accepted_on": clock.accepted_on.isoformat(),
                "used_days": clock.used_days,
                "promised_days": clock.promised_days,
                "legal_days": clock.legal_days,
                "extension_days": clock.legal_days - ev.item.legal_days,
                "suspended_days": clock.suspended_days,
                "days_over": v.days_over,
                "promised_due_on": clock.promised_due_on.isoformat() if clock.promised_due_on else None,
                "legal_due_on": clock.legal_due_on.isoformat() if clock.legal_due_on else None,
                "as_of": clock.as_of.isoformat(),
                "concluded": ev.closed,
            },
        )


def special_procedure_findings(ev: Evaluator) -> None:
    for step, sp in suspensions_of(ev.steps, ev.zone):
        if sp.granted_days is None:
            continue
        used = suspension_days(ev.cal, sp, ev.today if sp.ended_on is None else sp.ended_on)
        over = used - sp.granted_days
        level = rules.overrun_level(over, ev.s.special_red_after_days)
        if level is None:
            continue
        ev.finding(
            rules.SPECIAL_OVERRUN,
            {
                "procedure": sp.procedure,
                "started_on": sp.started_on.isoformat(),
                "ended_on": sp.ended_on.isoformat() if sp.ended_on else None,
                "granted_days": sp.granted_days,
                "used_days": used,
                "days_over": over,
                "step_id": str(step.id),
            },
            episode=f"step:{step.id}",
            level=level,
        )


def certificate_findings(ev: Evaluator) -> None:
    if K.DELIVER_CERTIFICATE not in ev.item.required_steps:
        return  # the item issues no licence
    decide = _first(ev.steps, K.DECIDE)
    if decide is None or ev.case.result == "refused" or decide.details.get("outcome") == "deny":
        return
    delivered = next((s for s in ev.steps if s.kind == K.DELIVER_CERTIFICATE), None)
    start = day(decide.occurred_at, ev.zone)
    end = day(delivered.occurred_at, ev.zone) if delivered else ev.today
    taken = ev.cal.workdays_between(start, end)
    if rules.late_by(taken, ev.s.certificate_days) == 0:
        return
    ev.finding(
        rules.CERTIFICATE_LATE,
        {
            "decided_on": start.isoformat(),
            "delivered_on": end.isoformat() if delivered else None,
            "days_taken": taken,
            "certificate_days": ev.s.certificate_days,
        },
    )


def evaluate(
    settings: ApprovalsSettings,
    calendar: WorkdayCalendar,
    case: ApprovalCase,
    item: Item,
    steps: Sequence[CaseStep],
    *,
    now: datetime,
    unit_uscc: str | None = None,
) -> Evaluation:
    """Derive the case's state from its steps, then run every case rule as of ``now``."""
    derive_state(case, item, steps)
    evaluation = Evaluator(settings, calendar, case, item, steps, now=now, unit_uscc=unit_uscc).run()
    clock = evaluation.clock
    case.used_days = clock.used_days if clock else None
    case.due_on = clock.legal_due_on if clock else None
    case.promised_due_on = clock.promised_due_on if clock else None
    return evaluation
