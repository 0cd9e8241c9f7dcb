"""Warning rules of the complaints service (the registry behind GET /v1/complaints/rules)."""

from __future__ import annotations

from sunlight.warnings import RuleRegistry

RULES = RuleRegistry("complaints")
