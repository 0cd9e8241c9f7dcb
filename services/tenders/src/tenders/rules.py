"""Warning rules of the tenders service (the registry behind GET /v1/tenders/rules)."""

from __future__ import annotations

from sunlight.warnings import RuleRegistry

RULES = RuleRegistry("tenders")
