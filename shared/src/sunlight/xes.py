"""Reading XES event logs (IEEE 1849-2016) as a stream: one trace at a time, gzip or plain (approvals reads
process logs with it, complaints lifecycle logs).

lxml's ``iterparse`` reads the XML incrementally; each ``<trace>`` is turned into a ``Trace`` and
then cleared (and its finished siblings dropped), so memory stays at one trace however large
the log. The log's own attributes, extensions, globals and classifiers are skipped. Attribute
values are typed as XES says: ``date`` → aware ``datetime``, ``int``, ``float``, ``boolean``, else
text; nested attributes (lists, containers) are not read. pm4py (AGPL) is not used.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from lxml import etree  # type: ignore[import-untyped]

NS = "{http://www.xes-standard.org/}"
TRACE_TAGS = (f"{NS}trace", "trace")
SCALARS = frozenset({"string", "date", "int", "float", "boolean", "id"})
T = TypeVar("T")


class XesError(ValueError):
    """The file is not an XES log we can read (the message says where)."""


@dataclass(slots=True)
class Event:
    activity: str | None
    timestamp: datetime | None
    resource: str | None
    transition: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Trace:
    case_id: str | None
    attributes: dict[str, Any]
    events: list[Event]


def _value(kind: str, raw: str | None) -> Any:
    if raw is None:
        return None
    if kind == "date":
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise XesError(f"not an ISO 8601 date: {raw!r}") from None
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "boolean":
        return raw.strip().lower() == "true"
    return raw


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _attributes(element: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in element:
        kind = _local(child.tag)
        if kind in SCALARS:
            key = child.get("key")
            if key is not None:
                out[key] = _value(kind, child.get("value"))
    return out


def _event(element: Any) -> Event:
    attrs = _attributes(element)
    stamp = attrs.pop("time:timestamp", None)
    return Event(
        activity=attrs.pop("concept:name", None),
        timestamp=stamp if isinstance(stamp, datetime) else None,
        resource=attrs.pop("org:resource", None),
        transition=attrs.pop("lifecycle:transition", None),
        attributes=attrs,
    )


def open_log(path: str | Path) -> IO[bytes]:
    """The log's bytes, gunzipped when the file is gzip (by its magic number, not its name)."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    magic = handle.read(2)
    handle.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def _parser(source: IO[bytes], tags: tuple[str, ...]) -> Any:
    # no network, no entities, no DTDs: a log is data, never instructions to fetch anything
    return etree.iterparse(
        source, events=("end",), tag=tags, resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False
    )


def _free(element: Any) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def iter_traces(path: str | Path) -> Iterator[Trace]:
    """Every trace of the log, in file order, one at a time."""
    with open_log(path) as source:
        try:
            for _, element in _parser(source, TRACE_TAGS):
                events = [_event(child) for child in element if _local(child.tag) == "event"]
                attrs = _attributes(element)
                case_id = attrs.get("concept:name")
                yield Trace(case_id=str(case_id) if case_id is not None else None, attributes=attrs, events=events)
                _free(element)
        except (etree.XMLSyntaxError, OSError, EOFError) as exc:
            raise XesError(f"{Path(path).name}: {exc}") from None


def count_events(path: str | Path) -> tuple[int, int]:
    """(traces, events) of a log, parsed with the same parser but building nothing: the floor for an import."""
    traces = events = 0
    with open_log(path) as source:
        try:
            for _, element in _parser(source, (*TRACE_TAGS, f"{NS}event", "event")):
                if _local(element.tag) == "trace":
                    traces += 1
                    _free(element)
                else:
                    events += 1
        except (etree.XMLSyntaxError, OSError, EOFError) as exc:
            raise XesError(f"{Path(path).name}: {exc}") from None
    return traces, events


def chunks(items: Iterable[T], size: int, limit: int | None = None) -> Generator[list[T], None, None]:
    """Lists of ``size`` items (the first ``limit`` items, when given), read lazily."""
    source = itertools.islice(items, limit)
    while chunk := list(itertools.islice(source, size)):
        yield chunk


@asynccontextmanager
async def on_own_thread(parts: Generator[T, None, None], name: str) -> AsyncIterator[Callable[[], Awaitable[T | None]]]:
    """``next_part()``: the next item of ``parts`` (None at the end), computed off the event loop — so that the
    service keeps answering while a log is parsed — and always on the same thread: lxml's parser must not move
    between threads (the default executor hands each call to any of its threads, and a cut log's parser
    collected there aborted the process in CI). ``parts`` is closed on that thread too."""
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    try:
        yield lambda: loop.run_in_executor(thread, next, parts, None)
    finally:
        await loop.run_in_executor(thread, parts.close)
        thread.shutdown(wait=False)
