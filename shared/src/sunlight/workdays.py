"""Working-day arithmetic on the official Chinese calendar (holidays and make-up working days).

The official calendar comes from the maintained ``chinesecalendar`` library (published
State Council schedules). A deployment may add its own days (a local holiday, a
schedule published after the library's release) with a JSON file::

    {"holidays": ["2027-01-01"], "workdays": ["2027-02-07"]}

Years the library does not cover yet fall back to Monday–Friday, and
:meth:`WorkdayCalendar.covers` tells whether a date is on the official schedule.
Suspensions (e.g. an approval waiting for the applicant's corrections) stop the clock:
days inside a suspension never count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

Span = tuple[date, date]  # inclusive


class WorkdayCalendar:
    def __init__(self, *, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)

    @classmethod
    def from_file(cls, path: str | Path) -> WorkdayCalendar:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            holidays=(date.fromisoformat(d) for d in data.get("holidays", [])),
            workdays=(date.fromisoformat(d) for d in data.get("workdays", [])),
        )

    @staticmethod
    def covers(day: date) -> bool:
        """True when the official schedule for ``day``'s year is known to the library."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add_workdays(self, start: date, days: int, *, suspended: Iterable[Span] = ()) -> date:
        """The date on which ``days`` working days after ``start`` have run (``start`` not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        spans = list(suspended)
        day, left = start, days
        while left:
            day += timedelta(days=1)
            if self.is_workday(day) and not _inside(day, spans):
                left -= 1
        return day

    def workdays_between(self, start: date, end: date, *, suspended: Iterable[Span] = ()) -> int:
        """Working days in ``(start, end]``: how many of the limit have been used by ``end``."""
        spans = list(suspended)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day) and not _inside(day, spans):
                count += 1
        return count


def _inside(day: date, spans: list[Span]) -> bool:
    return any(first <= day <= last for first, last in spans)


OFFICIAL = WorkdayCalendar()
