"""Warning rules of the funds service (the registry behind GET /v1/funds/rules)."""

from __future__ import annotations

from sunlight.warnings import Level, Rule, RuleRegistry

RULES = RuleRegistry("funds")

OVERSPEND = RULES.add(
    Rule(
        id="FUNDS-OVERSPEND",
        level=Level.RED,
        title="A node tried to pass on or spend more than it holds",
        title_zh="超额拨付/支出",
        description="A movement asked for more than the source node had received minus what it had already "
        "passed on or spent. The ledger refused it; the attempt itself is the finding.",
        evidence=("programme_id", "node_id", "kind", "requested_fen", "available_fen", "to_node_id", "refusal_id"),
        risk_point="fund-allocation",
    )
)
