"""The pure parts: periods, goalposts, grades, leniency, agreement, the trend's slope, and the framework's checks."""

from __future__ import annotations

import math

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
    assert [periods.granularity(p) for p in ("2026", "2026-H1", "2026-Q3", "2026-11")] == list(periods.GRANULARITIES)


def test_goalposts_grades_and_slope():
    assert index.goalpost_score(1, 0, 4, "negative") == 75
    assert index.goalpost_score(9, 0, 4, "negative") == 0, "clamped beyond the goalpost"
    assert index.goalpost_score(0.9, 0.8, 1.0, "positive") == pytest.approx(50)
    assert index.figure("approvals_on_time_rate", {"cases_concluded": 0}) is None, "a rate without cases has no value"
    assert index.figure("warnings_total", {"warnings_red": 1, "warnings_blue": 2}) == 3
    assert index.figure("warnings_red", None) is None, "nothing reported: no figure, not zero"
    cutoffs = index.Cutoffs()
    assert (cutoffs.A, cutoffs.B, cutoffs.C) == (60, 70, 80)
    values = (59.99, 60, 69.99, 70, 79.99, 80, 95, None)
    assert [index.grade_of(v, cutoffs) for v in values] == ["A", "B", "B", "C", "C", None, None, None]
    assert index.slope([10, 20, 30]) == 10 and index.slope([50]) is None
    assert index.slope([40, 50, 45]) == pytest.approx(2.5)  # Σ(t−1)(v−45) / Σ(t−1)² = (5 + 0 + 0)/2


def test_scores_are_absolute_on_any_scale():
    definition = index.Definition.model_validate({
        "bodies": [{"code": c, "name": c} for c in ("R1", "R2", "R3")], "score_min": 1, "score_max": 5,
        "indicators": [{"code": "G", "name": "g", "indicators": [
            {"code": "P", "name": "p"}, {"code": "N", "name": "n", "direction": "negative"}]}]})  # fmt: skip
    scores = [("R1", "P", 5), ("R2", "P", 4), ("R3", "P", 3), ("R1", "N", 2), ("R2", "N", 2), ("R3", "N", 2)]
    got = index.compute(definition, scores=scores, data=None)
    # P: (100 + 75 + 50)/3 = 75; N (more is worse): 100 − 25 = 75 from each; the index is their mean
    assert got.value == pytest.approx(75) and got.grade == "C" and got.raters == 3
    alone = index.compute(definition, scores=scores[:2], data=None)
    assert alone.value is None and alone.grade is None and not alone.assessed, "two bodies: not assessed"


def test_krippendorffs_alpha_matches_the_published_worked_example():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers, twelve
    units, missing values; interval alpha 0.849."""
    n = None
    rows = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert index.agreement(rows) == pytest.approx(0.849, abs=5e-4)
    assert index.agreement([[5, 5], [5, 5]]) is None, "no variation: undefined"
    assert index.agreement([[1, 2, 3]]) is None, "one coder: undefined"
    assert index.agreement([[1, n], [n, 2]]) is None, "no unit coded twice: undefined"
    assert index.agreement([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)


def test_leniency_is_measured_against_the_other_bodies_and_never_forces_a_grade():
    definition = index.Definition.model_validate({
        "bodies": [{"code": c, "name": c} for c in ("R1", "R2", "R3", "R4")], "leniency_correction": True,
        "leniency_min_subjects": 2,
        "indicators": [{"code": "G", "name": "g", "indicators": [{"code": "P", "name": "p"}]}]})  # fmt: skip
    # R1 is 20 points harsher than the others on both subjects; R4 rated one subject only
    baseline = {
        "S1": [("R1", "P", 60), ("R2", "P", 80), ("R3", "P", 80), ("R4", "P", 80)],
        "S2": [("R1", "P", 50), ("R2", "P", 70), ("R3", "P", 70)],
    }
    offsets = index.leniency(definition, baseline)
    # S1: mean 75 → R1 −15, others +5; S2: mean 63.33 → R1 −13.33, R2 and R3 +6.67; R4 has one subject: none
    assert offsets["R1"] == index.Leniency(pytest.approx(-14.1667, abs=1e-4), 2)
    assert offsets["R2"].offset == pytest.approx((5 + 20 / 3) / 2) and "R4" not in offsets
    # a subject the lenient bodies rated 80: corrected below 80 (C), but the grade comes from the higher value
    # (R4 has no measured leniency: its score stays as it is)
    scores = [("R2", "P", 80), ("R3", "P", 80), ("R4", "P", 80)]
    got = index.compute(definition, scores=scores, data=None, offsets=offsets)
    corrected = (2 * (80 - offsets["R2"].offset) + 80) / 3
    assert got.corrected and got.raw_value == 80 and got.value == pytest.approx(corrected) and corrected < 80
    assert got.grade is None
    # the harsh body pulled a subject down: the correction lifts it
    harsh = [("R1", "P", 40), ("R2", "P", 62), ("R3", "P", 62)]
    lifted = index.compute(definition, scores=harsh, data=None, offsets=offsets)
    assert lifted.raw_value == pytest.approx(164 / 3) and lifted.value > lifted.raw_value
    # switched off (the default), the same offsets change nothing
    off = definition.model_copy(update={"leniency_correction": False})
    assert index.compute(off, scores=harsh, data=None, offsets=offsets).value == pytest.approx(164 / 3)
    # a population everybody rates highly keeps its values: the correction recentres bodies on each other
    high = {f"S{n}": [(b, "P", 95 + n % 3) for b in ("R1", "R2", "R3", "R4")] for n in range(6)}
    assert all(v.offset == 0 for v in index.leniency(definition, high).values())


def test_the_default_templates_follow_the_seeds():
    team, individual = templates.team(), templates.individual()
    assert len(team.indicators) == 17 and sum(1 for _ in team.second_level()) == 31 and len(team.bodies) == 10
    assert sum(1 for _ in individual.second_level()) == 14 and len(individual.bodies) == 10
    assert team.cutoffs == index.Cutoffs() and team.leniency_correction is False and team.min_raters == 3
    assert [(g.name, g.dimension) for g in individual.indicators] == [
        ("不敢腐", "D1"),
        ("不能腐", "D2"),
        ("不想腐", "D3"),
    ]


def test_a_framework_checks_itself():
    body = [{"code": "R1", "name": "a"}]
    with pytest.raises(ValidationError, match="low and high must differ"):
        index.Definition.model_validate({"bodies": body, "min_raters": 1, "indicators": [{"code": "G", "name": "g",
            "indicators": [{"code": "X", "name": "x", "kind": "computed", "source": "complaints", "low": 1,
                            "high": 1}]}]})  # fmt: skip
    with pytest.raises(ValidationError, match="unique across both levels"):
        index.Definition.model_validate({"bodies": body, "min_raters": 1, "indicators": [
            {"code": "G", "name": "g", "indicators": [{"code": "G", "name": "x"}]}]})  # fmt: skip
    with pytest.raises(ValidationError, match="unknown dimension"):
        index.Definition.model_validate({"bodies": body, "min_raters": 1, "indicators": [
            {"code": "G", "name": "g", "dimension": "D1", "indicators": [{"code": "X", "name": "x"}]}]})  # fmt: skip
    legacy = index.Definition.model_validate({"bodies": body, "min_raters": 1, "centre": 45, "spread": 20,
        "indicators": [{"code": "G", "name": "g", "indicators": [{"code": "X", "name": "x"}]}]})  # fmt: skip
    assert legacy.min_raters == 1, "a framework stored by the old method still reads"


def _definition(**extra):
    return index.Definition.model_validate({
        "bodies": [{"code": c, "name": c} for c in ("R1", "R2", "R3", "R4")],
        "indicators": [
            {"code": "G", "name": "g", "weight": 0.45, "indicators": [{"code": "P", "name": "p"}]},
            {"code": "H", "name": "h", "weight": 0.55, "indicators": [{"code": "Q", "name": "q"}]},
        ], **extra})  # fmt: skip


def test_edges_of_the_computation():
    """Boundaries a mutant sweep of index.py found untested: scales, clamps, coverage, bodies counted."""
    definition = _definition(score_min=20, score_max=120)
    p = definition.indicator("P")
    assert p is not None
    assert (index.normalised(definition, p, 20), index.normalised(definition, p, 120)) == (0, 100)
    assert index.normalised(definition, p, 45) == 25
    # coverage 0.45 (only G has a value) is below min_coverage 0.5: not assessed; H alone (0.55) is enough
    g_only = [("R1", "P", 70), ("R2", "P", 70), ("R3", "P", 70)]
    assert index.compute(definition, scores=g_only, data=None).value is None
    h_only = [(b, "Q", s) for b, s in (("R1", 20), ("R2", 20), ("R3", 120))]
    got = index.compute(definition, scores=h_only, data=None)
    assert got.coverage == pytest.approx(0.55) and got.value == pytest.approx(100 / 3)
    # the interval is clamped to 0–100: SE = √(3333.3/3) = 33.3, 33.3 − 1.645·33.3 < 0
    assert got.ci_low == 0 and got.ci_high == pytest.approx(100 / 3 + 1.645 * math.sqrt(10000 / 3 / 3))
    # every body that scored the subject counts, whichever indicator it scored
    mixed = [*g_only, ("R4", "Q", 70)]
    assert index.compute(definition, scores=mixed, data=None).raters == 4


def test_leniency_ignores_lone_scores_and_unknown_bodies_and_stays_on_the_scale():
    definition = _definition(leniency_correction=True, leniency_min_subjects=2)
    baseline = {
        "S1": [("R1", "P", 60), ("R2", "P", 80), ("R3", "P", 80), ("R9", "P", 0)],  # R9: not a body of it
        "S2": [("R1", "P", 60), ("R2", "P", 80), ("R3", "P", 80)],
        "S3": [("R1", "Q", 10)],  # R1 alone on Q: nothing to compare with
    }
    offsets = index.leniency(definition, baseline)
    assert offsets["R1"] == index.Leniency(pytest.approx(-40 / 3), 2), "S3 is not a subject R1 was compared on"
    assert "R9" not in offsets and offsets["R2"].offset == pytest.approx(20 / 3)
    # R1 (harsh) gives 95: corrected 108.3, kept at 100
    got = index.compute(definition, scores=[("R1", "Q", 95), ("R2", "Q", 95), ("R3", "Q", 95)], data=None,
                        offsets=offsets)  # fmt: skip
    q = got.groups[1].indicators[0]
    assert q.value == pytest.approx((100 + 2 * (95 - 20 / 3)) / 3)
