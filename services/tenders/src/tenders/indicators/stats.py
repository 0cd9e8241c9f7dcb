"""The order statistics Cardinal uses (Rust ``statrs`` ``Data``), reproduced exactly.

statrs' ``quantile(tau)`` is Hyndman & Fan's method 8 (median-unbiased, numpy's
``method="median_unbiased"``): ``h = (n + 1/3)·tau + 1/3``; below the first order statistic the
minimum, at or past the last the maximum, otherwise linear interpolation between the
``floor(h)``-th and the next. ``percentile(p)`` is ``quantile(p / 100)`` (p > 100 gives NaN), the
quartiles are ``quantile(0.25)`` and ``quantile(0.75)``; an empty set gives NaN, and then no
comparison with the fence is true, as in Cardinal. Fences are computed with a fused
multiply-add (Rust ``mul_add``): ``Q1 − 1.5·IQR`` and ``Q3 + 1.5·IQR`` rounded once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

NAN = math.nan


def quantile(values: Iterable[float], tau: float) -> float:
    data = sorted(values)
    n = len(data)
    if n == 0 or not 0.0 <= tau <= 1.0:
        return NAN
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return data[0]
    if hf >= n or tau == 1.0:
        return data[-1]
    a = data[hf - 1]
    b = data[hf]
    return a + (h - hf) * (b - a)


def quartiles(values: Iterable[float]) -> tuple[float, float]:
    data = sorted(values)
    return quantile(data, 0.25), quantile(data, 0.75)


def fma(x: float, y: float, z: float) -> float:
    """``x·y + z`` rounded once, like Rust's ``f64::mul_add`` (Python 3.13's ``math.fma``)."""
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))


def lower_fence(q1: float, q3: float) -> float:
    return fma(q3 - q1, -1.5, q1)


def upper_fence(q1: float, q3: float) -> float:
    return fma(q3 - q1, 1.5, q3)


def round4(value: float) -> float | None:
    """Cardinal's Meta rounding: ``(v · 10000).round() / 10000``, half away from zero; NaN → null."""
    if not math.isfinite(value):
        return None
    scaled = abs(value) * 10_000.0
    rounded = math.floor(scaled)
    if scaled - rounded >= 0.5:  # exact in binary floating point
        rounded += 1
    return math.copysign(rounded, value) / 10_000.0
