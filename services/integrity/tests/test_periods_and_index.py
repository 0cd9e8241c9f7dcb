"""The pure parts: periods, goalposts, grades, the trend's slope, and the framework's own checks."""

from __future__ import annotations

import pytest
from integrity import index, periods, templates
from pydantic import ValidationError


def test_periods_cover_their_months():
    assert periods.months("2026") == [f"2026-{m:02d}" for m in range(1, 13)]
    assert periods.months("2026-H2") == [f"2026-{m:02d}" for m in range(7, 13)]
    assert periods.months("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert periods.months("2026-03") == ["2026-03"]
    for bad in ("2026-Q5", "2026-13", "26", "2026-H3", "2026-1"):
        with pytest.raises(ValueError):
            periods.months(bad)
    ordered = sorted(["2026-Q2", "2025", "2026", "2026-Q1"], key=periods.sort_key)
    assert ordered == ["2025", "2026", "2026-Q1", "2026-Q2"], "a year before its first quarter"
    assert [periods.roll_up("2026-05", g) for g in ("month", "quarter", "half", "year")] == [
        "2026-05",
        "2026-Q2",
        "2026-H1",
        "2026",
    ]


def test_goalposts_grades_and_slope():
    assert index.goalpost_score(1, 0, 4, "negative") == 75
    assert index.goalpost_score(9, 0, 4, "negative") == 0, "clamped beyond the goalpost"
    assert index.goalpost_score(0.9, 0.8, 1.0, "positive") == pytest.approx(50)
    assert index.figure("approvals_on_time_rate", {"cases_concluded": 0}) is None, "a rate without cases has no value"
    assert index.figure("warnings_total", {"warnings_red": 1, "warnings_blue": 2}) == 3
    cutoffs = index.Cutoffs(A=30, B=40, C=60)
    assert [index.grade_of(v, cutoffs) for v in (29.9, 30, 39.99, 59, 60, None)] == ["A", "B", "B", "C", None, None]
    assert index.slope([10, 20, 30]) == 10 and index.slope([50]) is None
    assert index.slope([40, 50, 45]) == pytest.approx(2.5)  # Σ(t−1)(v−45) / Σ(t−1)² = (5 + 0 + 0)/2


def test_the_default_templates_follow_the_seed():
    team, individual = templates.team(), templates.individual()
    assert len(team.indicators) == 17 and sum(1 for _ in team.second_level()) == 31 and len(team.bodies) == 10
    assert sum(1 for _ in individual.second_level()) == 14 and len(individual.bodies) == 10


def test_a_framework_checks_itself():
    body = [{"code": "R1", "name": "a"}]
    with pytest.raises(ValidationError, match="low and high must differ"):
        index.Definition.model_validate({"bodies": body, "min_raters": 1, "indicators": [{"code": "G", "name": "g",
            "indicators": [{"code": "X", "name": "x", "kind": "computed", "source": "complaints", "low": 1,
                            "high": 1}]}]})  # fmt: skip
    with pytest.raises(ValidationError, match="unique across both levels"):
        index.Definition.model_validate({"bodies": body, "min_raters": 1, "indicators": [
            {"code": "G", "name": "g", "indicators": [{"code": "G", "name": "x"}]}]})  # fmt: skip
