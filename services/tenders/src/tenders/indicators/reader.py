"""JSON Lines of compiled releases, read as Cardinal does: one JSON text per line, bad lines skipped.

A line that is not JSON (or not UTF-8) is skipped with a warning naming its number, a blank line
silently — Cardinal's ``indicators`` does the same. Parsing is orjson's (bytes in, no decode step).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

log = logging.getLogger("tenders.indicators")


def iter_lines(stream: IO[bytes] | Iterable[bytes]) -> Iterator[Any]:
    loads = orjson.loads
    for number, line in enumerate(stream, 1):
        try:
            yield loads(line)
        except orjson.JSONDecodeError as e:
            if line.strip():
                log.warning("Line %d is invalid JSON, skipping. [%s]", number, e)


def read_jsonl(path: str | Path) -> Iterator[Any]:
    with open(path, "rb") as stream:
        yield from iter_lines(stream)
