"""Warning rules of the approvals service (the registry behind GET /v1/approvals/rules)."""

from __future__ import annotations

from sunlight.warnings import RuleRegistry

RULES = RuleRegistry("approvals")
