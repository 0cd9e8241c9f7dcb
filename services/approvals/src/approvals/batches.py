"""Reading a batch body of steps: a JSON array or NDJSON, bounded before it is parsed (as funds' batches).

Blocking work: call ``read_batch`` off the event loop (``asyncio.to_thread``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sunlight.errors import InvalidInput, Problem

from approvals.errors import BatchInvalid, BatchTooLarge, UnsupportedBatchFormat
from approvals.schemas.cases import RecordError, StepIn
from approvals.settings import ApprovalsSettings

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")


@dataclass(frozen=True)
class Limits:
    max_records: int
    max_line_bytes: int
    max_errors: int

    @classmethod
    def of(cls, settings: ApprovalsSettings) -> Limits:
        return cls(settings.batch_max_records, settings.batch_max_line_bytes, settings.batch_max_errors)


def error(index: int, pointer: str, kind: type[Problem], message: str) -> RecordError:
    return RecordError(index=index, pointer=f"/{index}{pointer}", type=kind.type_uri(), message=message)


def invalid(errors: Sequence[RecordError], total: int, *, limit: int, truncated: bool = False) -> BatchInvalid:
    wrong = len({e.index for e in errors})
    shown = [e.model_dump() for e in errors[:limit]]
    if truncated or len(errors) > limit:
        return BatchInvalid(
            f"at least {wrong} of {total} records are wrong; the check stopped after {limit} errors",
            errors=shown,
            errors_truncated=True,
        )
    return BatchInvalid(f"{wrong} of {total} records are wrong", errors=shown)


def parse_records(raw: bytes, content_type: str, limits: Limits) -> list[Any]:
    media = content_type.split(";", 1)[0].strip().lower()
    errors: list[RecordError] = []
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
        lines = [line for line in raw.splitlines() if line.strip()]
        if len(lines) > limits.max_records:
            raise BatchTooLarge(f"more than {limits.max_records} records", max_records=limits.max_records)
        records = []
        for line in lines:
            if len(errors) >= limits.max_errors:
                raise invalid(errors, len(lines), limit=limits.max_errors, truncated=True)
            if len(line) > limits.max_line_bytes:
                records.append(None)
                errors.append(error(len(records) - 1, "", InvalidInput, f"longer than {limits.max_line_bytes} bytes"))
                continue
            try:
                records.append(json.loads(line))
            except (ValueError, RecursionError):
                records.append(None)
                errors.append(error(len(records) - 1, "", InvalidInput, "not a UTF-8 JSON object"))
    else:
        raise UnsupportedBatchFormat(f"{media or 'no content type'} is not a batch format")
    if len(records) > limits.max_records:
        raise BatchTooLarge(f"{len(records)} records; a batch holds at most {limits.max_records}",
                            max_records=limits.max_records)  # fmt: skip
    if not records:
        raise BatchInvalid("the batch is empty", errors=[])
    if errors:
        raise invalid(errors, len(records), limit=limits.max_errors)
    return records


def validate_records(records: Sequence[Any], max_errors: int) -> list[StepIn]:
    bodies: list[StepIn] = []
    errors: list[RecordError] = []
    for index, record in enumerate(records):
        if len(errors) >= max_errors:
            raise invalid(errors, len(records), limit=max_errors, truncated=True)
        if not isinstance(record, dict):
            errors.append(error(index, "", InvalidInput, "a record is a JSON object"))
            continue
        try:
            bodies.append(StepIn.model_validate(record))
        except ValidationError as exc:
            for err in exc.errors():
                loc = "".join(f"/{part}" for part in err["loc"])
                errors.append(error(index, loc, InvalidInput, err["msg"]))
    if errors:
        raise invalid(errors, len(records), limit=max_errors)
    return bodies


def read_batch(raw: bytes, content_type: str, limits: Limits) -> list[StepIn]:
    return validate_records(parse_records(raw, content_type, limits), limits.max_errors)
