"""The indicator run over a file on every core: Cardinal's fold/reduce (its rayon ``par_bridge``) in processes.

The file is cut into byte ranges at line boundaries; each worker process parses and folds its range
with its own :class:`Engine`; the parent merges the folds **in file order** (``Engine.merge``) and
computes the fences once. The result is the sequential one: per-process results are keyed by ocid
(a later line overwrites an earlier one, as in one pass), organisation counts are sums. One case
depends on order across ranges — the main currency when ``currency`` is not set and the file has
several — and then the run is redone in one pass, so the answer never depends on the cut.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import date
from pathlib import Path

from tenders.indicators.engine import Engine, run
from tenders.indicators.reader import iter_lines
from tenders.indicators.result import Result
from tenders.indicators.settings import Settings

MIN_PARALLEL_BYTES = 8 * 1024 * 1024  # below this, starting processes costs more than it saves


def _ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    size = path.stat().st_size
    starts = [0]
    with path.open("rb") as f:
        for i in range(1, parts):
            f.seek(size * i // parts)
            f.readline()  # to the start of the next line
            starts.append(max(f.tell(), starts[-1]))
    bounds = list(zip(starts, [*starts[1:], size], strict=True))
    return [(a, b) for a, b in bounds if b > a]


def _fold(path: str, start: int, end: int, settings: Settings, today: date) -> Engine:
    engine = Engine(settings, today=today)
    with open(path, "rb") as f:
        f.seek(start)
        position = start
        lines = []
        for line in f:
            if position >= end:
                break
            position += len(line)
            lines.append(line)
            if len(lines) == 4096:
                for release in iter_lines(lines):
                    engine.add(release)
                lines.clear()
        for release in iter_lines(lines):
            engine.add(release)
    return engine


def run_file(
    path: str | Path,
    settings: Settings | None = None,
    *,
    workers: int | None = None,
    today: date | None = None,
    min_bytes: int = MIN_PARALLEL_BYTES,
) -> Result:
    """Every enabled indicator over a JSON Lines file, on ``workers`` processes (default: every core)."""
    path = Path(path)
    settings = settings or Settings()
    today = today or date.today()
    workers = workers or os.cpu_count() or 1
    if workers > 1 and path.stat().st_size >= min_bytes:
        ranges = _ranges(path, workers)
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with context.Pool(len(ranges)) as pool:
            folds = pool.starmap(_fold, [(str(path), a, b, settings, today) for a, b in ranges])
        if settings.currency is not None or len({f.currency for f in folds if f.currency is not None}) <= 1:
            engine = folds[0]
            for fold in folds[1:]:
                engine.merge(fold)
            return engine.finish()
    with path.open("rb") as stream:
        return run(iter_lines(stream), settings, today=today)
