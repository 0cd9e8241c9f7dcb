"""Warning rules of the integrity service: escalations of the register itself and low integrity indices.

Their warnings go through the bus like any other service's and land in this service's own
register, so an inspector sees them beside the rest (and they repeat and escalate the same way).
"""

from __future__ import annotations

from sunlight.warnings import Level, Rule, RuleRegistry

RULES = RuleRegistry("integrity")

DISPOSITION_OVERDUE = RULES.add(
    Rule(
        id="INTEGRITY-DISPOSITION-OVERDUE",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="A disposition passed its deadline without a conclusion",
        title_zh="处置逾期未办结",
        description="A reminder talk, inquiry, supervision recommendation, direct review or case was still open "
        "after its deadline (working days on the official calendar). The warning it disposes of is raised one "
        "level, and this warning repeats (and turns red) every overdue_repeat_workdays further working days, "
        "up to overdue_max_escalations times.",
        parameters=("disposition_workdays", "overdue_repeat_workdays", "overdue_max_escalations"),
        evidence=("disposition_id", "warning_id", "kind", "assignee", "opened_at", "deadline", "overdue_workdays"),
        risk_point="disposition",
        evaluated_by=("integrity.dispositions.escalate_overdue", "integrity.events.overdue_warning"),
    )
)


def _index_rule(grade: str, level: Level, colour: str, colour_zh: str) -> Rule:
    return RULES.add(
        Rule(
            id=f"INTEGRITY-INDEX-{grade}",
            level=level,
            title=f"Integrity index graded {grade} ({colour})",
            title_zh=f"廉情指数{grade}级({colour_zh}色)预警",
            description=f"A subject's integrity index for a period fell below its framework's {grade} cut-off "
            "(defaults A < 60, B < 70, C < 80 on the absolute 0–100 index: the bodies' own scores, never a "
            "ranking, so a subject the bodies rate well is never graded). The framework holds the cut-offs; "
            "index_grade_levels maps the grade to the register's level (the level given here is the default). "
            "A subject not assessed (too few bodies, too little data) is never graded.",
            parameters=("index_grade_levels",),
            evidence=("framework", "period", "index", "ci_low", "ci_high", "grade", "cutoff", "result_id"),
            risk_point="integrity-index",
            evaluated_by=("integrity.index.compute", "integrity.index.grade_of", "integrity.events.index_warning"),
        )
    )


INDEX_A = _index_rule("A", Level.RED, "red", "红")
INDEX_B = _index_rule("B", Level.ORANGE, "yellow", "黄")
INDEX_C = _index_rule("C", Level.ORANGE, "orange", "橙")
INDEX_RULES = {"A": INDEX_A, "B": INDEX_B, "C": INDEX_C}
