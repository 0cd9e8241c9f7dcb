"""The dataset-wide half of the indicators: quartiles and fences over what :class:`Engine` accumulated.

R024/R058 (second-lowest-bid differences), R025 (win ratios of top tenderers), R038 (disqualified
ratios per buyer, procuring entity, tenderer), R048 (item variety of suppliers), R055 (direct
awards against the smallest open tender) — in Cardinal's order, with its guards (a fence of 0 or
NaN flags nothing where Cardinal skips; NaN compares false).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tenders.indicators import stats

if TYPE_CHECKING:
    from tenders.indicators.engine import Engine


def finalize(engine: Engine) -> None:
    s, on = engine.settings, engine.settings.enabled
    if "R024" in on:
        if s.r024_threshold is None:
            q1, q3 = stats.quartiles(engine.ratios.values())
            engine.note("R024", "q1", q1)
            engine.note("R024", "q3", q3)
            fence = stats.lower_fence(q1, q3)
        else:
            fence, q1 = s.r024_threshold, 1.0
        engine.note("R024", "lower_fence", fence)
        if q1 > 0.0 and fence > 0.0:
            for ocid, ratio in engine.ratios.items():
                if ratio <= fence:
                    engine.flag("OCID", ocid, "R024", ratio)
                    for tid in engine.pairs[ocid]:
                        engine.flag("Tenderer", tid, "R024", 0.0)
    if "R025" in on:
        top = stats.quantile((f[1] for f in engine.r025.values()), s.r025_percentile / 100)
        if s.r025_threshold is None:
            q1, q3 = stats.quartiles(f[0] / f[1] for f in engine.r025.values())
            engine.note("R025", "q1", q1)
            engine.note("R025", "q3", q3)
            fence = stats.lower_fence(q1, q3)
        else:
            fence, q1 = s.r025_threshold, 1.0
        engine.note("R025", "upper_fence", top)
        engine.note("R025", "lower_fence", fence)
        if q1 > 0.0 and fence > 0.0:
            for tid, (won, bid) in engine.r025.items():
                if bid >= top and won / bid <= fence:
                    engine.flag("Tenderer", tid, "R025", won / bid)
    if "R038" in on:
        for group in ("Buyer", "ProcuringEntity", "Tenderer"):
            minimum = s.r038_minimum_submitted_bids if group == "Tenderer" else s.r038_minimum_contracting_processes
            ratios = {i: f[0] / f[1] for i, f in engine.r038[group].items() if f[1] >= minimum}
            if not ratios:
                continue
            if s.r038_threshold is None:
                q1, q3 = stats.quartiles(ratios.values())
                engine.note("R038", f"{group}_q1", q1)
                engine.note("R038", f"{group}_q3", q3)
                fence = stats.upper_fence(q1, q3)
            else:
                fence = s.r038_threshold
            engine.note("R038", f"{group}_upper_fence", fence)
            if fence > 0.0:
                for oid, ratio in ratios.items():
                    if ratio >= fence:
                        engine.flag(group, oid, "R038", ratio)
    if "R048" in on:
        lengths = {
            sid: float(len(codes))
            for sid, (count, codes) in engine.r048.items()
            if count[0] >= s.r048_minimum_contracting_processes
        }
        if s.r048_threshold is None:
            q1, q3 = stats.quartiles(lengths.values())
            engine.note("R048", "q1", q1)
            engine.note("R048", "q3", q3)
            fence = stats.upper_fence(q1, q3)
        else:
            fence = float(s.r048_threshold)
        engine.note("R048", "upper_fence", fence)
        for sid, length in lengths.items():
            if length >= fence:
                engine.flag("Tenderer", sid, "R048", length)
    if "R055" in on:
        floor = s.r055_threshold if s.r055_threshold is not None else min(engine.r055_open, default=math.nan)
        engine.note("R055", "lower_open_amount", floor)
        for group, pairs in engine.r055_pairs.items():
            for (oid, sid), amount in pairs.items():
                if amount >= floor:
                    engine.flag(group, oid, "R055", max(amount, engine.res[group].get(oid, {}).get("R055", 0.0)))
                    previous = engine.res["Tenderer"].get(sid, {}).get("R055", 0.0)
                    engine.flag("Tenderer", sid, "R055", max(amount, previous))
    if "R058" in on:
        if s.r058_threshold is None:
            q1, q3 = stats.quartiles(engine.ratios.values())
            engine.note("R058", "q1", q1)
            engine.note("R058", "q3", q3)
            fence = stats.upper_fence(q1, q3)
        else:
            fence = s.r058_threshold
        engine.note("R058", "upper_fence", fence)
        if fence > 0.0:
            for ocid, ratio in engine.ratios.items():
                if ratio >= fence:
                    engine.flag("OCID", ocid, "R058", ratio)
                    engine.flag("Tenderer", engine.pairs[ocid][0], "R058", 0.0)
