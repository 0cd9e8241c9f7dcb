"""Cursor pagination: opaque cursors over a stable key (newest first by default).

A cursor encodes the sort key of the last item returned; the next page is everything
strictly after it. Unlike offsets, pages stay correct while rows are being added.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from sunlight.errors import BadRequest

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of results; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    cursor: str | None = None
    limit: int = 50

    def after(self) -> list[Any] | None:
        """The decoded sort key of the last item of the previous page."""
        if not self.cursor:
            return None
        try:
            padded = self.cursor + "=" * (-len(self.cursor) % 4)
            key = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, json.JSONDecodeError):
            raise BadRequest("the cursor is not one this API gave out", field="cursor") from None
        if not isinstance(key, list):
            raise BadRequest("the cursor is not one this API gave out", field="cursor")
        return key


def page_params(
    cursor: Annotated[str | None, Query(description="Opaque cursor from a previous page's next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–500)")] = 50,
) -> PageParams:
    return PageParams(cursor=cursor, limit=limit)


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def make_page(
    rows: Sequence[Any], params: PageParams, key: Callable[[Any], Sequence[Any]], convert: Callable[[Any], T]
) -> Page[T]:
    """Build a page from ``limit + 1`` fetched rows: the extra row only says there is more."""
    more = len(rows) > params.limit
    shown = rows[: params.limit]
    return Page[T](
        items=[convert(r) for r in shown], next_cursor=encode_cursor(key(shown[-1])) if more and shown else None
    )
