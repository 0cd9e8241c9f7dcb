"""``tenders-indicators [--settings FILE.ini] [--no-meta] [--count] FILE.jsonl``.

Prints one JSON object like ``ocdscardinal indicators``: ``OCID`` / ``Buyer`` /
``ProcuringEntity`` / ``Tenderer`` → identifier → code → value, plus ``Meta`` (quartiles and
fences, rounded to 4 decimals) unless ``--no-meta``. ``FILE`` may be ``-`` for standard input.
Without ``--settings`` every indicator runs with Cardinal's defaults (Cardinal itself would run
none). Exit status 2 for a bad argument or settings file, as argparse does.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import orjson

from tenders.indicators.engine import run
from tenders.indicators.parallel import run_file
from tenders.indicators.reader import iter_lines
from tenders.indicators.settings import SettingsError, load


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tenders-indicators",
        description="Calculate Cardinal's procurement red flags from OCDS compiled releases in a JSON Lines file.",
    )
    parser.add_argument("file", help='JSON Lines, one compiled release per line ("-" for standard input)')
    parser.add_argument("-s", "--settings", help="Cardinal's INI settings file (a section enables its indicator)")
    parser.add_argument("--no-meta", action="store_true", help='exclude the "Meta" key (quartiles and fences)')
    parser.add_argument(
        "-w",
        "--workers",
        type=int,
        default=None,
        help="processes for a file (default: one per core; 1: in-process)",
    )
    parser.add_argument("-c", "--count", action="store_true", help="print the number of results per group to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s > %(message)s")
    try:
        settings = load(args.settings)
    except SettingsError as e:
        parser.error(str(e))
    try:
        if args.file == "-":
            result = run(iter_lines(sys.stdin.buffer), settings)
        else:
            result = run_file(args.file, settings, workers=args.workers)
    except OSError as e:
        parser.error(f"{args.file}: {e.strerror or e}")
    sys.stdout.buffer.write(orjson.dumps(result.as_json(no_meta=args.no_meta)) + b"\n")
    if args.count:
        for group, idents in result.as_json().items():
            print(f"{group}: {len(idents)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
