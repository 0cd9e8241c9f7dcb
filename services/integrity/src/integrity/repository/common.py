"""Query helpers and status sets shared by the repository modules. Nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sunlight.codes import parent_region, region_prefix
from sunlight.db import starts_with_digits

from integrity.models import DispositionStatus, WarningStatus

ACTIVE = (WarningStatus.OPEN, WarningStatus.IN_DISPOSITION)
ACTIVE_DISPOSITIONS = (DispositionStatus.OPEN, DispositionStatus.IN_PROGRESS)
NO_VALUE = 1000.0  # results without a value sort after every value (0–100)


def col(attribute: Any) -> Any:
    """An ORM attribute as a column expression (SQLModel's annotations hide it from type checkers)."""
    return attribute


def in_region(column: Any, region_code: str | None) -> ColumnElement[bool] | None:
    return starts_with_digits(column, region_prefix(region_code)) if region_code else None


def filtered(query: Any, *conditions: ColumnElement[bool] | None) -> Any:
    present = [c for c in conditions if c is not None]
    return query.where(*present) if present else query


def ancestors(region_code: str) -> list[str]:
    codes, code = [], region_code
    while code is not None:
        codes.append(code)
        code = parent_region(code)  # type: ignore[assignment]
    return codes
