"""The integrity index (廉情指数, the "323" model): the framework's shape and the computation. No database.

A framework (指标体系) has first-level indicators (一级指标), each with weighted second-level
indicators (二级指标), optionally grouped in dimensions (seed 002: 不敢腐 / 不能腐 / 不想腐). A
second-level indicator is either *rated* by evaluating bodies (评估主体) or *computed* from what
the other services reported about the subject's unit.

The index is **absolute**: it says how the bodies scored the subject, not where the subject stands
among the others (seed 003: 依据测评结果确定量化的廉情指数, 然后根据不同评估分值确定 A、B、C 三个等级).
For one subject and period:

1. **Scores to 0–100.** A body's score ``s`` on the framework's scale becomes
   ``y = 100·(s − score_min)/(score_max − score_min)``; for a negative indicator ``100 − y``.
2. **At least ``min_raters`` bodies** (default 3) scored the indicator, or it has no value. Otherwise
   ``x = Σ w_r·y_r / Σ w_r`` with the bodies' weights, and ``SE² = s²_y · Σ (w_r/Σw)²``
   (``s²_y`` the sample variance of the ``y``; with equal weights ``s²_y / n``).
3. **Computed indicators** map a figure ``x`` (red warnings, complaints, on-time rate, …) to
   0–100 with fixed goalposts: ``100·clamp((x − low)/(high − low), 0, 1)``, reversed for a
   negative indicator. They carry no sampling error. **A unit nobody reported anything about in
   the period has no value** (not a perfect score); a rate without cases has no value.
4. **Aggregation** level by level: a first-level value is the weighted mean of its second-level
   values that have one (weights renormalised), the index the weighted mean of the first-level
   values; ``SE`` combines as ``sqrt(Σ (w/Σw)²·SE²)``. A dimension's value (reported, not part
   of the index) is the weighted mean of its first-level values.
5. **Coverage** is the share of the framework's total weight that had a value; below
   ``min_coverage`` (default 0.5) the subject is *not assessed*: no index and no grade.
6. **Confidence interval** ``index ± ci_z·SE`` (1.645: 90 %), clamped to 0–100.
7. **Grade** A, B or C (red, yellow, orange) when the index is below the framework's cut-off
   (defaults A < 60 ≤ B < 70 ≤ C < 80, see ``Cutoffs``); at or above the C cut-off there is no
   grade, the normal case.
8. **Rater leniency** (optional, ``leniency_correction``, off by default). A body's leniency is
   how far its ``y`` lie, on average, from the mean of all bodies' ``y`` for the same subject and
   indicator, in a *baseline*: a closed period of the same region, frozen when it closed
   (``leniency``). Each body's ``y`` is shifted by minus its leniency (clamped to 0–100) before
   step 2. The correction only recentres the bodies on each other, never on a fixed point, so a
   population everybody rates highly keeps its high indices; and the grade is taken from the
   **higher** of the corrected and the uncorrected index, so the correction can lift a subject
   out of a grade a harsh body caused but never puts one into a grade.
9. **Reliability**: Krippendorff's alpha (interval) of the bodies' ``y``, with the subject's rated
   indicators as the units (``agreement``), via the ``krippendorff`` package. Near 1: the bodies
   agree; near 0 or below: their scores differ as much as chance would make them. Undefined
   (``None``) with fewer than two bodies or no variation at all.

Trend is the change in the index between consecutive periods of the same length (and the
least-squares slope over them); comparison is the gap to the peers' mean.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import krippendorff
import numpy as np
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
COLOURS = {"A": "red", "B": "yellow", "C": "orange"}  # seed 003: A、B、C(红、黄、橙三色)
LEGACY_FIELDS = ("centre", "spread")  # the old z-score method's parameters, ignored when read back


# --- the framework ------------------------------------------------------------------------------


class EvaluatingBody(BaseModel):
    """Evaluating body — 评估主体 (a rater)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    weight: float = Field(default=1.0, gt=0)
    placeholder: bool = Field(default=False, description="the name is a placeholder (占位) for a deployment to set")


Body = EvaluatingBody  # the name the index code uses


class Dimension(BaseModel):
    """Dimension — 维度 (seed 002: 不敢腐、不能腐、不想腐): a grouping of first-level indicators, reported
    beside the index."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)


class SecondLevel(BaseModel):
    """Second-level indicator — 二级指标: rated by bodies, or computed from the other services."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    weight: float = Field(default=1.0, gt=0)
    placeholder: bool = Field(default=False, description="the name is a placeholder (占位) for a deployment to set")
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
    """First-level indicator — 一级指标 (an aspect, 方面, in seed 002's words)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, pattern=r"\S", max_length=200)
    weight: float = Field(default=1.0, gt=0)
    placeholder: bool = Field(default=False, description="the name is a placeholder (占位) for a deployment to set")
    dimension: str | None = Field(default=None, description="the code of the dimension it belongs to, if any")
    indicators: list[SecondLevel] = Field(min_length=1)


class Cutoffs(BaseModel):
    """A subject is graded when its index is below a cut-off: A (red) < B (yellow) < C (orange).

    The defaults follow the bands of the 100-point scale Chinese assessments use (60 the pass
    mark, 70 中, 80 良, 90 优): below 60 the bodies failed the subject (A), 60–70 a bare pass
    (B), 70–80 middling (C); from 80 (良好) on no warning. The scores being absolute, a unit the
    bodies rate well is never graded whatever the others' scores. A deployment sets its own.
    """

    model_config = ConfigDict(extra="forbid")

    A: float = Field(default=60.0, ge=0, le=100)
    B: float = Field(default=70.0, ge=0, le=100)
    C: float = Field(default=80.0, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Cutoffs:
        if not self.A <= self.B <= self.C:
            raise ValueError("cut-offs must satisfy A <= B <= C")
        return self


class Definition(BaseModel):
    """The whole framework: bodies, dimensions, two levels of indicators and the computation's parameters."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(default="", max_length=4000)
    bodies: list[Body] = Field(min_length=1)
    dimensions: list[Dimension] = Field(default_factory=list)
    indicators: list[FirstLevel] = Field(min_length=1)
    score_min: float = Field(default=0.0, description="the bodies' scoring scale")
    score_max: float = 100.0
    min_raters: int = Field(
        default=3, ge=1, description="fewer evaluating bodies scored it: the indicator has no value"
    )
    ci_z: float = Field(default=1.645, gt=0, description="1.645: a 90 % interval")
    min_coverage: float = Field(default=0.5, ge=0, le=1, description="less of the weight had a value: not assessed")
    cutoffs: Cutoffs = Field(default_factory=Cutoffs)
    leniency_correction: bool = Field(
        default=False, description="correct each body's leniency against a closed baseline period of the region"
    )
    leniency_min_subjects: int = Field(
        default=5, ge=1, description="a body's leniency is measured only when it scored this many subjects"
    )
    baseline_period: str | None = Field(
        default=None,
        pattern=PERIOD_PATTERN,
        description="leniency correction: this closed period (default: the region's latest closed period before)",
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_legacy(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in LEGACY_FIELDS):
            return {k: v for k, v in data.items() if k not in LEGACY_FIELDS}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        codes = [b.code for b in self.bodies]
        if len(set(codes)) != len(codes):
            raise ValueError("evaluating body codes must be unique")
        dimension_codes = [d.code for d in self.dimensions]
        if len(set(dimension_codes)) != len(dimension_codes):
            raise ValueError("dimension codes must be unique")
        indicator_codes = [g.code for g in self.indicators] + [i.code for g in self.indicators for i in g.indicators]
        if len(set(indicator_codes)) != len(indicator_codes):
            raise ValueError("indicator codes must be unique across both levels")
        for group in self.indicators:
            if group.dimension is not None and group.dimension not in dimension_codes:
                raise ValueError(f"{group.code}: unknown dimension {group.dimension}")
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


RatedScore = tuple[str, str, float]  # (body, indicator, score)


def _clamp(x: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, x))


def normalised(definition: Definition, indicator: SecondLevel, score: float) -> float:
    """A body's score on 0–100, higher is cleaner (step 1)."""
    y = 100.0 * (score - definition.score_min) / (definition.score_max - definition.score_min)
    return 100.0 - y if indicator.direction == "negative" else y


@dataclass(frozen=True)
class Leniency:
    """One body's leniency in a baseline: the mean of its ``y`` minus the mean of all bodies' ``y`` for the
    same subject and indicator, over ``subjects`` subjects (index points; positive: lenient)."""

    offset: float
    subjects: int


def leniency(definition: Definition, sheets: Mapping[Any, Sequence[RatedScore]]) -> dict[str, Leniency]:
    """Each body's leniency over a baseline (``sheets``: per subject, its scores). A body that scored fewer
    than ``leniency_min_subjects`` subjects beside at least one other body has none."""
    differences: dict[str, list[float]] = defaultdict(list)
    subjects: dict[str, set[Any]] = defaultdict(set)
    for subject, scores in sheets.items():
        by_indicator: dict[str, dict[str, float]] = defaultdict(dict)
        for body, code, score in scores:
            indicator = definition.indicator(code)
            if indicator is not None and indicator.kind == "rated" and definition.body(body) is not None:
                by_indicator[code][body] = normalised(definition, indicator, score)
        for values in by_indicator.values():
            if len(values) < 2:
                continue
            mean = statistics.fmean(values.values())
            for body, y in values.items():
                differences[body].append(y - mean)
                subjects[body].add(subject)
    return {
        body: Leniency(statistics.fmean(diffs), len(subjects[body]))
        for body, diffs in sorted(differences.items())
        if len(subjects[body]) >= definition.leniency_min_subjects
    }


def agreement(rows: Sequence[Sequence[float | None]]) -> float | None:
    """Krippendorff's alpha, interval metric: ``rows`` are the coders (bodies), columns the units; ``None`` is
    a missing value. ``None`` when undefined (fewer than two coders of one unit, or no variation at all)."""
    if len(rows) < 2 or not rows[0]:
        return None
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if not pairable.any():
        return None
    values = data[:, pairable]
    present = values[~np.isnan(values)]
    if np.ptp(present) == 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            alpha = float(krippendorff.alpha(reliability_data=values, level_of_measurement="interval"))
    except (ValueError, ZeroDivisionError):
        return None
    return alpha if math.isfinite(alpha) else None


def _agreement_of(definition: Definition, scores: Sequence[RatedScore]) -> float | None:
    """The bodies' agreement on one subject: units are its rated indicators."""
    matrix: dict[str, dict[str, float]] = defaultdict(dict)
    for body, code, score in scores:
        indicator = definition.indicator(code)
        if indicator is not None and indicator.kind == "rated" and definition.body(body) is not None:
            matrix[body][code] = normalised(definition, indicator, score)
    units = sorted({code for values in matrix.values() for code in values})
    return agreement([[matrix[b].get(u) for u in units] for b in sorted(matrix)])


def population_agreement(definition: Definition, sheets: Mapping[Any, Sequence[RatedScore]]) -> float | None:
    """The bodies' agreement over a whole computation: units are (subject, indicator) pairs."""
    matrix: dict[str, dict[tuple[Any, str], float]] = defaultdict(dict)
    for subject, scores in sheets.items():
        for body, code, score in scores:
            indicator = definition.indicator(code)
            if indicator is not None and indicator.kind == "rated" and definition.body(body) is not None:
                matrix[body][(str(subject), code)] = normalised(definition, indicator, score)
    units = sorted({unit for values in matrix.values() for unit in values})
    return agreement([[matrix[b].get(u) for u in units] for b in sorted(matrix)])


@dataclass
class IndicatorValue:
    code: str
    name: str
    kind: str
    weight: float
    value: float | None
    se: float | None
    placeholder: bool = False
    raters: int = 0  # bodies whose score counted
    bodies: list[str] = field(default_factory=list)
    figure: float | None = None  # computed: the figure before the goalposts
    note: str | None = None


@dataclass
class GroupValue:
    code: str
    name: str
    weight: float
    value: float | None
    se: float | None
    dimension: str | None
    placeholder: bool
    indicators: list[IndicatorValue]


@dataclass
class DimensionValue:
    code: str
    name: str
    value: float | None


@dataclass
class IndexValue:
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    grade: str | None
    coverage: float
    groups: list[GroupValue]
    dimensions: list[DimensionValue] = field(default_factory=list)
    raw_value: float | None = None  # without the leniency correction (= value when it is off)
    corrected: bool = False  # the leniency correction was applied
    raters: int = 0  # distinct bodies that scored the subject
    reliability: float | None = None

    @property
    def assessed(self) -> bool:
        return self.value is not None

    def breakdown(self) -> dict[str, Any]:
        return {"dimensions": [asdict(d) for d in self.dimensions], "groups": [asdict(g) for g in self.groups]}


def figure(source: str, data: Mapping[str, int] | None) -> float | None:
    """The figure a computed indicator reads from the unit's aggregates (``None``: nothing was reported
    about the unit in the period, so there is no figure — not a zero)."""
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
    definition: Definition,
    indicator: SecondLevel,
    scores: Sequence[RatedScore],
    offsets: Mapping[str, Leniency] | None,
) -> IndicatorValue:
    allowed = set(indicator.raters or (b.code for b in definition.bodies))
    weights = {b.code: b.weight for b in definition.bodies}
    used: dict[str, tuple[float, float]] = {}  # body → (weight, y)
    for rater, code, score in scores:
        if code != indicator.code or rater not in allowed:
            continue
        y = normalised(definition, indicator, score)
        if offsets is not None and rater in offsets:
            y = _clamp(y - offsets[rater].offset)
        used[rater] = (weights[rater], y)
    out = IndicatorValue(
        indicator.code,
        indicator.name,
        "rated",
        indicator.weight,
        None,
        None,
        placeholder=indicator.placeholder,
        raters=len(used),
        bodies=sorted(used),
    )
    if len(used) < definition.min_raters:
        out.note = f"{len(used)} evaluating bodies scored it, {definition.min_raters} needed"
        return out
    total = sum(w for w, _ in used.values())
    out.value = sum(w * y for w, y in used.values()) / total
    variance = statistics.variance([y for _, y in used.values()]) if len(used) > 1 else 0.0
    out.se = math.sqrt(variance * sum((w / total) ** 2 for w, _ in used.values()))
    return out


def _computed(indicator: SecondLevel, data: Mapping[str, int] | None) -> IndicatorValue:
    assert indicator.source is not None and indicator.low is not None and indicator.high is not None
    x = figure(indicator.source, data)
    out = IndicatorValue(
        indicator.code, indicator.name, "computed", indicator.weight, None, None, indicator.placeholder, figure=x
    )
    if x is None:
        out.note = "nothing reported about the unit in this period" if data is None else "no cases in this period"
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
    """A below the A cut-off, B below B, C below C; ``None`` at or above C (no warning) or without a value."""
    if value is None:
        return None
    for grade in GRADES:
        if value < getattr(cutoffs, grade):
            return grade
    return None


def _aggregate(
    definition: Definition,
    scores: Sequence[RatedScore],
    data: Mapping[str, int] | None,
    offsets: Mapping[str, Leniency] | None,
) -> tuple[float | None, float | None, float, list[GroupValue]]:
    groups: list[GroupValue] = []
    coverage = 0.0
    group_total = sum(g.weight for g in definition.indicators)
    for group in definition.indicators:
        values = [
            _rated(definition, i, scores, offsets) if i.kind == "rated" else _computed(i, data)
            for i in group.indicators
        ]
        value, se = _weighted([(v.weight, v.value, v.se) for v in values])
        inner_total = sum(v.weight for v in values)
        coverage += group.weight / group_total * sum(v.weight for v in values if v.value is not None) / inner_total
        groups.append(
            GroupValue(group.code, group.name, group.weight, value, se, group.dimension, group.placeholder, values)
        )
    value, se = _weighted([(g.weight, g.value, g.se) for g in groups])
    return value, se, coverage, groups


def compute(
    definition: Definition,
    *,
    scores: Sequence[RatedScore],
    data: Mapping[str, int] | None,
    offsets: Mapping[str, Leniency] | None = None,
) -> IndexValue:
    """The index of one subject for one period, from its scores and its unit's figures (``None``: nothing was
    reported about the unit). ``offsets``: the bodies' leniency in the baseline, when the correction is on."""
    corrected = definition.leniency_correction and bool(offsets)
    value, se, coverage, groups = _aggregate(definition, scores, data, offsets if corrected else None)
    raw = _aggregate(definition, scores, data, None)[0] if corrected else value
    dimensions = []
    for dimension in definition.dimensions:
        members = [(g.weight, g.value, None) for g in groups if g.dimension == dimension.code]
        dimensions.append(DimensionValue(dimension.code, dimension.name, _weighted(members)[0]))
    bodies = {b for g in groups for i in g.indicators for b in i.bodies}
    out = IndexValue(None, None, None, None, None, coverage, groups, dimensions, None, corrected, len(bodies))
    out.reliability = _agreement_of(definition, scores)
    if value is None or se is None or coverage < definition.min_coverage - 1e-12:
        return out
    out.value, out.se, out.raw_value = value, se, raw
    out.ci_low, out.ci_high = _clamp(value - definition.ci_z * se), _clamp(value + definition.ci_z * se)
    # the correction never forces a grade: grade the higher of the corrected and the uncorrected index
    out.grade = grade_of(max(value, raw) if raw is not None else value, definition.cutoffs)
    return out


def slope(values: Sequence[float]) -> float | None:
    """Least-squares slope of ``values`` over consecutive periods t = 0, 1, 2, … (index points per period)."""
    n = len(values)
    if n < 2:
        return None
    t_mean, v_mean = (n - 1) / 2, statistics.fmean(values)
    return sum((t - t_mean) * (v - v_mean) for t, v in enumerate(values)) / sum((t - t_mean) ** 2 for t in range(n))
