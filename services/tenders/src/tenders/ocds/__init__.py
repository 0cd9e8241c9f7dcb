"""OCDS in and out for the tenders service — pure Python, no database.

- :func:`read` streams releases/records out of any OCDS 1.0/1.1 shape (``reader.py``);
- :func:`processes` turns them into one compiled release per ocid (``compile.py``, ocdsmerge);
- :func:`import_file` does both and reports progress;
- ``export.py`` builds OCDS 1.1 releases, records and packages from a :class:`TenderDoc`;
- ``schema.py`` holds the official OCDS 1.1 schema (+ Bids extension) and validates against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from tenders.ocds.compile import Outcome, Process, Skipped, from_versioned, processes, unversion
from tenders.ocds.reader import (
    Item,
    MalformedJsonError,
    NotUtf8Error,
    OcdsImportError,
    Package,
    Progress,
    UnknownFormatError,
    read,
)


def import_file(
    source: str | Path | IO[bytes],
    *,
    encoding: str | None = None,
    progress: Callable[[Progress], None] | None = None,
    every: int = 1000,
    outcome: Outcome | None = None,
) -> tuple[Package, Iterator[Process]]:
    """Read ``source`` and yield one :class:`Process` (compiled release + releases) per ocid."""
    package, items = read(source, encoding=encoding, progress=progress, every=every)
    return package, processes(items, outcome)


__all__ = [
    "Item",
    "MalformedJsonError",
    "NotUtf8Error",
    "OcdsImportError",
    "Outcome",
    "Package",
    "Process",
    "Progress",
    "Skipped",
    "UnknownFormatError",
    "from_versioned",
    "import_file",
    "processes",
    "read",
    "unversion",
]
