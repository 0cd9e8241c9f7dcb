"""The case rules that apply to an imported process log, trace by trace: ``{rule_id: {case_id: evidence}}``.

What a log can show: steps skipped or out of order (APPROVALS-STEP-ORDER), one person doing both steps of
a four-eyes pair (APPROVALS-SELF-APPROVAL), and — when the mapping gives limits — the case running past
its legal or promised limit or its own deadline attribute (APPROVALS-LEGAL-OVERDUE,
APPROVALS-PROMISE-OVERDUE). The decisions are the same pure functions the service uses (rules.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sunlight.workdays import WorkdayCalendar
from sunlight.xes import Event, Trace, iter_traces

from approvals import rules
from approvals.mapping import ItemMapping, Mapping

APPLICABLE = (rules.STEP_ORDER.id, rules.SELF_APPROVAL.id, rules.LEGAL_OVERDUE.id, rules.PROMISE_OVERDUE.id)


@dataclass
class LogReport:
    findings: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {r: {} for r in APPLICABLE})
    traces: int = 0
    events: int = 0
    unmatched: int = 0


def events_of(trace: Trace, item: ItemMapping) -> list[Event]:
    """The trace's events the item looks at, in time order (file order among equal times)."""
    chosen = [e for e in trace.events if item.lifecycle is None or e.transition == item.lifecycle]
    stamped = [e for e in chosen if e.timestamp is not None]
    return sorted(stamped, key=lambda e: e.timestamp)  # type: ignore[arg-type, return-value]


def _span(events: list[Event], item: ItemMapping) -> tuple[Event, Event] | None:
    if not events:
        return None
    start = next((e for e in events if e.activity == item.start), None) if item.start else events[0]
    if start is None:
        return None
    after = events[events.index(start) :]
    end = next((e for e in after if e.activity == item.end), None) if item.end else after[-1]
    return (start, end) if end is not None else None


def _days(calendar: WorkdayCalendar, item: ItemMapping, start: datetime, end: datetime) -> int:
    first, last = start.date(), end.date()  # each in the log's own offset: the day as the office saw it
    if item.clock == "calendar_days":
        return (last - first).days
    return calendar.workdays_between(first, last)


def check_trace(trace: Trace, item: ItemMapping, calendar: WorkdayCalendar) -> dict[str, dict[str, Any]]:
    """The findings of one trace, by rule id."""
    out: dict[str, dict[str, Any]] = {}
    events = events_of(trace, item)
    activities = [e.activity or "" for e in events]
    if item.steps:
        skipped, inverted = rules.order_problems(activities, item.steps)
        if skipped or inverted:
            out[rules.STEP_ORDER.id] = {"item": item.name, "skipped": skipped, "out_of_order": inverted,
                                        "sequence": activities[:50]}  # fmt: skip
    if item.four_eyes:
        violations = rules.four_eyes_violations([(a, e.resource) for a, e in zip(activities, events, strict=True)],
                                                item.four_eyes)  # fmt: skip
        if violations:
            out[rules.SELF_APPROVAL.id] = {"item": item.name, "violations": violations}
    span = _span(events, item)
    if span is None:
        return out
    start, end = span
    assert start.timestamp is not None and end.timestamp is not None
    used = None
    if item.legal_days is not None or item.promised_days is not None:
        used = _days(calendar, item, start.timestamp, end.timestamp)
    base = {"item": item.name, "started_at": start.timestamp.isoformat(), "ended_at": end.timestamp.isoformat(),
            "used_days": used, "clock": item.clock}  # fmt: skip
    if used is not None and item.legal_days is not None and used > item.legal_days:
        out[rules.LEGAL_OVERDUE.id] = {**base, "legal_days": item.legal_days, "days_over": used - item.legal_days}
    promised: dict[str, Any] = {}
    if used is not None and item.promised_days is not None and used > item.promised_days:
        promised = {**base, "promised_days": item.promised_days, "days_over": used - item.promised_days}
    deadline = trace.attributes.get(item.deadline_attribute) if item.deadline_attribute else None
    if isinstance(deadline, datetime) and end.timestamp > deadline:
        late = end.timestamp - deadline
        promised = {**(promised or base), "deadline": deadline.isoformat(), "late_by_days": late.days,
                    "late_by_seconds": int(late.total_seconds())}  # fmt: skip
    if promised:
        out[rules.PROMISE_OVERDUE.id] = promised
    return out


def check_traces(traces: Iterable[Trace], mapping: Mapping, calendar: WorkdayCalendar) -> LogReport:
    report = LogReport()
    for index, trace in enumerate(traces):
        report.traces += 1
        report.events += len(trace.events)
        item = mapping.item_for(trace.attributes)
        if item is None:
            report.unmatched += 1
            continue
        case_id = trace.case_id or f"#{index}"
        for rule_id, evidence in check_trace(trace, item, calendar).items():
            report.findings[rule_id][case_id] = evidence
    return report


def check_log(path: str | Path, mapping: Mapping, calendar: WorkdayCalendar | None = None) -> LogReport:
    """Stream the log once and check every trace the mapping selects."""
    return check_traces(iter_traces(path), mapping, calendar or WorkdayCalendar())
