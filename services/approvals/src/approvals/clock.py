"""The case clock (办件计时): working days from acceptance, special procedures excluded.

Pure: plain facts in, numbers out; the calendar is ``settings.calendar`` (the official Chinese
one, plus a deployment's file). A day of a year the calendar does not cover raises
``CalendarNotCovered`` (503 ``…/calendar-not-covered``), never a Monday-to-Friday guess.

How days are counted (Administrative Licensing Law, 行政许可法 2019, Art. 82; dzjc's
``InstanceUsedTimeCaculator``):

- the day of acceptance is not counted; every working day after it up to the day of
  conclusion (or today) is, and a part day counts as a full day: a case concluded in the
  afternoon of its 21st working day has used 21;
- a special procedure (hearing, testing, expert review …, Art. 45) stops the clock: the
  working days strictly between the day it started and the day it ended are not counted (both
  those days were partly worked); one still running excludes every day after its start;
- an approved extension (Art. 42) adds its days to the legal limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sunlight.workdays import Span, WorkdayCalendar


@dataclass(frozen=True)
class Suspension:
    started_on: date
    ended_on: date | None  # None: still running
    granted_days: int | None = None
    procedure: str | None = None

    def span(self, as_of: date) -> Span | None:
        """The days it takes off the clock (inclusive), or None when none."""
        first = self.started_on + timedelta(days=1)
        last = (self.ended_on - timedelta(days=1)) if self.ended_on is not None else as_of
        return (first, last) if first <= last else None


@dataclass
class Clock:
    accepted_on: date
    as_of: date  # the day of conclusion, or today for an open case
    used_days: int
    legal_days: int  # including approved extensions
    promised_days: int
    suspended_days: int
    running: bool  # False while suspended or once concluded
    legal_due_on: date | None = None  # None while suspended (the clock stands still)
    promised_due_on: date | None = None
    spans: list[Span] = field(default_factory=list)

    @property
    def days_over_legal(self) -> int:
        return self.used_days - self.legal_days

    @property
    def days_over_promised(self) -> int:
        return self.used_days - self.promised_days


def case_clock(
    calendar: WorkdayCalendar,
    *,
    accepted_on: date,
    as_of: date,
    legal_days: int,
    promised_days: int,
    extension_days: int = 0,
    suspensions: Sequence[Suspension] = (),
    concluded: bool = False,
) -> Clock:
    """The clock of a case accepted on ``accepted_on``, as of ``as_of`` (its conclusion, or today)."""
    spans = [s for s in (x.span(as_of) for x in suspensions) if s is not None]
    used = calendar.workdays_between(accepted_on, as_of, suspended=spans)
    suspended_days = calendar.workdays_between(accepted_on, as_of) - used
    open_suspension = any(s.ended_on is None for s in suspensions)
    legal = legal_days + extension_days
    clock = Clock(
        accepted_on=accepted_on,
        as_of=as_of,
        used_days=used,
        legal_days=legal,
        promised_days=promised_days,
        suspended_days=suspended_days,
        running=not concluded and not open_suspension,
        spans=spans,
    )
    if not open_suspension:
        clock.legal_due_on = calendar.add_workdays(accepted_on, legal, suspended=spans)
        clock.promised_due_on = calendar.add_workdays(accepted_on, promised_days, suspended=spans)
    return clock


def suspension_days(calendar: WorkdayCalendar, suspension: Suspension, as_of: date) -> int:
    """Working days a special procedure has taken so far (its last day counted, part days in full)."""
    end = suspension.ended_on or as_of
    return calendar.workdays_between(suspension.started_on, end)
