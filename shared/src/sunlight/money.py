"""Money is integer fen (1/100 yuan) everywhere: storage, API (``amount_fen``), sums in SQL."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import Field

MAX_FEN = 10**15  # ten trillion yuan: far above any programme, far below int64

Fen = Annotated[
    int, Field(strict=True, ge=0, le=MAX_FEN, description="Amount in fen (1/100 yuan), an integer (not a string)")
]
SignedFen = Annotated[int, Field(strict=True, ge=-MAX_FEN, le=MAX_FEN, description="Signed amount in fen")]


def format_yuan(fen: int) -> str:
    """12345678 → '123,456.78'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


_NON_NUMERIC = re.compile(r"[^\d.,\-]")


def parse_minor_units(text: str, *, decimal_mark: str = ".") -> int:
    """Parse an amount string into integer minor units without ever going through float.

    ``"5.172.338,50 kn"`` with ``decimal_mark=","`` → 517233850; ``"£1,234.5"`` → 123450.
    Raises ``ValueError`` for anything that is not an amount or has more than 2 decimals.
    """
    cleaned = _NON_NUMERIC.sub("", text.strip())
    group_mark = "," if decimal_mark == "." else "."
    cleaned = cleaned.replace(group_mark, "")
    if decimal_mark != ".":
        cleaned = cleaned.replace(decimal_mark, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    minor = value * 100
    if minor != minor.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(minor)
