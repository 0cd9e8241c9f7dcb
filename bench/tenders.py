"""Tenders: the indicator run and the OCDS import parse path, each beside a plain orjson parse, in one run.

    .venv/bin/python bench/tenders.py                       # 100,000 generated processes (bench/tenders_gen.py)
    .venv/bin/python bench/tenders.py --count 20000 --rounds 3
    .venv/bin/python bench/tenders.py --write               # and append the figures to docs/benchmarks.md (make bench)

(a) *parse*: every line of ``compiled.jsonl`` through ``orjson.loads`` (nothing else);
(b) *indicators*: ``tenders.indicators.run`` over the same file with every indicator enabled
    (read + parse + all 13 indicators + fences), as ``tenders-indicators FILE`` does;
(c) *import*: the same releases as one release package through ``tenders.ocds`` (sniff, ijson
    streaming, UTF-8 guard, compiled releases to processes) — no database — beside
    ``orjson.loads`` of the whole package file.
Best of ``--rounds`` for each, in the same process. Targets (issue 11): indicators ≤ 3× parse,
import ≤ 5× parse. Not a test: run by hand; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# This file is bench/tenders.py: its folder must not shadow the ``tenders`` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import orjson  # noqa: E402
from tenders.indicators import run, run_file  # noqa: E402
from tenders.indicators.reader import read_jsonl  # noqa: E402
from tenders.ocds import Outcome, import_file  # noqa: E402

_spec = importlib.util.spec_from_file_location("tenders_gen", HERE / "tenders_gen.py")
assert _spec and _spec.loader
tenders_gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tenders_gen)
generate = tenders_gen.generate


WALL: dict[str, float] = {}


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the parallel run's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best(rounds: int, fn: Callable[[], object], name: str = "") -> tuple[float, object]:
    """Best CPU time of the process over ``rounds`` (the machine is shared: wall time is noted aside)."""
    times, walls, result = [], [], None
    for _ in range(rounds):
        gc.collect()
        started, wall = cpu(), time.perf_counter()
        result = fn()
        times.append(cpu() - started)
        walls.append(time.perf_counter() - wall)
    WALL[name] = min(walls)
    return min(times), result


def parse_lines(path: Path) -> int:
    n = 0
    loads = orjson.loads
    with path.open("rb") as f:
        for line in f:
            loads(line)
            n += 1
    return n


def parse_package(path: Path) -> object:
    """orjson of the whole package with the cyclic GC off: with it on, the collector walks the growing
    tree again and again and the parse takes 6–7× as long (9.5 s instead of 1.3 s for 100,000
    releases) — a baseline that slow would flatter the import."""
    data = path.read_bytes()
    gc.disable()
    try:
        return orjson.loads(data)
    finally:
        gc.enable()


def import_package(path: Path) -> Outcome:
    outcome = Outcome()
    _, processes = import_file(path, outcome=outcome)
    for _ in processes:
        pass
    return outcome


def measure(count: int, rounds: int, folder: Path) -> tuple[str, list[str]]:
    """Generate (when needed) and time; returns the report's title and markdown lines."""
    jsonl, package = folder / "compiled.jsonl", folder / "package.json"
    if not jsonl.exists() or not package.exists() or sum(1 for _ in jsonl.open("rb")) != count:
        jsonl, package = generate(count, folder)
    size = jsonl.stat().st_size / 2**20

    t_parse, n = best(rounds, lambda: parse_lines(jsonl), "a")
    t_ind, result = best(rounds, lambda: run(read_jsonl(jsonl)), "b")
    t_par, parallel = best(rounds, lambda: run_file(jsonl, workers=os.cpu_count()), "b2")
    assert parallel.as_json() == result.as_json()  # type: ignore[union-attr]
    t_pkg, _ = best(rounds, lambda: parse_package(package), "p")
    t_import, outcome = best(rounds, lambda: import_package(package), "c")
    assert isinstance(n, int)
    load = os.getloadavg()[0]
    lines = [
        f"`.venv/bin/python bench/tenders.py --count {count} --rounds {rounds}` — {n:,} generated compiled releases "
        f"with 1–8 bids each (`bench/tenders_gen.py`, {size:.0f} MiB of JSON Lines; the same releases as one release "
        f"package for the import), best of {rounds} by CPU time of the process and, apart, by wall time (load "
        f"average {load:.1f} on the machine at the end of the run; wall times mean something only near 0).",
        "",
        "| step | CPU s | releases/s (CPU) | × parse (CPU) | wall s | × parse (wall) |",
        "|---|---|---|---|---|---|",
        f"| (a) orjson parse, line by line | {t_parse:.2f} | {n / t_parse:,.0f} | 1.00 | {WALL['a']:.2f} | 1.00 |",
        f"| (b) indicator run in one process: read + parse + 13 indicators + fences | {t_ind:.2f} | "
        f"{n / t_ind:,.0f} | {t_ind / t_parse:.2f} | {WALL['b']:.2f} | {WALL['b'] / WALL['a']:.2f} |",
        f"| (b′) the same on {os.cpu_count()} processes (`run_file`, the command's default; CPU = all processes) | "
        f"{t_par:.2f} | {n / t_par:,.0f} | {t_par / t_parse:.2f} | {WALL['b2']:.2f} | {WALL['b2'] / WALL['a']:.2f} |",
        f"| orjson parse of the whole package file (cyclic GC off) | {t_pkg:.2f} | {n / t_pkg:,.0f} | 1.00 | "
        f"{WALL['p']:.2f} | 1.00 |",
        f"| (c) OCDS import parse path: ijson stream → processes (no database) | {t_import:.2f} | "
        f"{n / t_import:,.0f} | {t_import / t_pkg:.2f} | {WALL['c']:.2f} | {WALL['c'] / WALL['p']:.2f} |",
        "",
        f"Targets (issue 11): indicator run ≤ 3× parse, import ≤ 5× parse. Flags raised: {result.counts()}; "  # type: ignore[union-attr]
        f"processes imported: {outcome.processes:,}.",  # type: ignore[union-attr]
    ]
    return "Tenders: indicators and OCDS import", lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path("var/bench/tenders"))
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()
    title, lines = measure(args.count, args.rounds, args.dir)
    print(f"## {title}\n")
    print("\n".join(lines))
    if args.write:
        _spec = importlib.util.spec_from_file_location("bench_common", HERE / "common.py")
        assert _spec and _spec.loader
        common = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(common)
        common.append_report(title, lines)


if __name__ == "__main__":
    main()
