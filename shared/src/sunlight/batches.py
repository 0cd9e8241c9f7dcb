"""Batch bodies (批量导入): a JSON array or NDJSON of records, read and checked with bounded work.

One implementation for every service that takes a batch (funds' movements, approvals' steps) and the
problem types its refusals answer with. ``read_body`` reads the raw body up to a byte cap; ``read_batch``
parses it (``parse_records``) and checks each record against the service's schema (``validate_records``);
``Limits`` bound the work before anything is parsed (records, line length, errors listed), so a junk
body costs a count of its lines, not a parse of each. What a record means (the ledger, a case's steps)
is the service's own: it turns its refusals into ``record_error``\\s and the whole into ``batch_invalid``.

``parse_records``, ``validate_records`` and ``read_batch`` block: call them off the event loop
(``asyncio.to_thread``).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from sunlight.errors import InvalidInput, PayloadTooLarge, Problem

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")

_RECORD_START = re.compile(rb"^[ \t\r\f\v]*[^\s]", re.MULTILINE)  # the start of a line that is not blank

M = TypeVar("M", bound=BaseModel)


class BatchInvalid(InvalidInput):
    """At least one record of a batch is wrong; ``errors`` lists each (index, pointer, type, message)."""

    slug, title = "batch-invalid", "The batch was refused: nothing was written"


class BatchTooLarge(PayloadTooLarge):
    slug, title = "batch-too-large", "The batch has too many records or bytes"


class BatchKeyReused(InvalidInput):
    slug, title = "batch-key-reused", "This batch key was used with a different batch"


class UnsupportedBatchFormat(Problem):
    slug, title, status = "unsupported-batch-format", "Send application/json (an array) or application/x-ndjson", 415


class RecordError(BaseModel):
    """What is wrong with one record of a batch (a service may add members: funds' ``available_fen``)."""

    index: int = Field(description="0-based position of the record in the batch")
    pointer: str = Field(description="JSON pointer into the batch, e.g. /3/amount_fen")
    type: str = Field(description="problem type of the error, e.g. …/validation or …/overspend")
    message: str


class BatchSettings(Protocol):
    """The settings a service's batches are bounded by (``batch_max_*`` of its settings class)."""

    @property
    def batch_max_records(self) -> int: ...

    @property
    def batch_max_line_bytes(self) -> int: ...

    @property
    def batch_max_errors(self) -> int: ...


@dataclass(frozen=True)
class Limits:
    """How much work one batch body may cost before it is refused (the service's ``batch_*`` settings)."""

    max_records: int
    max_line_bytes: int
    max_errors: int

    @classmethod
    def of(cls, settings: BatchSettings) -> Limits:
        return cls(settings.batch_max_records, settings.batch_max_line_bytes, settings.batch_max_errors)


@dataclass
class Records(Generic[M]):
    """A batch body read against the schema: a body per record (None where the record is wrong), the errors
    of the wrong ones, and the records as sent (what a wrong one names is still read from it)."""

    bodies: list[M | None]
    errors: list[RecordError]
    raw: list[Any]


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BatchTooLarge(f"the body exceeds {limit} bytes", max_bytes=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BatchTooLarge(f"the body exceeds {limit} bytes", max_bytes=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def count_records(raw: bytes, at_most: int) -> int:
    """The NDJSON records (lines that are not blank) in ``raw``, counted up to ``at_most + 1`` without parsing."""
    if raw.count(b"\n") < at_most:
        return sum(1 for _ in _RECORD_START.finditer(raw))
    return sum(1 for _ in itertools.islice(_RECORD_START.finditer(raw), at_most + 1))


def parse_records(raw: bytes, content_type: str, limits: Limits) -> list[Any]:
    """The records of a batch body: a JSON array, or one JSON object per line (NDJSON).

    The work is bounded before anything is parsed: an NDJSON body with more than ``max_records``
    records is refused (413) after counting its lines; a line longer than ``max_line_bytes`` is a
    wrong record, not parsed; and reading stops at ``max_errors`` wrong records (the answer says the
    list is cut short). Blocking: call it off the event loop.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    errors: list[RecordError] = []
    truncated = False
    total = 0
    if media in JSON_TYPES:
        try:
            records = json.loads(raw)
        except UnicodeDecodeError:
            raise BatchInvalid("the body is not UTF-8", errors=[]) from None
        except json.JSONDecodeError as exc:
            raise BatchInvalid(f"the body is not JSON: {exc.msg} at line {exc.lineno}", errors=[]) from None
        except RecursionError:
            raise BatchInvalid("the body is not a batch: it nests without end", errors=[]) from None
        if not isinstance(records, list):
            raise BatchInvalid("send a JSON array of records (or NDJSON)", errors=[])
    elif media in NDJSON_TYPES:
        total = count_records(raw, limits.max_records)
        if total > limits.max_records:
            raise BatchTooLarge(
                f"more than {limits.max_records} records; a batch holds at most {limits.max_records}",
                max_records=limits.max_records,
            )
        records = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            if len(errors) >= limits.max_errors:
                truncated = True
                break
            if len(line) > limits.max_line_bytes:
                records.append(None)
                message = f"line {number} is longer than {limits.max_line_bytes} bytes"
                errors.append(record_error(len(records) - 1, "", InvalidInput, message))
                continue
            try:
                records.append(json.loads(line))
            except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, or nested without end
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 JSON"
                if isinstance(exc, RecursionError):
                    reason = "nested without end"
                records.append(None)
                errors.append(record_error(len(records) - 1, "", InvalidInput, f"line {number} is not JSON: {reason}"))
    else:
        raise UnsupportedBatchFormat(f"{media or 'no content type'} is not a batch format")
    if len(records) > limits.max_records:
        raise BatchTooLarge(
            f"{len(records)} records; a batch holds at most {limits.max_records}", max_records=limits.max_records
        )
    if not records:
        raise BatchInvalid("the batch is empty", errors=[])
    if errors:
        raise batch_invalid(errors, max(total, len(records)), truncated=truncated, limit=limits.max_errors)
    return records


def validate_records(records: Sequence[Any], model: type[M], max_errors: int) -> Records[M]:
    """Every record against ``model``, each error with its index and JSON pointer. Reading stops (and the
    batch is refused at once) at ``max_errors`` errors; fewer are returned, for the caller to report with
    the errors it finds itself (or to refuse the batch with ``batch_invalid``)."""
    bodies: list[M | None] = []
    errors: list[RecordError] = []
    for index, record in enumerate(records):
        if len(errors) >= max_errors:
            raise batch_invalid(errors, len(records), truncated=True, limit=max_errors)
        if not isinstance(record, dict):
            errors.append(record_error(index, "", InvalidInput, "a record is a JSON object"))
            bodies.append(None)
            continue
        try:
            bodies.append(model.model_validate(record))
        except ValidationError as exc:
            bodies.append(None)
            for err in exc.errors():
                loc = "".join(f"/{part}" for part in err["loc"])
                errors.append(record_error(index, loc, InvalidInput, err["msg"]))
    return Records(bodies, errors, list(records))


def read_batch(raw: bytes, content_type: str, limits: Limits, model: type[M]) -> Records[M]:
    """Parse and validate a batch body (blocking: run it off the event loop)."""
    return validate_records(parse_records(raw, content_type, limits), model, limits.max_errors)


def batch_invalid(
    errors: Sequence[RecordError], total: int, *, truncated: bool, limit: int, verb: str = "wrong"
) -> BatchInvalid:
    """The refusal of a batch: its wrong records, at most ``limit`` of them (``errors_truncated`` says so)."""
    wrong = len({e.index for e in errors})
    if truncated or len(errors) > limit:
        return BatchInvalid(
            f"at least {wrong} of {total} records are {verb}; the check stopped after {limit} errors",
            errors=_dump(errors[:limit]),
            errors_truncated=True,
        )
    return BatchInvalid(f"{wrong} of {total} records are {verb}", errors=_dump(errors))


def record_error(
    index: int,
    pointer: str,
    kind: type[Problem],
    message: str,
    *,
    model: type[RecordError] = RecordError,
    **members: Any,
) -> RecordError:
    """The error of record ``index``: ``pointer`` within the record, ``kind`` its problem type. A service's
    ``model`` (a subclass of ``RecordError``) takes the members it adds (funds' ``available_fen``)."""
    return model(index=index, pointer=f"/{index}{pointer}", type=kind.type_uri(), message=message, **members)


def _dump(errors: Sequence[RecordError]) -> list[dict[str, Any]]:
    return [e.model_dump(exclude_none=True) for e in errors]
