"""The output of an indicator run: Cardinal's JSON shape (``indicators --no-meta``) plus ``Meta``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")


@dataclass
class Result:
    """Cardinal's ``indicators`` output: ``results[group][identifier][code] = value`` and ``meta``."""

    results: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    meta: dict[str, dict[str, float | None]] = field(default_factory=dict)
    releases: int = 0  # lines read that were JSON objects with a string ocid

    def as_json(self, *, no_meta: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            group: {i: {code: _finite(v) for code, v in codes.items()} for i, codes in self.results[group].items()}
            for group in GROUPS
            if self.results.get(group)
        }
        if not no_meta:
            out["Meta"] = self.meta
        return out

    def counts(self) -> dict[str, dict[str, int]]:
        """How many identifiers each code flagged, per group (a summary for people and benches)."""
        tally: dict[str, dict[str, int]] = {}
        for group, idents in self.results.items():
            for codes in idents.values():
                for code in codes:
                    tally.setdefault(group, {}).setdefault(code, 0)
                    tally[group][code] += 1
        return {g: dict(sorted(c.items())) for g, c in tally.items()}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None  # serde_json writes NaN/inf as null
