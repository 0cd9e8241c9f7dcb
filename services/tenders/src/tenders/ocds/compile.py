"""From streamed OCDS items to one compiled release per contracting process (ocid).

- A record with a ``compiledRelease`` gives it as is (its embedded full releases are kept);
  a record with only embedded full releases is merged with ocdsmerge; a record whose releases
  are only **links** (url, date, tag) is never dereferenced — its ``compiledRelease`` or, failing
  that, its ``versionedRelease`` is used, else the process is reported as skipped.
- A release tagged ``compiled`` is taken as is; a versioned release becomes the compiled release of
  its latest values (:func:`unversion`).
- Plain releases are grouped by ocid and merged with ocdsmerge (``Merger.create_compiled_release``,
  merge rules from our local OCDS 1.1 schema): since one process's releases may be anywhere in
  the file, they are spilled to a temporary SQLite file (stdlib ``sqlite3``) and read back grouped,
  so memory holds one process at a time, not the file.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from ocdsmerge.exceptions import OCDSMergeError

from tenders.ocds.reader import Item
from tenders.ocds.schema import merger


@dataclass
class Process:
    ocid: str
    compiled: dict[str, Any]
    releases: list[dict[str, Any]] = field(default_factory=list)  # full releases, when the input had them
    source: str = "release"  # "release", "compiled", "record", "versioned"


@dataclass
class Skipped:
    ocid: str | None
    reason: str


@dataclass
class Outcome:
    """Counts for the caller's report; ``skipped`` lists what could not be compiled and why."""

    processes: int = 0
    releases: int = 0
    records: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def _full(release: Any) -> bool:
    return isinstance(release, dict) and "url" not in release and ("date" in release or "tag" in release)


def unversion(value: Any) -> Any:
    """A versioned release's latest values (each ``[{releaseID, releaseDate, value}, …]`` → last ``value``)."""
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "releaseID" in value[0] and "value" in value[0]:
            return unversion(value[-1]["value"])
        return [unversion(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            plain = unversion(v)
            if plain is not None:
                out[key] = plain
        return out
    return value


def _latest_date(value: Any) -> str | None:
    latest: str | None = None
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            date = v.get("releaseDate")
            if isinstance(date, str) and "releaseID" in v and (latest is None or date > latest):
                latest = date
            stack.extend(v.values())
    return latest


def from_versioned(versioned: dict[str, Any]) -> dict[str, Any]:
    compiled = unversion(versioned)
    date = _latest_date(versioned)
    compiled["tag"] = ["compiled"]
    if date is not None:
        compiled.setdefault("date", date)
        compiled["id"] = f"{compiled.get('ocid')}-{date}"
    return compiled  # type: ignore[no-any-return]


def _merge(ocid: str, releases: list[dict[str, Any]], outcome: Outcome) -> dict[str, Any] | None:
    try:
        return merger().create_compiled_release(releases)
    except (OCDSMergeError, TypeError, KeyError) as e:
        outcome.skipped.append(Skipped(ocid, f"releases cannot be merged: {e}"))
        return None


def processes(items: Iterable[Item], outcome: Outcome | None = None) -> Iterator[Process]:
    """Compiled processes from items; records and compiled releases stream, plain releases come at the end."""
    outcome = outcome if outcome is not None else Outcome()
    with tempfile.TemporaryDirectory(prefix="ocds-merge-") as tmp:
        spill = sqlite3.connect(Path(tmp) / "releases.sqlite")
        try:
            spill.execute("CREATE TABLE r (ocid TEXT NOT NULL, n INTEGER NOT NULL, body BLOB NOT NULL)")
            n = 0
            for item in items:
                data = item.data
                ocid = data.get("ocid")
                if not isinstance(ocid, str) or not ocid:
                    outcome.skipped.append(Skipped(None, f"a {item.kind} without an ocid"))
                    continue
                if item.kind == "record":
                    outcome.records += 1
                    process = _record(ocid, data, outcome)
                elif item.kind == "versioned":
                    process = Process(ocid, from_versioned(data), source="versioned")
                elif "compiled" in (data.get("tag") or ()):
                    process = Process(ocid, data, source="compiled")
                else:
                    outcome.releases += 1
                    n += 1
                    spill.execute("INSERT INTO r VALUES (?, ?, ?)", (ocid, n, orjson.dumps(data)))
                    continue
                if process is not None:
                    outcome.processes += 1
                    yield process
            spill.execute("CREATE INDEX r_ocid ON r (ocid, n)")
            group: list[dict[str, Any]] = []
            current = None
            for ocid, body in spill.execute("SELECT ocid, body FROM r ORDER BY ocid, n"):
                if ocid != current and group:
                    yield from _merged(current, group, outcome)  # type: ignore[arg-type]
                    group = []
                current = ocid
                group.append(orjson.loads(body))
            if group:
                yield from _merged(current, group, outcome)  # type: ignore[arg-type]
        finally:
            spill.close()


def _merged(ocid: str, releases: list[dict[str, Any]], outcome: Outcome) -> Iterator[Process]:
    compiled = _merge(ocid, releases, outcome)
    if compiled is not None:
        outcome.processes += 1
        yield Process(ocid, compiled, releases=releases, source="release")


def _record(ocid: str, record: dict[str, Any], outcome: Outcome) -> Process | None:
    releases = record.get("releases")
    full = [r for r in releases if _full(r)] if isinstance(releases, list) else []
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return Process(ocid, compiled, releases=full, source="record")
    if full:
        merged = _merge(ocid, full, outcome)
        return Process(ocid, merged, releases=full, source="record") if merged is not None else None
    versioned = record.get("versionedRelease")
    if isinstance(versioned, dict):
        return Process(ocid, from_versioned(versioned), source="record")
    outcome.skipped.append(Skipped(ocid, "a record with linked releases only and no compiledRelease (not fetched)"))
    return None
