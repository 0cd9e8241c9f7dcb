"""Shapes shared by several parts of the API."""

from __future__ import annotations

from typing import Literal

RULE_ID = r"^[A-Z]+(-[A-Z0-9]+)+$"
Period = str  # validated by PERIOD_PATTERN where it enters
Depth = Literal["province", "city", "county", "township"]
DEPTH_DIGITS: dict[str, int] = {"province": 2, "city": 4, "county": 6, "township": 9}
