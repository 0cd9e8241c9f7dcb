"""``approvals-check --mapping MAP.toml FILE.xes``: the case rules over a process log, for analysts.

Prints one JSON object ``{rule_id: {case_id: evidence}}`` — every rule that applies to logs, with the
traces (by ``concept:name``) that break it — on stdout, and a one-line summary on stderr. Exit status 0;
2 when the mapping or the log cannot be read or a date lies outside the working-day calendar (the
message says which; load the year with SUNLIGHT_CALENDAR_FILE or use clock = "calendar_days").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from sunlight.workdays import CalendarNotCovered, WorkdayCalendar
from sunlight.xes import XesError

from approvals.logcheck import check_log
from approvals.mapping import MappingError, load_mapping


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="approvals-check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mapping", required=True, help="the TOML mapping of the log onto the catalogue")
    parser.add_argument("log", help="an XES log (.xes or gzip)")
    args = parser.parse_args(argv)
    try:
        mapping = load_mapping(args.mapping)
        calendar = WorkdayCalendar.configured(os.environ.get("SUNLIGHT_CALENDAR_FILE") or None)
        report = check_log(args.log, mapping, calendar)
    except (MappingError, XesError, FileNotFoundError) as exc:
        print(f"approvals-check: {exc}", file=sys.stderr)
        return 2
    except CalendarNotCovered as exc:
        print(f"approvals-check: {exc.detail}", file=sys.stderr)
        return 2
    json.dump(report.findings, sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    counts = ", ".join(f"{rule} {len(cases)}" for rule, cases in sorted(report.findings.items()))
    print(f"{report.traces} traces, {report.events} events, {report.unmatched} unmatched; {counts}", file=sys.stderr)
    return 0


def cli() -> None:
    sys.exit(main())


if __name__ == "__main__":
    cli()
