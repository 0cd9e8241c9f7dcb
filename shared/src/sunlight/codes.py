"""Identifiers: USCC (GB 32100-2015), region codes (GB/T 2260), resident ID numbers (GB 11643).

Validation comes from python-stdnum (check characters, and its GB/T 2260 table of
division codes with their names). Region hierarchy is by prefix: ``130000`` (province)
contains ``130300`` (city), which contains ``130302`` (district) and the township
``130302001`` of the statistical division code. ``000000`` stands for the whole country.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

NATIONWIDE = "000000"


@cache
def _loc() -> Any:
    return numdb.get("cn/loc")  # the GB/T 2260 table shipped with python-stdnum, read on first use


def _strip(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def validate_uscc(value: str) -> str:
    """Return the USCC in canonical form or raise ``ValueError`` (checks its check character)."""
    try:
        return str(uscc.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid unified social credit code: {exc}") from None


def region_name(code: str) -> str | None:
    """The name of a 6-digit division code, or ``None`` when GB/T 2260 has no such code."""
    if code == NATIONWIDE:
        return "全国"
    if len(code) != 6 or not code.isdigit():
        return None
    parts = _loc().info(code)
    if len(parts) < 2 or "county" not in parts[1][1]:
        return None
    name = str(parts[1][1]["county"])
    return name.split("]", 1)[-1]  # "[1983-]海港区" → "海港区"


def validate_region(value: str) -> str:
    """A 6-digit GB/T 2260 code, or a 9/12-digit statistical code whose first 6 digits are one."""
    if not value.isdigit() or len(value) not in (6, 9, 12):
        raise ValueError("a region code has 6 digits (GB/T 2260), or 9/12 for townships and villages")
    if region_name(value[:6]) is None:
        raise ValueError(f"{value[:6]} is not a division code of GB/T 2260")
    return value


def region_prefix(code: str) -> str:
    """The prefix every code inside ``code`` starts with (``130300`` → ``1303``, ``000000`` → ``""``)."""
    while len(code) > 6 and code.endswith("000"):
        code = code[:-3]
    if len(code) > 6:
        return code
    while code.endswith("00"):
        code = code[:-2]
    return code


def region_contains(outer: str, inner: str) -> bool:
    """True when ``inner`` lies within (or is) ``outer``."""
    return inner.startswith(region_prefix(outer))


def parent_region(code: str) -> str | None:
    """The enclosing division: district → city → province → nationwide → ``None``."""
    prefix = region_prefix(code)
    if len(prefix) > 6:  # village → township, township → county
        return prefix[:-3]
    if len(prefix) == 6:
        return prefix[:4] + "00"
    if len(prefix) == 4:
        return prefix[:2] + "0000"
    if len(prefix) == 2:
        return NATIONWIDE
    return None


def validate_resident_id(value: str) -> str:
    """An 18-character resident identity number with a valid check character and birth date."""
    try:
        return str(ric.validate(value))
    except StdnumError as exc:
        raise ValueError(f"not a valid resident identity number: {exc}") from None


USCC = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(validate_uscc),
    Field(
        min_length=18,
        max_length=18,
        examples=["91110000600037341L"],
        description="Unified social credit code (GB 32100-2015), check character validated",
    ),
]
RegionCode = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(validate_region),
    Field(
        min_length=6,
        max_length=12,
        examples=["130302"],
        description="Administrative division code (GB/T 2260, 6 digits; 9/12 for townships/villages)",
    ),
]
ResidentId = Annotated[str, BeforeValidator(_strip), AfterValidator(validate_resident_id)]
