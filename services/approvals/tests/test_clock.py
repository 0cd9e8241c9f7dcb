"""The case clock on the official calendar: real holidays with their make-up days, suspensions, part days, and
years the calendar does not cover (a clear error, never a weekday guess)."""

from __future__ import annotations

from datetime import date

import pytest
from approvals.clock import Suspension, case_clock, suspension_days
from sunlight.workdays import CalendarNotCovered, WorkdayCalendar

CAL = WorkdayCalendar()


def clock(accepted: date, as_of: date, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("legal_days", 20)
    kw.setdefault("promised_days", 10)
    return case_clock(CAL, accepted_on=accepted, as_of=as_of, **kw)  # type: ignore[arg-type]


def test_national_day_is_not_counted_and_its_make_up_saturday_is():
    # accepted Friday 26 Sep 2025; Sun 28 Sep is a make-up working day; 1–8 Oct are holidays; Sat 11 Oct works
    c = clock(date(2025, 9, 26), date(2025, 10, 13))
    # 28, 29, 30 Sep, 9, 10, 11, 13 Oct
    assert c.used_days == 7
    # the 20th working day: 7 by 13 Oct, then 14–17, 20–24, 27–30 Oct (13 more) → 30 October
    assert c.legal_due_on == date(2025, 10, 30)
    # a weekday guess would have counted the eight holidays and skipped the make-up days
    assert c.legal_due_on != date(2025, 10, 24)


def test_spring_festival_2025_with_its_make_up_days():
    # accepted Friday 24 Jan 2025: Sun 26 Jan works, 28 Jan – 4 Feb are holidays, Sat 8 Feb works
    c = clock(date(2025, 1, 24), date(2025, 2, 10))
    assert c.used_days == 7  # 26, 27 Jan, 5, 6, 7, 8, 10 Feb
    assert c.promised_due_on == date(2025, 2, 13)  # 10 working days: … 11, 12, 13 Feb


def test_a_part_day_counts_in_full_and_the_day_of_acceptance_does_not():
    assert clock(date(2025, 3, 3), date(2025, 3, 3)).used_days == 0
    assert clock(date(2025, 3, 3), date(2025, 3, 4)).used_days == 1  # concluded any time on the 4th: one day


def test_a_special_procedure_stops_the_clock_between_its_first_and_last_day():
    hearing = Suspension(started_on=date(2025, 3, 5), ended_on=date(2025, 3, 14), granted_days=5)
    c = clock(date(2025, 3, 3), date(2025, 3, 18), suspensions=[hearing])
    # without it 11 working days (4–7, 10–14, 17, 18); 6–13 March (6 working days) do not count
    assert c.used_days == 11 - 6 and c.suspended_days == 6
    assert suspension_days(CAL, hearing, date(2025, 3, 20)) == 7  # 6, 7, 10–14 March: 2 over the granted 5


def test_a_running_suspension_stops_the_clock_and_leaves_no_due_date():
    c = clock(date(2025, 3, 3), date(2025, 3, 18), suspensions=[Suspension(date(2025, 3, 10), None)])
    assert c.used_days == 5 and c.legal_due_on is None and not c.running  # 4–7 and 10 March


def test_an_approved_extension_adds_to_the_legal_limit():
    c = clock(date(2025, 3, 3), date(2025, 4, 7), extension_days=10)
    assert c.legal_days == 30 and c.used_days == 24  # 4 Apr (Qingming) is a holiday


def test_a_year_outside_the_calendar_is_an_error_not_a_guess():
    with pytest.raises(CalendarNotCovered) as refused:
        clock(date(2031, 3, 3), date(2031, 3, 20))
    assert refused.value.status == 503 and "2031" in str(refused.value.detail)


def test_a_case_open_for_years_counts_the_same_as_day_by_day():
    start, end = date(2011, 10, 19), date(2026, 11, 30)
    spans = [
        (date(2012, 1, 5), date(2012, 3, 1)),
        (date(2012, 2, 20), date(2012, 4, 2)),
        (date(2020, 1, 1), date(2020, 1, 1)),
    ]
    cal, naive, day = WorkdayCalendar(), 0, start
    while day < end:
        day = date.fromordinal(day.toordinal() + 1)
        if cal.is_workday(day) and not any(a <= day <= b for a, b in spans):
            naive += 1
    assert cal.workdays_between(start, end, suspended=spans) == naive
