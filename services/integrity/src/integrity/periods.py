"""Assessment periods: a year, a half, a quarter or a month, as the months (China time) they cover.

``2026`` · ``2026-H1`` · ``2026-Q3`` · ``2026-03``. The per-unit aggregates are kept by month;
a period sums its months. Periods sort by their first month, then by length (a year before
its first quarter).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

PATTERN = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PATTERN)


def months(period: str) -> list[str]:
    """The months of ``period`` as ``YYYY-MM``; raises ``ValueError`` for anything else."""
    if not _PERIOD.match(period):
        raise ValueError(f"{period!r} is not a period: 2026, 2026-H1, 2026-Q2 or 2026-03")
    year, _, part = period.partition("-")
    if not part:
        first, count = 1, 12
    elif part[0] == "H":
        first, count = 1 + 6 * (int(part[1]) - 1), 6
    elif part[0] == "Q":
        first, count = 1 + 3 * (int(part[1]) - 1), 3
    else:
        first, count = int(part), 1
    return [f"{year}-{m:02d}" for m in range(first, first + count)]


def sort_key(period: str) -> tuple[str, int]:
    covered = months(period)
    return covered[0], -len(covered)


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The month a moment falls in, in the deployment's time zone."""
    return moment.astimezone(zone).strftime("%Y-%m")


def roll_up(month: str, granularity: str) -> str:
    """``2026-05`` as its month, quarter (``2026-Q2``), half (``2026-H1``) or year (``2026``)."""
    year, m = month.split("-")
    number = int(m)
    if granularity == "month":
        return month
    if granularity == "quarter":
        return f"{year}-Q{(number - 1) // 3 + 1}"
    if granularity == "half":
        return f"{year}-H{(number - 1) // 6 + 1}"
    return year


GRANULARITIES = ("year", "half", "quarter", "month")  # longest first


def granularity(period: str) -> str:
    """``year``, ``half``, ``quarter`` or ``month``: periods of one granularity make a trend."""
    _, _, part = period.partition("-")
    if not part:
        return "year"
    return {"H": "half", "Q": "quarter"}.get(part[0], "month")
