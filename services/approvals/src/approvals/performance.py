"""Performance scores (绩效考评) per department, window and officer per period, recomputed from the stored data.

Nothing is kept but the data itself, so a score is always reproducible (a test recomputes one by hand):

- **on-time rate** = cases concluded in the period within the item's promised limit / cases concluded in the
  period (after acceptance). "Within" is ``used_days <= promised_days`` with the working days the clock
  stored at conclusion (suspensions excluded, part days in full) — the ``on_time`` of approvals.case.concluded.v1;
- **satisfaction** = ratings of 4 or 5 / ratings made in the period (好差评; a rating whose appeal was upheld —
  mistaken or malicious — is left out);
- **deductions** = Σ ``performance_deductions[level]`` over the warnings first raised in the period against the
  unit's cases (and, for a window, its own APPROVALS-REPEATED-ERRORS; for an officer and a department, the
  penalties they decided), warnings integrity dismissed excluded (a revoked card does not count);
- **score** = max(0, 100 − deductions) (research/approvals.md (b), the dzjc performance model: 100 minus fixed
  deductions per valid card; the rates are shown beside it, not folded in).

A case is its window's and officer's (the undertaker, else the acceptor) and its item's department's, each in the
case's region: every row belongs to one region (a city department handling two districts' cases has a row per
district, and a reader of the city sees both), so a reader never gets figures of a region outside its own.
Ranking: score, then on-time rate, then satisfaction (higher first), then code. Trend: the score in each of the
last periods and the least-squares slope of the scores per period (research (c) 7).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import region_prefix
from sunlight.errors import InvalidInput
from sunlight.pagination import Page, PageParams, decode_after, make_page

from approvals import repository
from approvals.models import ApprovalCase, Item
from approvals.schemas.performance import PerformanceLevel, PerformanceOut, TrendOut, TrendPoint, WarningCounts
from approvals.settings import ApprovalsSettings

PERIOD = re.compile(r"^(19[7-9]\d|2\d{3})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")  # 1970–2999
Key = tuple[str, str]  # (region_code, code)


class BadPeriod(InvalidInput):
    """A period is ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``, in the years 1970–2999 (a trend reaching before 1970 too)."""

    slug, title = "bad-period", "The period is not YYYY, YYYY-MM or YYYY-Qn"


def period_bounds(period: str) -> tuple[date, date]:
    """[first day, day after the last) of a period."""
    m = PERIOD.match(period)
    if m is None:
        raise BadPeriod(f"{period!r} is not YYYY, YYYY-MM or YYYY-Qn", field="/period")
    year = int(m.group(1))
    if m.group(2):
        first, months = int(m.group(2)), 1
    elif m.group(3):
        first, months = 3 * int(m.group(3)) - 2, 3
    else:
        first, months = 1, 12
    end_month = first + months
    return date(year, first, 1), date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)


def previous(period: str, back: int = 1) -> str:
    m = PERIOD.match(period)
    assert m is not None
    year = int(m.group(1))
    if m.group(2):
        index = year * 12 + int(m.group(2)) - 1 - back
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if m.group(3):
        index = year * 4 + int(m.group(3)) - 1 - back
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return f"{year - back:04d}"


@dataclass
class Tally:
    concluded: int = 0
    on_time: int = 0
    ratings: int = 0
    satisfied: int = 0
    warnings: dict[str, int] = field(default_factory=lambda: {"blue": 0, "orange": 0, "red": 0})
    deductions: int = 0

    def score(self) -> int:
        return max(0, 100 - self.deductions)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _units(level: PerformanceLevel, case: ApprovalCase, item: Item, departments: dict[uuid.UUID, Any]) -> Key | None:
    if level is PerformanceLevel.WINDOW:
        return (case.region_code, case.window_code) if case.window_code else None
    if level is PerformanceLevel.OFFICER:
        return (case.region_code, case.officer_code) if case.officer_code else None
    dept = departments.get(item.department_id) if item.department_id else None
    return (case.region_code, dept.code) if dept is not None else None


async def tally(
    session: AsyncSession, settings: ApprovalsSettings, prefixes: Iterable[str], level: PerformanceLevel, period: str
) -> dict[Key, Tally]:
    """Every unit's tally for the period, from the cases, ratings and warnings stored."""
    first, after = period_bounds(period)
    zone = settings.zone
    start, end = datetime.combine(first, time(), zone), datetime.combine(after, time(), zone)
    prefixes = tuple(prefixes)
    out: dict[Key, Tally] = defaultdict(Tally)
    concluded = await repository.cases_concluded_between(session, prefixes, start, end)
    rated = await repository.ratings_between(session, prefixes, start, end)
    warned = await repository.warnings_raised_between(session, prefixes, start, end)
    case_ids = {w.case_id for w in warned if w.case_id is not None} - {c.id for c, _ in concluded}
    case_ids -= {c.id for _, c, _ in rated}
    more = await repository.cases_with_items(session, case_ids)
    by_case = {c.id: (c, i) for c, i in [*concluded, *((c, i) for _, c, i in rated), *more]}
    departments = await repository.departments_by_ids(session, {i.department_id for _, i in by_case.values()})
    for case, item in concluded:
        key = _units(level, case, item, departments)
        if key is not None and case.used_days is not None:
            out[key].concluded += 1
            out[key].on_time += case.used_days <= item.promised_days
    for rating, case, item in rated:
        key = _units(level, case, item, departments)
        if key is not None:
            out[key].ratings += 1
            out[key].satisfied += rating.score >= 4
    penalties = await repository.penalties_by_ids(
        session, {uuid.UUID(w.subject_id) for w in warned if w.subject_kind == "penalty"}
    )
    powers = {p.id: p for p in await repository.powers_by_ids(session, {d.power_id for d in penalties.values()})}
    power_departments = await repository.departments_by_ids(session, {p.department_id for p in powers.values()})
    for w in warned:
        unit: Key | None = None
        if w.case_id is not None and w.case_id in by_case:
            unit = _units(level, *by_case[w.case_id], departments)
        elif w.subject_kind == "window" and level is PerformanceLevel.WINDOW:
            unit = (w.region_code, w.subject_id)
        elif w.subject_kind == "penalty" and (decision := penalties.get(uuid.UUID(w.subject_id))):
            if level is PerformanceLevel.OFFICER and decision.officer_code:
                unit = (decision.region_code, decision.officer_code)
            power = powers.get(decision.power_id)
            dept = power_departments.get(power.department_id) if power and power.department_id else None
            if level is PerformanceLevel.DEPARTMENT and dept is not None:
                unit = (decision.region_code, dept.code)
        if unit is None or w.level not in out[unit].warnings:
            continue
        out[unit].warnings[w.level] += 1
        out[unit].deductions += settings.performance_deductions.get(w.level, 0)
    return out


def _order(item: tuple[Key, Tally]) -> tuple[Any, ...]:
    (region, code), t = item
    on_time, satisfied = _rate(t.on_time, t.concluded), _rate(t.satisfied, t.ratings)
    return (-t.score(), -(on_time if on_time is not None else -1), -(satisfied if satisfied is not None else -1),
            code, region)  # fmt: skip


def _prefixes(who: Principal, region_code: str | None) -> tuple[str, ...]:
    if region_code is None:
        return who.region_prefixes
    return (region_prefix(region_code),) if who.sees_region(region_code) else ()


async def ranking(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, page: PageParams, *,
    level: PerformanceLevel, period: str, region_code: str | None,
) -> Page[PerformanceOut]:  # fmt: skip
    """The units of ``level`` ranked for ``period``, with the change since the period before; paged by rank."""
    prefixes = _prefixes(who, region_code)
    now = await tally(session, settings, prefixes, level, period)
    try:
        before = await tally(session, settings, prefixes, level, previous(period))
    except BadPeriod:  # the period before 1970-01: none
        before = {}
    ranked = sorted(now.items(), key=_order)
    after = decode_after(page, int)
    start = after[0] if after else 0
    rows = [(rank, key, t) for rank, (key, t) in enumerate(ranked, start=1)][start : start + page.limit + 1]

    def out(row: tuple[int, Key, Tally]) -> PerformanceOut:
        rank, (region, code), t = row
        prior = before.get((region, code))
        return PerformanceOut(
            level=level, period=period, region_code=region, code=code, rank=rank, of=len(ranked),
            cases_concluded=t.concluded, on_time=t.on_time, on_time_rate=_rate(t.on_time, t.concluded),
            ratings=t.ratings, satisfied=t.satisfied, satisfaction=_rate(t.satisfied, t.ratings),
            warnings=WarningCounts(**t.warnings), deductions=t.deductions, score=t.score(),
            previous_score=prior.score() if prior else None,
            change=t.score() - prior.score() if prior else None,
        )  # fmt: skip

    return make_page(rows, page, lambda r: [r[0]], out)


async def trend(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, *,
    level: PerformanceLevel, region_code: str, code: str, until: str, periods: int,
) -> TrendOut:  # fmt: skip
    """One unit's score over the ``periods`` periods ending with ``until``, oldest first, and its slope."""
    who.ensure_can_read(region_code, "unit")
    prefixes = (region_prefix(region_code),)
    points: list[TrendPoint] = []
    for back in range(periods - 1, -1, -1):
        name = previous(until, back)
        t = (await tally(session, settings, prefixes, level, name)).get((region_code, code), Tally())
        points.append(TrendPoint(period=name, score=t.score(), on_time_rate=_rate(t.on_time, t.concluded),
                                 satisfaction=_rate(t.satisfied, t.ratings), deductions=t.deductions))  # fmt: skip
    xs = range(len(points))
    mean_x, mean_y = sum(xs) / len(points), sum(p.score for p in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (p.score - mean_y) for x, p in zip(xs, points, strict=True)) / spread if spread else 0.0
    return TrendOut(level=level, region_code=region_code, code=code, points=points, slope=round(slope, 4))
