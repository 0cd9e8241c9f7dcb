"""Cursor pagination: opaque cursors over a stable key (newest first by default).

A cursor encodes the sort key of the last item returned; the next page is everything
strictly after it. Unlike offsets, pages stay correct while rows are being added.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import and_, or_

from sunlight.errors import BadRequest
from sunlight.inputs import forbidden

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    """One page of results; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """``Page[MovementOut]`` is the schema ``MovementOutPage`` (not ``Page_MovementOut_``)."""
        return f"{getattr(params[0], '__name__', 'Item')}Page"


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
        except (ValueError, RecursionError):  # not base64 or JSON, or nested without end
            raise BadRequest("the cursor is not one this API gave out", field="cursor") from None
        # a cursor we gave out holds scalars only, and no text a database refuses
        if not isinstance(key, list) or not all(
            v is None or isinstance(v, int | float) or (isinstance(v, str) and not forbidden(v)) for v in key
        ):
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


def _parse(kind: type, value: Any) -> Any:
    if kind is object:  # a column type that names no Python type (SQLModel's AutoString): text as given
        if not isinstance(value, str):
            raise TypeError("text expected")
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(str(value))
    return kind(value)


def decode_after(page: PageParams, *kinds: type) -> list[Any] | None:
    """The cursor's key, each part parsed as ``kinds`` says; 400 when it is not one we gave out."""
    raw = page.after()
    if raw is None:
        return None
    try:
        if len(raw) != len(kinds):
            raise ValueError("wrong length")
        return [_parse(kind, value) for kind, value in zip(kinds, raw, strict=True)]
    except (ValueError, TypeError):
        raise BadRequest("the cursor is not one this API gave out", field="cursor") from None


def _python_type(column: Any) -> type:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return object


def keyset(query: Any, page: PageParams, *columns: Any, descending: bool = True) -> Any:
    """Order ``query`` by ``columns`` (the last one unique, e.g. the id), continue strictly after the
    cursor's key, and fetch one row more than the page (``make_page`` uses it to say there is more).
    The key's types come from the columns' own types."""
    after = decode_after(page, *(_python_type(column) for column in columns))
    if after is not None:
        beyond = [
            column < value if descending else column > value for column, value in zip(columns, after, strict=True)
        ]
        condition = beyond[-1]
        for index in range(len(columns) - 2, -1, -1):
            condition = or_(beyond[index], and_(columns[index] == after[index], condition))
        query = query.where(condition)
    order = [column.desc() if descending else column.asc() for column in columns]
    return query.order_by(*order).limit(page.limit + 1)


def page_sorted(
    rows: Sequence[Any],
    page: PageParams,
    key: Callable[[Any], Sequence[Any]],
    convert: Callable[[Any], T],
    kinds: Sequence[type],
) -> Page[T]:
    """A page of ``rows`` (already filtered) in ascending order of ``key`` (unique and immutable, e.g.
    ``(recorded_at, id)``): everything strictly after the cursor's key. For lists bounded by their parent
    (a programme's nodes, a payee's accounts) that are read whole anyway; a table's list pages in SQL
    (:func:`keyset`)."""
    rows = sorted(rows, key=lambda r: tuple(key(r)))
    after = decode_after(page, *kinds)
    if after is not None:
        mark = tuple(after)
        rows = [r for r in rows if tuple(key(r)) > mark]
    return make_page(rows[: page.limit + 1], page, key, convert)


class SortOrder(StrEnum):
    """The direction of a list's ``sort`` key."""

    ASC = "asc"
    """smallest (earliest, A first) first"""
    DESC = "desc"
    """largest (latest, Z first) first"""


ORDER_DESCRIPTION = "`asc` (smallest or earliest first) or `desc` (largest or latest first)"


def sorted_keyset(query: Any, page: PageParams, sort: str, order: SortOrder, column: Any, unique: Any) -> Any:
    """:func:`keyset` under a chosen ``sort``: ``column`` (whose values never change, so a row never moves past
    the cursor while a client pages), ties broken by ``unique`` in the same direction. The cursor carries the
    sort and the order; a cursor given out under another sort or order is 400 (start again without it)."""
    raw = page.after()
    inner = PageParams(limit=page.limit)
    if raw is not None:
        if len(raw) != 4 or raw[0] != sort or raw[1] != order.value:
            raise BadRequest("the cursor belongs to another sort or order; start again without it", field="cursor")
        inner = PageParams(cursor=encode_cursor(raw[2:]), limit=page.limit)
    return keyset(query, inner, column, unique, descending=order is SortOrder.DESC)


def sorted_page(
    rows: Sequence[Any],
    page: PageParams,
    sort: str,
    order: SortOrder,
    value: Callable[[Any], Any],
    unique: Callable[[Any], Any],
    convert: Callable[[Any], T],
) -> Page[T]:
    """The page of rows fetched by :func:`sorted_keyset`; the next cursor names the sort, the order and the
    last row's ``(value, unique)``."""
    return make_page(rows, page, lambda r: [sort, order.value, value(r), unique(r)], convert)
