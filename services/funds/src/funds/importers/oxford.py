"""Oxford City Council "expenditure over £500" CSV files (Open Government Licence v3.0).

One row per payment: service area → expenditure category → expenditure code → payment (paid
date ``dd/mm/yyyy``, transaction number, amount, revenue or capital) → supplier id and name.
The header drifts between quarters of 2017 and the reader accepts every variant:

- Jan–Mar spells ``Expenditure Catergory``;
- Apr–Jun says ``Type`` instead of ``Type of Expenditure``;
- Jul–Sep adds a leading ``Client`` column and has no category (the expenditure code stands in);
- Oct–Dec has ``Client`` and the category.

Rows with a negative amount and a supplier are credit notes (the supplier paying money back)
and are read as such. Rows that are neither are skipped with their line number and reason:
amounts of zero, and rows without a supplier (the council's penny corrections).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sunlight.money import parse_minor_units

COLUMNS = {
    "client": "client",
    "service area": "service_area",
    "expenditure category": "category",
    "expenditure catergory": "category",
    "expenditure code": "code",
    "paid date": "paid_date",
    "trans no": "trans_no",
    "amount": "amount",
    "type of expenditure": "type",
    "type": "type",
    "supplier id": "supplier_id",
    "supplier name": "supplier_name",
}
REQUIRED = ("service_area", "code", "paid_date", "trans_no", "amount", "supplier_id", "supplier_name")


class OxfordFormatError(ValueError):
    """The file is not an Oxford expenditure file (the message says why, with the line)."""


@dataclass(frozen=True)
class OxfordPayment:
    line: int
    client: str | None
    service_area: str
    category: str  # the expenditure category, or the expenditure code when the file has no category
    code: str
    paid_on: date
    reference: str
    amount_minor: int  # pence (for a credit note: what the supplier paid back)
    type: str  # Revenue | Capital
    supplier_id: str
    supplier_name: str


@dataclass
class OxfordFile:
    payments: list[OxfordPayment] = field(default_factory=list)
    credits: list[OxfordPayment] = field(default_factory=list)  # credit notes: amount_minor is what came back
    skipped: list[tuple[int, str]] = field(default_factory=list)
    has_category: bool = True


def read(text: str) -> OxfordFile:
    """Parse one quarter's CSV text (a UTF-8 BOM is tolerated)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _read(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's limit: not a file this importer reads
        raise OxfordFormatError(f"line {reader.line_num}: not CSV ({exc})") from None


def _read(reader: Any) -> OxfordFile:
    try:
        header = next(reader)
    except StopIteration:
        raise OxfordFormatError("the file is empty") from None
    names = [COLUMNS.get(" ".join(h.split()).lower()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise OxfordFormatError(f"line 1: missing columns {', '.join(missing)}")
    out = OxfordFile(has_category="category" in names)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise OxfordFormatError(f"line {line}: {len(row)} fields, the header has {len(header)}")
        values = {name: cell.strip() for name, cell in zip(names, row, strict=True) if name}
        try:
            amount = parse_minor_units(values["amount"])
        except ValueError:
            raise OxfordFormatError(f"line {line}: {values['amount']!r} is not an amount") from None
        try:
            paid_on = datetime.strptime(values["paid_date"], "%d/%m/%Y").date()
        except ValueError:
            raise OxfordFormatError(f"line {line}: {values['paid_date']!r} is not a dd/mm/yyyy date") from None
        if amount == 0:
            out.skipped.append((line, f"amount {values['amount']} is not a payment"))
            continue
        if not values["supplier_id"]:
            kind = "a correction" if amount < 0 else "a payment"
            out.skipped.append((line, f"amount {values['amount']}: {kind} with no supplier"))
            continue
        (out.payments if amount > 0 else out.credits).append(
            OxfordPayment(
                line=line,
                client=values.get("client") or None,
                service_area=" ".join(values["service_area"].split()),
                category=values.get("category") or values["code"],
                code=values["code"],
                paid_on=paid_on,
                reference=values["trans_no"],
                amount_minor=abs(amount),
                type=values.get("type") or "Revenue",
                supplier_id=values["supplier_id"],
                supplier_name=values["supplier_name"] or f"supplier {values['supplier_id']}",
            )
        )
    return out
