"""Warning rules of the tenders service (the registry behind GET /v1/tenders/rules and docs/rules.md).

Each rule is declared once here; the pure function that decides it (plain facts in, a result out,
no database, no clock, so tests drive it directly) is in ``flags.py``. Where a finding is made
from the rows is named second in ``evaluated_by`` (``screening.py``). The legal sources:

- 招标投标法 (Tendering and Bidding Law, 2017 revision) Art. 3, 4, 28, 34, 37;
- 招标投标法实施条例 (its Implementing Regulation, State Council Order No. 613, 2011, as revised 2019)
  Art. 34, 39, 40, 46, 51;
- 必须招标的工程项目规定 (NDRC Order No. 16 of 2018) Art. 2–5.
"""

from __future__ import annotations

from sunlight.warnings import Level, Rule, RuleRegistry

RULES = RuleRegistry("tenders")

LINKED_BIDDERS = RULES.add(
    Rule(
        id="TENDERS-LINKED-BIDDERS",
        level=Level.RED,
        title="Bidders of one lot are linked",
        title_zh="关联投标/串通投标嫌疑",
        description="Two bids for the same lot come from enterprises that share a legal representative or a "
        "shareholder, or a registered phone or address (keyed hashes), or the bids share the bid file's "
        "fingerprint, the submitting IP (keyed hash) or the project manager. Enterprises with the same person in "
        "charge or in a controlling relation may not bid for the same lot (Implementing Regulation Art. 34 ¶2); "
        "bid files compiled by the same unit or person, or naming the same project manager, are deemed collusion "
        "(Art. 40 (1), (3)).",
        evidence=("tender_id", "lot_id", "bid_ids", "enterprise_ids", "shared"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.links_between", "tenders.screening.linked_bidders"),
    )
)

LATE_BID = RULES.add(
    Rule(
        id="TENDERS-LATE-BID",
        level=Level.ORANGE,
        title="A bid reached the platform after the deadline, dated before it",
        title_zh="截标后补录投标",
        description="The platform knew the tender before its deadline, yet a bid was recorded after the deadline "
        "with a receipt time before it. A bid arriving after the deadline must be refused (Tendering and Bidding "
        "Law Art. 28): either the trading system passed it on late, or the time was back-dated. Orange: a delayed "
        "transfer is possible, and the inspector checks the trading system's receipt.",
        evidence=("tender_id", "bid_id", "deadline", "submitted_at", "recorded_at"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.recorded_late", "tenders.screening.late_bid"),
    )
)

WINNER_AT_CEILING = RULES.add(
    Rule(
        id="TENDERS-WINNER-AT-CEILING",
        level=Level.ORANGE,
        title="The winning bid is at the ceiling price",
        title_zh="中标价贴近最高投标限价",
        description="The awarded amount lies within ceiling_band_permille ‰ of the lot's ceiling price (最高投标限价, "
        "Implementing Regulation Art. 27), or above it — a bid above the ceiling should have been rejected "
        "(Art. 51 (5)), which makes it red. A winner pricing at the ceiling suggests the ceiling leaked or the "
        "competition was arranged. The band is a detection choice.",
        parameters=("ceiling_band_permille",),
        evidence=("tender_id", "lot_id", "award_id", "amount_fen", "ceiling_fen", "band_permille"),
        escalates_to=Level.RED,
        risk_point="tendering",
        evaluated_by=("tenders.flags.at_ceiling", "tenders.screening.award_findings"),
    )
)

INELIGIBLE_BIDDER = RULES.add(
    Rule(
        id="TENDERS-INELIGIBLE-BIDDER",
        level=Level.RED,
        title="A debarred or unqualified enterprise bid or won",
        title_zh="投标人被禁入或资质不符",
        description="The bidder is debarred on the bid's day in a region containing the tender's (a debarment "
        "with its period), or lacks the qualification the tender requires (kind, this grade or better, valid on "
        "the deadline). Found when the bid arrives and again when it wins.",
        evidence=("tender_id", "lot_id", "bid_id", "enterprise_id", "reasons", "debarment_ids"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.ineligibility", "tenders.screening.ineligible_bidder"),
    )
)

NON_COMPETITIVE = RULES.add(
    Rule(
        id="TENDERS-NON-COMPETITIVE",
        level=Level.RED,
        title="A project that must be tendered uses a non-competitive procedure",
        title_zh="应招标未招标",
        description="The tender uses a procedure other than open or invited tendering while its project uses "
        "public money (budget, state-owned, international loans: NDRC Order No. 16 of 2018, Art. 2–3) and its "
        "estimate reaches the threshold of its category (Art. 5: construction 4 million yuan, important goods 2 "
        "million, services 1 million; must_tender_fen). Such projects must be tendered (Tendering and Bidding Law "
        "Art. 3); the exceptions of Art. 66 and Implementing Regulation Art. 9 are for the inspector to weigh.",
        parameters=("must_tender_fen",),
        evidence=(
            "tender_id",
            "project_id",
            "procedure",
            "category",
            "funding_source",
            "estimate_fen",
            "threshold_fen",
        ),
        risk_point="tendering",
        evaluated_by=("tenders.flags.must_tender_threshold", "tenders.screening.tender_findings"),
    )
)

SHORT_PERIOD = RULES.add(
    Rule(
        id="TENDERS-SHORT-PERIOD",
        level=Level.RED,
        title="The bidding period of a must-tender project is too short",
        title_zh="招标文件发出至投标截止不足二十日",
        description="A tender of a project that must be tendered (public money, estimate at or above its category's "
        "threshold) gives bidders fewer than min_bid_days calendar days from the issue of the tender documents to "
        "the deadline, counted in the deployment's time zone. Tendering and Bidding Law Art. 24: for projects that "
        "must be tendered, at least twenty days (最短不得少于二十日). Cardinal's R003 (15 days by default) is the "
        "batch twin over OCDS data.",
        parameters=("min_bid_days", "must_tender_fen"),
        evidence=("tender_id", "published_on", "deadline_on", "days", "min_days", "estimate_fen", "threshold_fen"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.bid_days", "tenders.screening.tender_findings"),
    )
)

SPLIT_CONTRACT = RULES.add(
    Rule(
        id="TENDERS-SPLIT-CONTRACT",
        level=Level.ORANGE,
        title="A project's purchases split under the tendering threshold",
        title_zh="化整为零规避招标",
        description="Two or more tenders of one project and category, each below the must-tender threshold and "
        "not openly or invitation tendered, published within split_window_days, together reach it. Purchases of "
        "one project that could be combined must be tendered when their sum reaches the threshold (NDRC Order "
        "No. 16 of 2018, Art. 5 ¶2); splitting a project to evade tendering is forbidden (Tendering and Bidding "
        "Law Art. 4).",
        parameters=("must_tender_fen", "split_window_days"),
        evidence=("project_id", "category", "tender_ids", "estimates_fen", "total_fen", "threshold_fen"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.split_under_threshold", "tenders.screening.tender_findings"),
    )
)

CHANGE_ORDERS = RULES.add(
    Rule(
        id="TENDERS-CHANGE-ORDERS",
        level=Level.ORANGE,
        escalates_to=Level.RED,
        title="Change orders exceed a share of the contract price",
        title_zh="工程变更累计超比例",
        description="The change orders of a contract (the sum of their absolute amounts, approved or not) exceed "
        "change_order_percent % of the contract price (orange; 10 %: the ceiling the Government Procurement Law "
        "Art. 49 sets on additional purchases under a contract), red beyond change_order_red_percent %. A "
        "contract changed that much was not the contract that was tendered (Implementing Regulation Art. 57).",
        parameters=("change_order_percent", "change_order_red_percent"),
        evidence=("contract_id", "tender_id", "contract_fen", "changes_fen", "share_percent", "change_order_ids"),
        risk_point="change-orders",
        evaluated_by=("tenders.flags.change_order_level", "tenders.contracts.add_change_order"),
    )
)

SETTLEMENT_OVER = RULES.add(
    Rule(
        id="TENDERS-SETTLEMENT-OVER",
        level=Level.RED,
        title="The settlement exceeds the contract plus approved changes",
        title_zh="结算超合同价",
        description="The settled amount is above the contract price plus the approved change orders: money "
        "paid for work nobody approved.",
        evidence=("contract_id", "tender_id", "contract_fen", "approved_changes_fen", "settled_fen", "excess_fen"),
        risk_point="settlement",
        evaluated_by=("tenders.flags.settlement_excess", "tenders.contracts.settle"),
    )
)

BID_ROTATION = RULES.add(
    Rule(
        id="TENDERS-BID-ROTATION",
        level=Level.ORANGE,
        title="A group of bidders takes turns winning",
        title_zh="轮流中标/围标",
        description="A group of at least rotation_min_members enterprises bid together in at least "
        "rotation_min_tenders awarded tenders within rotation_window_days, every one of them won by a member, by "
        "at least rotation_min_members different winners and never the same one twice in a row. Bidders agreeing "
        "who wins is collusion (Implementing Regulation Art. 39 (2), (3); OCP red flag R057). The counts are "
        "detection choices.",
        parameters=("rotation_min_tenders", "rotation_min_members", "rotation_window_days"),
        evidence=("enterprise_ids", "tender_ids", "winners"),
        risk_point="tendering",
        evaluated_by=("tenders.flags.rotation", "tenders.screening.award_findings"),
    )
)

EXPERT_CONFLICT = RULES.add(
    Rule(
        id="TENDERS-EXPERT-CONFLICT",
        level=Level.RED,
        title="An evaluation expert has a conflict of interest",
        title_zh="评标专家应回避未回避",
        description="An expert who scored the bids works for a bidder or for the owner, is debarred, or was not "
        "drawn for this tender (members are drawn at random from the pool, Implementing Regulation Art. 46; "
        "anyone with an interest in a bidder is replaced, Tendering and Bidding Law Art. 37).",
        evidence=("tender_id", "lot_id", "expert_id", "reasons"),
        risk_point="evaluation",
        evaluated_by=("tenders.flags.expert_conflicts", "tenders.evaluation.evaluate"),
    )
)

EXPERT_OUTLIER = RULES.add(
    Rule(
        id="TENDERS-EXPERT-OUTLIER",
        level=Level.BLUE,
        title="An expert's scores stand far from the others'",
        title_zh="评标专家打分异常",
        description="An expert scored a bid more than outlier_points points away from the median of the other "
        "experts' scores of the same bid: worth a look at the expert's reasons (a routine, blue reminder).",
        parameters=("outlier_points",),
        evidence=("tender_id", "lot_id", "expert_id", "deviations"),
        risk_point="evaluation",
        evaluated_by=("tenders.flags.outlier_scores", "tenders.evaluation.evaluate"),
    )
)

COMPLAINT = RULES.add(
    Rule(
        id="TENDERS-COMPLAINT",
        level=Level.BLUE,
        title="A complaint names a tender with no red flag yet",
        title_zh="投诉举报涉及招标项目",
        description="A complaint or report (complaints.report.filed.v1) names a tender on which no rule has fired: a "
        "routine lead to keep in view. When the tender has findings, the complaint instead raises each of them one "
        "level (blue → orange → red), under the same dedupe key.",
        evidence=("report_id", "category", "tender_id", "filed_at"),
        risk_point="tendering",
        evaluated_by=("tenders.linkage.link_complaint",),
    )
)


# Cardinal's indicators that a single tender decides (no fence over a dataset), evaluated live as the tender
# is opened, awarded and contracted (``tenders.live``). The definitions are Cardinal's (cited per rule); the
# dataset-wide ones (R024, R025, R038, R048, R055, R058) need a population and stay in the batch run. R003
# (short submission period) is left to TENDERS-SHORT-PERIOD, which applies the Chinese statutory 20 days.
# R044 (tenderers sharing an address or contact) stays in the batch run too: live, TENDERS-LINKED-BIDDERS
# tests the same fact on the registers' keyed hashes of address and phone (the published release carries
# neither, so a live R044 could never fire), together with legal representative, shareholder, file and IP —
# a second warning for one fact would only double its weight in the integrity index.
_CARDINAL_LIVE = {
    "R018": (Level.ORANGE, "只有一家投标"),
    "R028": (Level.ORANGE, "不同投标人报价完全相同"),
    "R030": (Level.RED, "逾期投标中标"),
    "R035": (Level.ORANGE, "除中标人外其余投标均被否决"),
    "R036": (Level.ORANGE, "最低报价被否决"),
}


def _cardinal_rule(code: str) -> Rule:
    from tenders.indicators.catalogue import INDICATORS

    level, title_zh = _CARDINAL_LIVE[code]
    indicator = INDICATORS[code]
    return RULES.add(
        Rule(
            id=f"TENDERS-CARDINAL-{code}",
            level=level,
            title=f"Cardinal {code}: {indicator.title}",
            title_zh=title_zh,
            description=f"{indicator.description} The Open Contracting Partnership's red-flag indicator {code} "
            f"({indicator.source}), with Cardinal's defaults, computed over the tender's OCDS compiled release each "
            "time it is opened, awarded or contracted; a warning is sent when the indicator first fires or its "
            "evidence changes.",
            evidence=("tender_id", "ocid", "indicator", "value", "tenderers"),
            risk_point="tendering",
            evaluated_by=("tenders.indicators.engine.Engine", "tenders.live.cardinal_findings"),
            extra={"cardinal": code},
        )
    )


CARDINAL_LIVE = {code: _cardinal_rule(code) for code in _CARDINAL_LIVE}
