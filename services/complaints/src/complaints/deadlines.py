"""Statutory deadlines, counted the way the regulation says (settings.day_count).

``calendar``: the 信访工作条例 counts 日 — calendar days from the day after the start (the start day is not
counted); a period whose last day is a rest day or public holiday ends on the next working day
(民法典 第二百零三条), from ``settings.calendar``. ``working``: working days on ``settings.calendar``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from complaints.settings import ComplaintsSettings


def today(settings: ComplaintsSettings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


def add_days(settings: ComplaintsSettings, start: date, days: int) -> date:
    """The last day of a period of ``days`` days starting after ``start``."""
    calendar = settings.calendar
    if settings.day_count == "working":
        return calendar.add_workdays(start, days)
    end = start + timedelta(days=days)
    while not calendar.is_workday(end):
        end += timedelta(days=1)
    return end


def days_late(settings: ComplaintsSettings, due: date, on: date) -> int:
    """How far past ``due`` the day ``on`` is (0 when not late), in the period's own unit."""
    if on <= due:
        return 0
    if settings.day_count == "working":
        return settings.calendar.workdays_between(due, on)
    return (on - due).days
