"""Enforcement warning indicators (行政执法监管): the penalty decision against its discretion band, the decision
taken too long after filing, and a warning left uncorrected after a disposition.

Registered in the approvals registry (``rules.RULES``); pure decisions here, the findings are made in
``enforcement.py`` (at decision time) and ``escalation.py`` (in the sweep, after integrity's dispositions).

Sources. 行政处罚法 (2021) Art. 34: an administrative organ may lay down discretion standards (裁量基准) for
administrative penalties, to regulate the exercise of its discretion, and publishes them — its verbatim text was not
found; a law-review abstract confirms the article and its content ("新修订的《行政处罚法》第34条" makes laying
them down a "可以" and requires their publication). Art. 60 checked against two copies of the text that agree.
The pages are listed in docs/legal-sources.md (third-party copies, not an official publication).
Seed 003 (秦皇岛): discretion standards for 3,460 enforcement powers of 55 departments
(《规范行政处罚自由裁量权工作实施方案》); the tax platform's 139 warning indicators handled by 警示提醒, 质询
and 业务直查. research/approvals.md (c): escalate an indicator still uncorrected after a deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sunlight.warnings import Level, Rule

from approvals.rules import LEGAL_BASIS, RULES

LEGAL_BASIS.update(
    {
        "punish34": "行政处罚法 (2021) Art. 34: discretion standards (行政处罚裁量基准) regulate the exercise of "
        "penalty discretion and are published (named by issue 12; article and content confirmed by a commentary, "
        'soolun.net: "第34条" makes them a "可以" and requires publication; verbatim text not found)',
        "punish60": '行政处罚法 (2021) Art. 60 (checked: "应当自行政处罚案件立案之日起九十日内作出行政处罚决定。法律、'
        '法规、规章另有规定的，从其规定"): a penalty is decided within 90 days of filing the case (立案), unless '
        "laws, regulations or rules say otherwise",
        "seed003": "seed 003: 3,460 enforcement powers with refined discretion standards; tax enforcement warnings "
        "handled by 警示提醒, 质询, 业务直查 (/work/shared/seeds/003_14ea8a10c840f6e9.txt)",
    }
)

PENALTY_OUTSIDE_BAND = RULES.add(
    Rule(
        id="APPROVALS-PENALTY-OUTSIDE-BAND",
        level=Level.RED,
        title="A penalty decision lies outside its discretion band",
        title_zh="处罚超出裁量基准",
        description="A penalty decision imposes a kind of penalty its band (the fact pattern it names) does not "
        "allow, or a fine below the band's minimum or above its maximum (行政处罚法 2021 Art. 34 裁量基准; seed 003: "
        "refined discretion standards for 3,460 enforcement powers). Red when the decision states no reason for "
        "departing; orange when it does (the bureau may depart for reasons it states — supervision asks someone to "
        "look, it does not overrule). The decision is recorded either way: supervision warns, the bureau decides.",
        evidence=(
            "decision_no",
            "power_code",
            "band_code",
            "circumstance",
            "kinds",
            "allowed_kinds",
            "fine_fen",
            "min_fen",
            "max_fen",
            "departures",
            "reason_given",
            "officer_code",
            "decided_on",
            "legal_basis",
        ),
        escalates_to=None,
        risk_point="enforcement-discretion",
        evaluated_by=("approvals.rules_enforcement.band_departures", "approvals.enforcement.penalty_findings"),
    )
)

PENALTY_LATE = RULES.add(
    Rule(
        id="APPROVALS-PENALTY-DECIDED-LATE",
        level=Level.ORANGE,
        title="A penalty was decided long after the case was filed",
        title_zh="处罚决定超期",
        description="More than penalty_decide_days calendar days passed between filing the case (立案) and the "
        "decision (行政处罚法 2021 Art. 60: 90 days unless a law, regulation or rule says otherwise). "
        "Checked when the decision names filed_on.",
        parameters=("penalty_decide_days",),
        evidence=("decision_no", "power_code", "filed_on", "decided_on", "days", "penalty_decide_days"),
        risk_point="enforcement-timeliness",
        evaluated_by=("approvals.rules_enforcement.decided_late", "approvals.enforcement.penalty_findings"),
    )
)

UNCORRECTED = RULES.add(
    Rule(
        id="APPROVALS-ENFORCEMENT-UNCORRECTED",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="An enforcement warning stayed uncorrected after its disposition",
        title_zh="执法预警处置后逾期未纠正",
        description="Integrity disposed of an enforcement warning by reminder (提醒, reminder_talk), inquiry (问询, "
        "inquiry) or direct review (直接核查, direct_review) and the decision was not corrected (no later decision "
        "within its band corrects it) by correct_days[disposition] working days after the disposition. Orange after "
        "a reminder, red after an inquiry or a direct review; the evidence names the next disposition the ladder "
        "suggests. A new finding per disposition (its key names it): integrity owns the warning and decides "
        "(research/approvals.md (c): escalate an indicator still uncorrected after a deadline; seed 003: 警示提醒, "
        "质询, 业务直查).",
        parameters=("enforcement_correct_days",),
        evidence=(
            "decision_no",
            "warning_rule_id",
            "warning_key",
            "disposition",
            "disposed_on",
            "correct_by",
            "corrected_by",
            "integrity_warning_id",
            "next_disposition",
        ),
        risk_point="enforcement-discretion",
        evaluated_by=("approvals.rules_enforcement.uncorrected_level", "approvals.escalation.uncorrected_findings"),
    )
)

# the dispositions of integrity (warnings.disposed.v1 ``disposition``) that set a correction deadline, in the
# order of the ladder: 提醒 → 问询 → 直接核查
LADDER = ("reminder_talk", "inquiry", "direct_review")
CORRECTABLE = frozenset({PENALTY_OUTSIDE_BAND.id})


def band_departures(band: dict[str, Any], *, kinds: Iterable[str], fine_fen: int | None) -> list[str]:
    """How a penalty departs from its band: ``kind-not-allowed:<kind>``, ``fine-below-min``, ``fine-above-max``;
    empty when it lies within. A band without a fine range allows no fine (a fine there is a kind not allowed)."""
    allowed = set(band.get("kinds") or ())
    out = [f"kind-not-allowed:{k}" for k in sorted(set(kinds)) if k not in allowed]
    if fine_fen is not None and "fine" in allowed:
        low, high = band.get("min_fen"), band.get("max_fen")
        if low is not None and fine_fen < low:
            out.append("fine-below-min")
        if high is not None and fine_fen > high:
            out.append("fine-above-max")
    return out


def decided_late(filed_on: date | None, decided_on: date, *, limit_days: int) -> int:
    """Calendar days over ``limit_days`` between filing and decision (0: in time, or no filing date)."""
    if filed_on is None:
        return 0
    return max((decided_on - filed_on).days - limit_days, 0)


def uncorrected_level(disposition: str) -> Level:
    """Orange after a reminder; red after an inquiry or a direct review."""
    return Level.ORANGE if disposition == LADDER[0] else Level.RED


def next_disposition(disposition: str) -> str:
    """The next step of the ladder after ``disposition``; after a direct review, ``case`` (立案)."""
    index = LADDER.index(disposition) if disposition in LADDER else -1
    return LADDER[index + 1] if 0 <= index < len(LADDER) - 1 else "case"
