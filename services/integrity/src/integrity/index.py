"""The integrity index (廉情指数, the "323" model): the framework's shape and the computation. No database.

A framework (指标体系) has first-level indicators (一级指标), each with weighted second-level
indicators (二级指标). A second-level indicator is either *rated* by evaluating bodies
(评估主体) or *computed* from what the other services reported about the subject's unit.

For one subject and period:

1. **Rater leniency.** Each body's score ``s`` of indicator ``i`` becomes ``z = (s − μ)/σ``,
   with ``μ, σ`` the mean and sample standard deviation of that body's scores of ``i`` over all
   subjects in the *baseline* period (frozen, so later periods stay comparable); then
   ``y = clamp(centre + spread·z, 0, 100)`` (defaults 45 and 20, as the CPI). A body without a
   usable baseline for ``i`` (fewer than two scores, or all equal) is left out. A negative
   indicator flips ``z``.
2. **At least ``min_raters`` bodies** (default 3) or the indicator has no value. Otherwise
   ``x = Σ w_r·y / Σ w_r`` with the bodies' weights, and ``SE² = s²_y · Σ (w_r/Σw)²``
   (``s²_y`` the sample variance of the ``y``; with equal weights ``s²_y / n``).
3. **Computed indicators** map a figure ``x`` (red warnings, complaints, on-time rate, …) to
   0–100 with fixed goalposts: ``100·clamp((x − low)/(high − low), 0, 1)``, reversed for a
   negative indicator. They carry no sampling error. A rate without cases has no value.
4. **Aggregation** level by level: a first-level value is the weighted mean of its second-level
   values that have one (weights renormalised), the index the weighted mean of the first-level
   values; ``SE`` combines as ``sqrt(Σ (w/Σw)²·SE²)`` (indicators independent).
5. **Coverage** is the share of the framework's total weight that had a value; below
   ``min_coverage`` (default 0.5) the index has no value.
6. **Confidence interval** ``index ± ci_z·SE`` (1.645: 90 %), clamped to 0–100.
7. **Grade** A, B or C (red, yellow, orange) below the framework's cut-offs, A lowest.

Trend is the least-squares slope over consecutive periods; comparison is the gap to the peers' mean.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from integrity.periods import PATTERN as PERIOD_PATTERN

Source = Literal[
    "warnings_red",
    "warnings_orange",
    "warnings_blue",
    "warnings_total",
    "funds_warnings",
    "complaints",
    "approvals_on_time_rate",
]
SOURCES: dict[str, str] = {
    "warnings_red": "red warnings about the unit (all services but integrity)",
    "warnings_orange": "orange warnings about the unit",
    "warnings_blue": "blue warnings about the unit",
    "warnings_total": "warnings of any level about the unit",
    "funds_warnings": "warnings raised by the funds service about the unit (fund irregularities)",
    "complaints": "complaints and reports filed about the unit",
    "approvals_on_time_rate": "share of the unit's approval cases concluded within their time limit",
}
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$"
GRADES = ("A", "B", "C")


# --- the framework ------------------------------------------------------------------------------


class Body(BaseModel):
    """Evaluating body — 评估主体 (a rater)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    weight: float = Field(default=1.0, gt=0)


class SecondLevel(BaseModel):
    """Second-level indicator — 二级指标: rated by bodies, or computed from the other services."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    weight: float = Field(default=1.0, gt=0)
    kind: Literal["rated", "computed"] = "rated"
    direction: Literal["positive", "negative"] = Field(
        default="positive", description="negative: more of it is worse (e.g. warnings)"
    )
    raters: list[str] | None = Field(default=None, description="rated: the bodies that rate it (default: all)")
    source: Source | None = Field(default=None, description="computed: the figure it is computed from")
    low: float | None = Field(default=None, description="computed: the figure that scores 0 (100 if negative)")
    high: float | None = Field(default=None, description="computed: the figure that scores 100 (0 if negative)")

    @model_validator(mode="after")
    def _by_kind(self) -> SecondLevel:
        if self.kind == "computed":
            if self.source is None or self.low is None or self.high is None:
                raise ValueError(f"{self.code}: a computed indicator needs source, low and high")
            if self.low == self.high:
                raise ValueError(f"{self.code}: low and high must differ")
            if self.raters is not None:
                raise ValueError(f"{self.code}: a computed indicator has no raters")
        elif self.source is not None or self.low is not None or self.high is not None:
            raise ValueError(f"{self.code}: a rated indicator has no source or goalposts")
        return self


class FirstLevel(BaseModel):
    """First-level indicator — 一级指标."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    weight: float = Field(default=1.0, gt=0)
    indicators: list[SecondLevel] = Field(min_length=1)


class Cutoffs(BaseModel):
    """Grades below these index values: A (red) < B (yellow) < C (orange)."""

    model_config = ConfigDict(extra="forbid")

    A: float = Field(default=30.0, ge=0, le=100)
    B: float = Field(default=35.0, ge=0, le=100)
    C: float = Field(default=40.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Cutoffs:
        if not self.A <= self.B <= self.C:
            raise ValueError("cut-offs must satisfy A <= B <= C")
        return self


class Definition(BaseModel):
    """The whole framework: bodies, two levels of indicators and the computation's parameters."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", max_length=4000)
    bodies: list[Body] = Field(min_length=1)
    indicators: list[FirstLevel] = Field(min_length=1)
    score_min: float = Field(default=0.0, description="the bodies' scoring scale")
    score_max: float = 100.0
    min_raters: int = Field(default=3, ge=1, description="fewer usable bodies: the indicator has no value")
    centre: float = Field(default=45.0, ge=0, le=100, description="y = centre + spread·z")
    spread: float = Field(default=20.0, gt=0)
    ci_z: float = Field(default=1.645, gt=0, description="1.645: a 90 % interval")
    min_coverage: float = Field(default=0.5, ge=0, le=1)
    cutoffs: Cutoffs = Field(default_factory=Cutoffs)
    baseline_period: str | None = Field(
        default=None, pattern=PERIOD_PATTERN, description="the bodies' leniency is measured here (default: the period)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        codes = [b.code for b in self.bodies]
        if len(set(codes)) != len(codes):
            raise ValueError("evaluating body codes must be unique")
        indicator_codes = [g.code for g in self.indicators] + [i.code for g in self.indicators for i in g.indicators]
        if len(set(indicator_codes)) != len(indicator_codes):
            raise ValueError("indicator codes must be unique across both levels")
        for indicator in self.second_level():
            unknown = set(indicator.raters or ()) - set(codes)
            if unknown:
                raise ValueError(f"{indicator.code}: unknown evaluating bodies {sorted(unknown)}")
        if self.score_min >= self.score_max:
            raise ValueError("score_min must be below score_max")
        if any(i.kind == "rated" for i in self.second_level()) and self.min_raters > len(self.bodies):
            raise ValueError("min_raters exceeds the number of evaluating bodies")
        return self

    def second_level(self) -> Iterable[SecondLevel]:
        return (i for g in self.indicators for i in g.indicators)

    def indicator(self, code: str) -> SecondLevel | None:
        return next((i for i in self.second_level() if i.code == code), None)

    def body(self, code: str) -> Body | None:
        return next((b for b in self.bodies if b.code == code), None)


# --- the computation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    """One body's scores of one indicator in the baseline period."""

    mean: float
    sd: float
    n: int


RatedScore = tuple[str, str, float]  # (body, indicator, score)


def baseline(scores: Iterable[RatedScore]) -> dict[tuple[str, str], Stat]:
    """Mean and sample standard deviation per (body, indicator), over every subject of the baseline period."""
    grouped: dict[tuple[str, str], list[float]] = defaultdict(list)
    for rater, indicator, score in scores:
        grouped[(rater, indicator)].append(score)
    return {
        key: Stat(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0, len(values))
        for key, values in grouped.items()
    }


@dataclass
class IndicatorValue:
    code: str
    name: str
    kind: str
    weight: float
    value: float | None
    se: float | None
    raters: int = 0  # bodies whose score counted
    left_out: list[str] = field(default_factory=list)  # bodies without a usable baseline
    figure: float | None = None  # computed: the figure before the goalposts
    note: str | None = None


@dataclass
class GroupValue:
    code: str
    name: str
    weight: float
    value: float | None
    se: float | None
    indicators: list[IndicatorValue]


@dataclass
class IndexValue:
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    grade: str | None
    coverage: float
    groups: list[GroupValue]

    def breakdown(self) -> dict[str, Any]:
        return {"groups": [asdict(g) for g in self.groups]}


def _clamp(x: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, x))


def figure(source: str, data: Mapping[str, int] | None) -> float | None:
    """The figure a computed indicator reads from the unit's aggregates (``None``: no data)."""
    if data is None:
        return None
    if source == "approvals_on_time_rate":
        concluded = data.get("cases_concluded", 0)
        return data.get("cases_on_time", 0) / concluded if concluded else None
    if source == "warnings_total":
        return float(sum(data.get(k, 0) for k in ("warnings_blue", "warnings_orange", "warnings_red")))
    return float(data.get(source, 0))


def goalpost_score(x: float, low: float, high: float, direction: str) -> float:
    share = _clamp((x - low) / (high - low), 0.0, 1.0)
    return 100.0 * (1.0 - share if direction == "negative" else share)


def _rated(
    definition: Definition, indicator: SecondLevel, scores: Sequence[RatedScore], stats: Mapping[tuple[str, str], Stat]
) -> IndicatorValue:
    allowed = set(indicator.raters or (b.code for b in definition.bodies))
    weights = {b.code: b.weight for b in definition.bodies}
    used: list[tuple[float, float]] = []  # (weight, y)
    left_out: list[str] = []
    for rater, code, score in scores:
        if code != indicator.code or rater not in allowed:
            continue
        stat = stats.get((rater, code))
        if stat is None or stat.n < 2 or stat.sd == 0:
            left_out.append(rater)
            continue
        z = (score - stat.mean) / stat.sd
        if indicator.direction == "negative":
            z = -z
        used.append((weights[rater], _clamp(definition.centre + definition.spread * z)))
    out = IndicatorValue(
        indicator.code, indicator.name, "rated", indicator.weight, None, None, len(used), sorted(left_out)
    )
    if len(used) < definition.min_raters:
        out.note = f"{len(used)} usable evaluating bodies, {definition.min_raters} needed"
        return out
    total = sum(w for w, _ in used)
    out.value = sum(w * y for w, y in used) / total
    variance = statistics.variance([y for _, y in used]) if len(used) > 1 else 0.0
    out.se = math.sqrt(variance * sum((w / total) ** 2 for w, _ in used))
    return out


def _computed(indicator: SecondLevel, data: Mapping[str, int] | None) -> IndicatorValue:
    assert indicator.source is not None and indicator.low is not None and indicator.high is not None
    x = figure(indicator.source, data)
    out = IndicatorValue(indicator.code, indicator.name, "computed", indicator.weight, None, None, figure=x)
    if x is None:
        out.note = "no data for the unit in this period"
        return out
    out.value = goalpost_score(x, indicator.low, indicator.high, indicator.direction)
    out.se = 0.0
    return out


def _weighted(parts: Sequence[tuple[float, float | None, float | None]]) -> tuple[float | None, float | None]:
    """Weighted mean and its standard error over the parts that have a value."""
    present = [(w, v, se or 0.0) for w, v, se in parts if v is not None]
    if not present:
        return None, None
    total = sum(w for w, _, _ in present)
    mean = sum(w * v for w, v, _ in present) / total
    return mean, math.sqrt(sum((w / total) ** 2 * se**2 for w, _, se in present))


def grade_of(value: float | None, cutoffs: Cutoffs) -> str | None:
    if value is None:
        return None
    for grade in GRADES:
        if value < getattr(cutoffs, grade):
            return grade
    return None


def compute(
    definition: Definition,
    *,
    scores: Sequence[RatedScore],
    stats: Mapping[tuple[str, str], Stat],
    data: Mapping[str, int] | None,
) -> IndexValue:
    """The index of one subject for one period, from its scores, the baseline and its unit's figures."""
    groups: list[GroupValue] = []
    coverage = 0.0
    group_total = sum(g.weight for g in definition.indicators)
    for group in definition.indicators:
        values = [
            _rated(definition, i, scores, stats) if i.kind == "rated" else _computed(i, data) for i in group.indicators
        ]
        value, se = _weighted([(v.weight, v.value, v.se) for v in values])
        inner_total = sum(v.weight for v in values)
        coverage += group.weight / group_total * sum(v.weight for v in values if v.value is not None) / inner_total
        groups.append(GroupValue(group.code, group.name, group.weight, value, se, values))
    value, se = _weighted([(g.weight, g.value, g.se) for g in groups])
    if value is None or se is None or coverage < definition.min_coverage - 1e-12:
        return IndexValue(None, None, None, None, None, coverage, groups)
    return IndexValue(
        value,
        se,
        _clamp(value - definition.ci_z * se),
        _clamp(value + definition.ci_z * se),
        grade_of(value, definition.cutoffs),
        coverage,
        groups,
    )


def slope(values: Sequence[float]) -> float | None:
    """Least-squares slope of ``values`` over consecutive periods t = 0, 1, 2, … (index points per period)."""
    n = len(values)
    if n < 2:
        return None
    t_mean, v_mean = (n - 1) / 2, statistics.fmean(values)
    return sum((t - t_mean) * (v - v_mean) for t, v in enumerate(values)) / sum((t - t_mean) ** 2 for t in range(n))
