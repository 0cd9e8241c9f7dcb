"""Working-day arithmetic on the official Chinese calendar (holidays and make-up working days).

The official calendar comes from the maintained ``chinesecalendar`` library (the State
Council's published schedules, one year at a time). A deployment loads the schedules the
library does not have yet — the next year's is published each November or December — or
local days with a JSON file named by ``SUNLIGHT_CALENDAR_FILE``::

    {"years": [2027], "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}

``years`` are the years the file covers *whole*: in them a weekday not listed as a holiday is
a working day and a weekend day not listed as a working day is a rest day. Dates outside
``years`` adjust a year the library covers (a local holiday).

A day in a year that neither covers is never guessed: counting it raises
:class:`CalendarNotCovered` (503 problem+json, ``…/calendar-not-covered``), and ``/readyz``
reports when the covered years end soon. A Monday-to-Friday guess would count the National
Day holidays as working days and put every deadline in that week a week early.

Suspensions (e.g. an approval waiting for the applicant's corrections) stop the clock:
days inside a suspension never count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

from sunlight.errors import Problem

Span = tuple[date, date]  # inclusive


class CalendarNotCovered(Problem):
    slug, title, status = "calendar-not-covered", "The working-day calendar does not cover this date", 503


def _library_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(d.year for d in chinese_calendar.workdays)


class WorkdayCalendar:
    """The official calendar, plus a deployment's own years and days."""

    def __init__(
        self, *, holidays: Iterable[date] = (), workdays: Iterable[date] = (), years: Iterable[int] = ()
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._own_years = frozenset(years)
        self._years = _library_years() | self._own_years
        self._cumulative: dict[int, list[int]] = {}  # per year: working days up to each day of the year, inclusive

    @classmethod
    def from_file(cls, path: str | Path) -> WorkdayCalendar:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            holidays=(date.fromisoformat(d) for d in data.get("holidays", [])),
            workdays=(date.fromisoformat(d) for d in data.get("workdays", [])),
            years=(int(y) for y in data.get("years", [])),
        )

    @classmethod
    def configured(cls, path: str | Path | None) -> WorkdayCalendar:
        """The calendar a deployment asked for: the library's, plus ``path`` when given."""
        return cls.from_file(path) if path else cls()

    def covers(self, day: date) -> bool:
        """True when ``day``'s year has a known schedule (the library's or the deployment's)."""
        return day.year in self._years

    def covered_until(self, today: date) -> date | None:
        """The last day of the run of covered years that contains ``today`` (None when today is not covered)."""
        if not self.covers(today):
            return None
        year = today.year
        while year + 1 in self._years:
            year += 1
        return date(year, 12, 31)

    def is_workday(self, day: date) -> bool:
        table = self._cumulative.get(day.year)
        if table is not None:
            index = day.timetuple().tm_yday - 1
            return table[index] > (table[index - 1] if index else 0)
        return self._is_workday(day)

    def _is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if day.year in self._own_years:
            return day.weekday() < 5
        if day.year not in self._years:
            raise CalendarNotCovered(
                f"no official working-day schedule for {day.year} is loaded; add the State Council's schedule "
                "to the file named by SUNLIGHT_CALENDAR_FILE",
                year=day.year,
            )
        return bool(chinese_calendar.is_workday(day))

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
        """Working days in ``(start, end]``: how many of the limit have been used by ``end``.

        Counted from per-year tables (a case open for years costs a few lookups, not a loop over its days);
        days inside the suspended spans (merged where they overlap) are taken off."""
        if end <= start:
            return 0
        first = start + timedelta(days=1)
        count = self._count(first, end)
        for low, high in _merged(suspended):
            low, high = max(low, first), min(high, end)
            if low <= high:
                count -= self._count(low, high)
        return count

    def _table(self, year: int) -> list[int]:
        table = self._cumulative.get(year)
        if table is None:
            day, running, table = date(year, 1, 1), 0, []
            while day.year == year:
                running += self._is_workday(day)  # raises CalendarNotCovered for a year with no schedule
                table.append(running)
                day += timedelta(days=1)
            self._cumulative[year] = table
        return table

    def _count(self, first: date, last: date) -> int:
        """Working days in ``[first, last]`` (both within covered years)."""
        count = 0
        for year in range(first.year, last.year + 1):
            table = self._table(year)
            low = first.timetuple().tm_yday - 1 if year == first.year else 0
            high = last.timetuple().tm_yday - 1 if year == last.year else len(table) - 1
            count += table[high] - (table[low - 1] if low else 0)
        return count


def _inside(day: date, spans: list[Span]) -> bool:
    return any(first <= day <= last for first, last in spans)


def _merged(spans: Iterable[Span]) -> list[Span]:
    """The spans with overlapping or touching ones joined, in order."""
    out: list[Span] = []
    for low, high in sorted(s for s in spans if s[0] <= s[1]):
        if out and low <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out
