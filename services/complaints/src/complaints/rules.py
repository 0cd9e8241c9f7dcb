"""Warning rules of the complaints service (the registry behind GET /v1/complaints/rules), and the pure
decisions behind them. Where a finding is made: ``scans.py`` (deadlines), ``handling.py`` (decisions,
extensions, conclusions, reviews), ``grouping.py`` (repeated reports).

Legal sources of the defaults (``settings.py``): 信访工作条例 (2022) — acceptance told within 15 days of
receipt, conclusion within 60 days of acceptance, one extension of at most 30 days with the reason told;
periods in 日 (calendar days), a last day on a rest day moving to the next working day (民法典 第二百零三条).
The article numbers of the 信访工作条例 are not cited here: its 2022 text was not found, only the periods
(``SOURCES_NOTE`` below, rendered into docs/rules.md, says how far each source was checked and where).
"""

from __future__ import annotations

from datetime import date

from sunlight.warnings import Level, Rule, RuleRegistry

from complaints.deadlines import days_late
from complaints.settings import ComplaintsSettings

RULES = RuleRegistry("complaints")

SOURCE_ACCEPT = "信访工作条例 (2022): 收到信访事项之日起15日内告知是否受理"
SOURCE_CONCLUDE = "信访工作条例 (2022): 自受理之日起60日内办结；延长期限不得超过30日，并告知延期理由"

ACCEPTANCE_LATE = RULES.add(
    Rule(
        id="COMPLAINTS-ACCEPTANCE-LATE",
        level=Level.ORANGE,
        title="No decision on accepting a report within the statutory period",
        title_zh="逾期未作出受理决定",
        description="A report is neither accepted, referred nor rejected by its acceptance deadline: "
        f"acceptance_days after receipt, counted as day_count says. Source: {SOURCE_ACCEPT}.",
        parameters=("acceptance_days", "day_count"),
        evidence=("report_id", "received_on", "accept_due", "days_late", "acceptance_days"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.rules.acceptance_late", "complaints.scans.scan_deadlines"),
    )
)

CONCLUSION_LATE = RULES.add(
    Rule(
        id="COMPLAINTS-CONCLUSION-LATE",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="An accepted report is not concluded within the statutory period",
        title_zh="逾期未办结",
        description="An accepted report has no conclusion by its deadline (conclusion_days after acceptance, plus "
        "any allowed extension); red once conclusion_red_after_days past it. "
        f"Source: {SOURCE_CONCLUDE}.",
        parameters=("conclusion_days", "conclusion_red_after_days", "day_count"),
        evidence=("report_id", "decided_on", "conclude_due", "extended_days", "days_late"),
        risk_point="complaint-handling",
        evaluated_by=(
            "complaints.rules.conclusion_late",
            "complaints.rules.handled_late",
            "complaints.scans.scan_deadlines",
            "complaints.imports.import_batch",
        ),
    )
)

EXTENSION_EXCEEDED = RULES.add(
    Rule(
        id="COMPLAINTS-EXTENSION-EXCEEDED",
        level=Level.RED,
        title="An extension beyond the one the law allows was attempted",
        title_zh="超出规定延长办理期限",
        description="A handler asked for more extensions than extension_max_count, or longer than "
        "extension_max_days in all: the extension is refused (409) and the attempt recorded. "
        f"Source: {SOURCE_CONCLUDE}.",
        parameters=("extension_max_days", "extension_max_count"),
        evidence=("report_id", "extensions", "extended_days", "requested_days", "extension_max_days"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.rules.extension_allowed", "complaints.handling.extend"),
    )
)

REPLY_MISSING = RULES.add(
    Rule(
        id="COMPLAINTS-REPLY-MISSING",
        level=Level.ORANGE,
        title="A report was concluded without a reply to the reporter",
        title_zh="办结未答复举报人",
        description="A report filed by someone who can be answered (a receipt holder) is concluded with no reply "
        "sent to the reporter before or with the conclusion. Source: 信访工作条例 (2022) requires the outcome to "
        "be told to the petitioner (书面答复); EU Directive 2019/1937 Art. 9(1)(f) feedback.",
        evidence=("report_id", "concluded_at", "outcome"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.rules.reply_missing", "complaints.handling.conclude"),
    )
)

REPEATED = RULES.add(
    Rule(
        id="COMPLAINTS-REPEATED",
        level=Level.ORANGE,
        title="Repeated reports about one subject",
        title_zh="同一对象被重复举报",
        description="repeat_min_reports or more reports in one group (the same subject, or near-duplicate text: "
        "MinHash Jaccard ≥ similarity_threshold) within group_window_days. The warning names the subject in the "
        "service that owns it, so integrity's register and the subject's own service see it. Deployment defaults; "
        "no statute sets them.",
        parameters=("repeat_min_reports", "group_window_days", "similarity_threshold"),
        evidence=("group_id", "reports", "report_id", "window_days", "subject_kind"),
        risk_point="supervision-linkage",
        evaluated_by=("complaints.rules.repeated", "complaints.grouping.place"),
    )
)

REFERRED_TO_SUBJECT = RULES.add(
    Rule(
        id="COMPLAINTS-REFERRED-TO-SUBJECT",
        level=Level.RED,
        title="A report was to be referred to the unit it is about",
        title_zh="将举报转交被举报单位",
        description="A referral names as the handling unit the unit the report is about (or the unit of the "
        "official it names): refused (409) and recorded. Source: 纪检监察机关处理检举控告工作规则 (2020) "
        "第五十二条(三) sanctions passing a report to the person or unit reported on; GlobaLeaks recipients step "
        "aside for conflicts of interest.",
        evidence=("report_id", "unit_uscc", "subject_kind"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.rules.referred_to_subject", "complaints.handling.decide"),
    )
)

REOPENED = RULES.add(
    Rule(
        id="COMPLAINTS-REOPENED-ON-APPEAL",
        level=Level.ORANGE,
        title="A concluded report was reopened on appeal",
        title_zh="复查后重新办理",
        description="A review on the reporter's appeal found the conclusion wrong and reopened the report: the "
        "first handling did not hold. Source: 信访工作条例 (2022) 复查.",
        evidence=("report_id", "reopened", "outcome"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.handling.review",),
    )
)

HANDED_AROUND = RULES.add(
    Rule(
        id="COMPLAINTS-HANDED-AROUND",
        level=Level.BLUE,
        escalates_to=Level.ORANGE,
        title="A report was handed from team to team",
        title_zh="多次转交、推诿扯皮",
        description="A report passed between handling teams more than handoff_max times (from a lifecycle log's "
        "hand-offs); orange when it was also concluded late. The 信访工作条例 (2022) asks that a matter be handled "
        "by the body responsible for it (属地管理、分级负责，谁主管、谁负责) rather than passed on; the threshold is "
        "a deployment default, no statute sets it.",
        parameters=("handoff_max",),
        evidence=("report_id", "external_id", "handoffs", "teams", "handoff_max", "late"),
        risk_point="complaint-handling",
        evaluated_by=("complaints.rules.handed_around", "complaints.logimport.import_log"),
    )
)


OLD_REGULATION = (
    "the superseded 信访条例 (2005) says the same in its 第二十一条 (15日内决定是否受理并书面告知信访人) and "
    "第三十三条 (60日内办结; 延长期限不得超过30日，并告知信访人延期理由)"
)
SOURCES_NOTE = [
    "### Statutory periods: sources and how far they were checked",
    "",
    "The deadlines' defaults (`settings.py`) and the legal sources the rules above cite. `/work/shared` (SPEC.md, "
    "the seeds 000–004, research/complaints.md) quotes none of them: the seeds speak of 信访举报 as a channel and "
    "of falling petition counts (seed 003) and ask for 畅通信访渠道 (seed 004). Each was then looked for in "
    "third-party copies of the texts on the web (the pages are in docs/legal-sources.md; none is an "
    "official publication): the 民法典 "
    "and the 纪检监察机关处理检举控告工作规则 were found with their article numbers, the 信访工作条例 (2022) was "
    "not — its periods only in a 信访局's answer that names the regulation but no article. Its article numbers "
    "are therefore not cited; verify against the text published by 国家信访局 before relying on one.",
    "",
    "| setting (default) | what the source says | source as cited | article | checked |",
    "| --- | --- | --- | --- | --- |",
    "| `acceptance_days` (15) | 收到信访事项之日起15日内告知是否受理 | 信访工作条例 (2022) | not cited "
    f"| **unverified**: the 2022 text was not found; {OLD_REGULATION} |",
    "| `conclusion_days` (60) | 自受理之日起60日内办结 | 信访工作条例 (2022) | not cited | period confirmed, article "
    "not: 攀枝花市信访局's answer to the public gives 自受理之日起60日内办结, citing 《信访工作条例》 "
    "without an article |",
    "| `extension_max_days` (30), `extension_max_count` (1) | 情况复杂的可适当延长，延长期限不得超过30日，并告知延期"
    "理由 | 信访工作条例 (2022) | not cited | period confirmed, article not: the same page gives 可以适当延长办理期限"
    "，但延长期限不得超过30日，并且需要告知信访人延期理由; it sets no number of extensions (one is this code's "
    "reading) |",
    "| `day_count` (calendar) | periods in 日; a last day on a rest day moves to the next working day | 民法典 "
    "| 第二百零三条 | checked: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日 (two copies "
    "agree; 第二百零一条 there: 开始的当日不计入，自下一日开始计算) |",
    "| `day_count` = working (option) | a report forwarded down is accepted or passed on within 5 working days "
    "| 纪检监察机关处理检举控告工作规则 (2020) | 第十六条 | checked: 下一级纪检监察机关对转送的检举控告，应当进行登记，"
    "在收到之日起5个工作日内完成受理或者转办工作 |",
    "| COMPLAINTS-REFERRED-TO-SUBJECT | a report is not passed to the person or unit it is about | "
    "纪检监察机关处理检举控告工作规则 (2020) | 第五十二条(三) | checked: sanctions 将检举控告材料转给被检举控告的组织、"
    "人员的 |",
    "| COMPLAINTS-REPLY-MISSING | feedback to the reporter within 3 months | EU Directive 2019/1937 | Art. 9(1)(f) "
    "| in research/complaints.md (with its source links) |",
    "| `repeat_min_reports`, `group_window_days`, `handoff_max`, `conclusion_red_after_days` | — | deployment "
    "defaults | — | no statute sets them |",
]


# --- the decisions ------------------------------------------------------------------------------------


def acceptance_late(settings: ComplaintsSettings, *, status: str, accept_due: date, on: date) -> int:
    """Days past the acceptance deadline of an undecided report (0: not late)."""
    if status != "received":
        return 0
    return days_late(settings, accept_due, on)


def conclusion_late(settings: ComplaintsSettings, *, status: str, conclude_due: date | None, on: date) -> Level | None:
    """The level of a late conclusion (None: not late, or not being handled)."""
    if status != "accepted" or conclude_due is None:
        return None
    late = days_late(settings, conclude_due, on)
    if not late:
        return None
    return Level.RED if late >= settings.conclusion_red_after_days else Level.ORANGE


def handled_late(
    settings: ComplaintsSettings, *, conclude_due: date, done_on: date | None, today: date
) -> Level | None:
    """The level of a record concluded after its deadline (``done_on``), or still open past it (None: in time)."""
    late = days_late(settings, conclude_due, done_on or today)
    if not late:
        return None
    return Level.RED if late >= settings.conclusion_red_after_days else Level.ORANGE


def extension_allowed(settings: ComplaintsSettings, *, extensions: int, extended_days: int, days: int) -> bool:
    return extensions < settings.extension_max_count and extended_days + days <= settings.extension_max_days


def reply_missing(*, answerable: bool, replied: bool, reply_given: bool) -> bool:
    return answerable and not replied and not reply_given


def repeated(settings: ComplaintsSettings, *, reports_in_group: int) -> bool:
    return reports_in_group >= settings.repeat_min_reports


def referred_to_subject(*, handling_unit: str | None, subject_unit: str | None) -> bool:
    return handling_unit is not None and subject_unit is not None and handling_unit == subject_unit


def handed_around(settings: ComplaintsSettings, *, handoffs: int, late: bool) -> Level | None:
    """The level of a report passed on more than ``handoff_max`` times (None: not)."""
    if handoffs <= settings.handoff_max:
        return None
    return Level.ORANGE if late else Level.BLUE
