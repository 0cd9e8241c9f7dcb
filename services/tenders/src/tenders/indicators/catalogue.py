"""What each indicator is, for people and for the rule registry (titles and outputs from Cardinal's docs).

``defaults`` are Cardinal's (``None`` = a fence fitted on the data: Q1 − 1.5·IQR or Q3 + 1.5·IQR);
``source`` is the page that documents the definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOCS = "open-contracting/cardinal-rs docs/cli/indicators/R/"


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    description: str
    groups: tuple[str, ...]
    value: str
    defaults: dict[str, object] = field(default_factory=dict)
    source: str = ""


def _i(code: str, title: str, description: str, groups: tuple[str, ...], value: str, **defaults: object) -> Indicator:
    number = code[1:]
    source = f"{DOCS}{number}.md"
    if code == "R044":
        source += " (branch r044, 1891189)"
    if code == "R055":
        source = "open-contracting/cardinal-rs src/indicators/r055.rs (branch r055, 7e7737f; undocumented draft)"
    return Indicator(code, title, description, groups, value, defaults, source)


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        _i(
            "R003",
            "Short submission period",
            "The submission period is shorter than the threshold in whole days.",
            ("OCID",),
            "1.0",
            threshold=15,
            procurement_methods="",
        ),
        _i(
            "R018",
            "Single bid received",
            "Only one tenderer submitted a bid in an open or selective procedure.",
            ("OCID",),
            "1.0",
            procurement_methods="open|selective",
        ),
        _i(
            "R024",
            "Price close to winning bid",
            "The difference between the winning bid and the second-lowest valid bid is a low outlier.",
            ("OCID", "Tenderer"),
            "difference (process); 0.0 (winner and runner-up)",
            threshold=None,
        ),
        _i(
            "R025",
            "Excessive unsuccessful bids",
            "The ratio of winning bids to valid bids for a top tenderer is a low outlier.",
            ("Tenderer",),
            "ratio",
            percentile=75,
            threshold=None,
        ),
        _i(
            "R028",
            "Identical bid prices",
            "Different tenderers submitted bids with the same price.",
            ("OCID", "Tenderer"),
            "1.0",
        ),
        _i(
            "R030",
            "Late bid won",
            "The winning bid was received after the submission deadline.",
            ("OCID", "Tenderer"),
            "1.0",
        ),
        _i(
            "R035",
            "All except winning bid disqualified",
            "Bids are disqualified if not submitted by the single tenderer of the winning bid.",
            ("OCID", "Tenderer"),
            "number of disqualified tenderers (process); 0.0 (winner)",
            threshold=1,
        ),
        _i(
            "R036",
            "Lowest bid disqualified",
            "The lowest submitted bid is disqualified, while the award criterion is price only.",
            ("OCID",),
            "1.0",
        ),
        _i(
            "R038",
            "Excessive disqualified bids",
            "The ratio of disqualified to submitted bids is a high outlier per buyer, procuring entity or tenderer.",
            ("Buyer", "ProcuringEntity", "Tenderer"),
            "ratio",
            threshold=None,
            minimum_submitted_bids=2,
            minimum_contracting_processes=2,
        ),
        _i(
            "R044",
            "Business similarities between suppliers",
            "Different tenderers in one process share an address or the first contact field both give.",
            ("OCID", "Tenderer"),
            "1.0",
        ),
        _i(
            "R048",
            "Heterogeneous supplier",
            "The variety of items supplied by a tenderer is a high outlier.",
            ("Tenderer",),
            "variety",
            digits=2,
            threshold=None,
            minimum_contracting_processes=20,
        ),
        _i(
            "R055",
            "Multiple direct awards above the competitive threshold",
            "A buyer's (or procuring entity's) direct awards to one supplier within the window add up to at least "
            "the smallest open tender's value.",
            ("Buyer", "ProcuringEntity", "Tenderer"),
            "total directly awarded",
            threshold=None,
            start_date="today − 365 days",
            end_date="today",
        ),
        _i(
            "R058",
            "Heavily discounted bid",
            "The difference between the winning bid and the second-lowest valid bid is a high outlier.",
            ("OCID", "Tenderer"),
            "difference (process); 0.0 (winner)",
            threshold=None,
        ),
    )
}
