"""Warning rules of the integrity service (escalations of the register itself)."""

from __future__ import annotations

from sunlight.warnings import RuleRegistry

RULES = RuleRegistry("integrity")
