"""Complaint lifecycle logs in XES (IEEE 1849) → hotline records with their hand-offs.

Tested on BPI Challenge 2013 (Volvo IT incident management, ``bpic2013_incidents.xes.gz``): one trace per
incident (``concept:name`` the case id), events ``Accepted`` / ``Queued`` / ``Completed`` with a lifecycle
transition (``In Progress``, ``Awaiting Assignment``, ``Resolved``, ``Closed``, …) and the support team
(``org:group``) handling it. A case is received at its first event and done at its last ``Completed``
(``Resolved`` / ``Closed`` / ``Cancelled``, or ``In Call``: solved on the call) event; a hand-off is a
change of team between consecutive events. Staff names (``org:resource``) are not read: a team's code is
all that is kept. The reader is ``sunlight.xes`` (streamed with lxml ``iterparse``), shared with approvals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sunlight.xes import Trace, iter_traces

from complaints.models import Category
from complaints.schemas.imports import HotlineRecordIn

DONE = frozenset({"Resolved", "Closed", "Cancelled", "In Call"})  # "In Call": solved while the caller was on


@dataclass(slots=True)
class Lifecycle:
    record: HotlineRecordIn
    handoffs: list[tuple[datetime, str]] = field(default_factory=list)  # (when, the team it went to)


def _code(value: object, limit: int) -> str:
    text = "".join(ch if ch.isalnum() or ch in "._:-" else "-" for ch in str(value).strip())
    return text[:limit] or "unknown"


def lifecycle(trace: Trace, *, region_code: str, due_days: int | None, prefix: str) -> Lifecycle | None:
    """The record of one trace, or None when it has no timed event."""
    events = sorted((e for e in trace.events if e.timestamp is not None), key=lambda e: e.timestamp)  # type: ignore[arg-type, return-value]
    if not events or trace.case_id is None:
        return None
    received = events[0].timestamp
    assert received is not None
    done = [e.timestamp for e in events if e.activity == "Completed" and e.transition in DONE]
    closed = done[-1] if done else None
    handoffs: list[tuple[datetime, str]] = []
    team = events[0].attributes.get("org:group")
    for event in events[1:]:
        now_team = event.attributes.get("org:group")
        if now_team and now_team != team and event.timestamp is not None:
            handoffs.append((event.timestamp, _code(now_team, 40)))
        team = now_team or team
    first = events[0].attributes
    text = f"incident {trace.case_id}: product {first.get('product', '-')}, impact {first.get('impact', '-')}"
    record = HotlineRecordIn(
        external_id=_code(f"{prefix}:{trace.case_id}", 64),
        category=Category.SERVICE_REQUEST,
        region_code=region_code,
        text=text,
        received_at=received,
        due_at=received + timedelta(days=due_days) if due_days is not None else None,
        closed_at=closed,
    )
    return Lifecycle(record=record, handoffs=handoffs)


def lifecycles(
    path: Path, *, region_code: str, due_days: int | None = None, prefix: str = "xes"
) -> Iterator[Lifecycle]:
    for trace in iter_traces(path):
        found = lifecycle(trace, region_code=region_code, due_days=due_days, prefix=prefix)
        if found is not None:
            yield found
