"""NYC 311 service requests (NYC Open Data CSV) → hotline records for ``POST /v1/complaints/reports/batch``.

Columns used: ``Unique Key`` (the record's id), ``Created Date`` / ``Closed Date`` / ``Due Date``
(``MM/DD/YYYY hh:mm:ss AM`` in New York time), ``Complaint Type``, ``Descriptor``, ``Incident Address``.
The text of a record is its type, descriptor and address (what a handler reads; sealed like any report's).
311 has no Chinese region code: the caller names the region the records are filed under.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
FORMAT = "%m/%d/%Y %I:%M:%S %p"


def parse_time(value: str, zone: ZoneInfo = NEW_YORK) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    return datetime.strptime(value, FORMAT).replace(tzinfo=zone)


def records(path: Path, *, region_code: str, zone: ZoneInfo = NEW_YORK) -> Iterator[dict[str, Any]]:
    """One hotline record (the JSON of ``HotlineRecordIn``) per row that has a creation time and a type."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            received = parse_time(row["Created Date"], zone)
            kind = row["Complaint Type"].strip()
            if received is None or not kind:
                continue
            text = " — ".join(p for p in (kind, row["Descriptor"].strip(), row["Incident Address"].strip()) if p)
            due, closed = parse_time(row["Due Date"], zone), parse_time(row["Closed Date"], zone)
            if closed is not None and closed < received:
                closed = None  # a closing time before the creation is a clerical error: treated as open
            yield {
                "external_id": f"NYC311-{row['Unique Key'].strip()}",
                "category": "service_request",
                "region_code": region_code,
                "text": text,
                "received_at": received.isoformat(),
                "due_at": due.isoformat() if due else None,
                "closed_at": closed.isoformat() if closed else None,
            }
