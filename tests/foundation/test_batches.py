"""Batch bodies (``sunlight.batches``): the bounds a client meets, the same in every service that takes a batch.

The reading is tested directly (what ``parse_records`` refuses and the problem it answers with), then through
funds' and approvals' batch routes: the same body is refused with the same problem by both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from approvals.app import MIGRATIONS as APPROVALS_MIGRATIONS
from approvals.app import create_app as create_approvals
from approvals.settings import ApprovalsSettings
from pydantic import BaseModel, Field
from sunlight.batches import (
    BatchInvalid,
    BatchTooLarge,
    Limits,
    UnsupportedBatchFormat,
    parse_records,
    validate_records,
)
from sunlight.errors import PROBLEM_BASE, Problem
from sunlight.testing import ServiceHarness, TestKeys

from .conftest import funds_app, funds_settings

NDJSON = "application/x-ndjson"
LIMITS = Limits(max_records=3, max_line_bytes=256, max_errors=2)
VALIDATION = PROBLEM_BASE + "validation"


def refusal(body: bytes, content_type: str = NDJSON, limits: Limits = LIMITS) -> dict[str, Any]:
    """The problem document a client gets for this body (it must be refused)."""
    with pytest.raises(Problem) as caught:
        parse_records(body, content_type, limits)
    return caught.value.to_dict()


def test_ndjson_over_the_record_limit_is_refused_before_any_line_is_parsed():
    problem = refusal(b"not json\n" * 4)
    assert (problem["status"], problem["type"]) == (413, PROBLEM_BASE + "batch-too-large")
    assert problem["max_records"] == 3
    assert "errors" not in problem, "no line was parsed: the refusal lists none of the four wrong lines"
    assert problem["detail"] == "more than 3 records; a batch holds at most 3"


def test_blank_lines_are_not_records_and_do_not_count_against_the_limit():
    body = b'{"a": 1}\n\n   \r\n{"a": 2}\n\t\n{"a": 3}\n'
    assert parse_records(body, NDJSON, LIMITS) == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_a_line_longer_than_the_limit_is_a_wrong_record_named_by_its_line():
    long_line = b'{"reference": "' + b"r" * 300 + b'"}'
    problem = refusal(b'{"a": 1}\n\n' + long_line + b'\n{"a": 2}\n')
    assert (problem["status"], problem["type"]) == (422, PROBLEM_BASE + "batch-invalid")
    assert problem["errors"] == [
        {"index": 1, "pointer": "/1", "type": VALIDATION, "message": "line 3 is longer than 256 bytes"}
    ], "the record is the second (blank lines are not records), the line the third"
    assert problem["detail"] == "1 of 3 records are wrong"


def test_errors_stop_at_max_errors_and_the_answer_says_the_list_is_cut_short():
    problem = refusal(b'{"a": 1}\nx\ny\nz\n', limits=Limits(max_records=10, max_line_bytes=256, max_errors=2))
    assert [(e["index"], e["message"]) for e in problem["errors"]] == [
        (1, "line 2 is not JSON: Expecting value"),
        (2, "line 3 is not JSON: Expecting value"),
    ]
    assert problem["errors_truncated"] is True
    assert problem["detail"] == "at least 2 of 4 records are wrong; the check stopped after 2 errors"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"kind": "allocate"}', "send a JSON array of records (or NDJSON)"),
        (b"[]", "the batch is empty"),
        (b"[1, 2", "the body is not JSON: Expecting ',' delimiter at line 1"),
        (b"[" * 100_000 + b"]" * 100_000, "the body is not a batch: it nests without end"),
    ],
)
def test_a_json_body_that_is_not_an_array_of_records_is_refused_whole(body: bytes, detail: str):
    problem = refusal(body, "application/json; charset=utf-8")
    assert (problem["status"], problem["type"], problem["detail"]) == (422, PROBLEM_BASE + "batch-invalid", detail)
    assert problem["errors"] == []


def test_a_json_array_over_the_record_limit_is_refused_with_its_count():
    with pytest.raises(BatchTooLarge) as caught:
        parse_records(b"[{}, {}, {}, {}]", "application/json", LIMITS)
    assert caught.value.detail == "4 records; a batch holds at most 3"


def test_a_body_in_another_format_is_unsupported():
    with pytest.raises(UnsupportedBatchFormat) as caught:
        parse_records(b"a,b\n1,2\n", "text/csv", LIMITS)
    assert caught.value.status == 415 and caught.value.detail == "text/csv is not a batch format"


class Step(BaseModel):
    case_no: str
    days: int = Field(ge=0)


def test_schema_errors_point_into_the_record_and_wrong_records_leave_a_gap():
    records = validate_records([{"case_no": "A", "days": 1}, {"case_no": "B", "days": -1}, "C"], Step, max_errors=5)
    assert records.bodies[0] == Step(case_no="A", days=1) and records.bodies[1:] == [None, None]
    assert [(e.index, e.pointer, e.message) for e in records.errors] == [
        (1, "/1/days", "Input should be greater than or equal to 0"),
        (2, "/2", "a record is a JSON object"),
    ]
    assert records.raw[2] == "C", "a wrong record is still there as sent"


def test_schema_checking_stops_at_max_errors():
    with pytest.raises(BatchInvalid) as caught:
        validate_records([{}] * 50, Step, max_errors=3)
    problem = caught.value.to_dict()
    assert len(problem["errors"]) == 3 and problem["errors_truncated"] is True
    assert problem["detail"] == "at least 2 of 50 records are wrong; the check stopped after 3 errors"


# --- through the services: funds' movements and approvals' steps answer alike -----------------------------------

LIMIT_SETTINGS = {"batch_max_records": 3, "batch_max_errors": 2, "batch_max_line_bytes": 256, "batch_max_bytes": 1024}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"x\n" * 4, NDJSON, 413),
        (b"x\ny\nz\n", NDJSON, 422),
        (b"{}\n" + b'{"x": "' + b"x" * 300 + b'"}\n', NDJSON, 422),
        (b'{"not": "an array"}', "application/json", 422),
        (b"[{}]", "text/plain", 415),
        (b"{}\n" * 600, NDJSON, 413),  # 1800 bytes, over batch_max_bytes
    ],
)
async def test_funds_and_approvals_refuse_the_same_batch_with_the_same_problem(
    harness: ServiceHarness, keys: TestKeys, body: bytes, content_type: str, status: int
):
    funds = await funds_settings(harness, **LIMIT_SETTINGS)
    approvals = await harness.settings(ApprovalsSettings, APPROVALS_MIGRATIONS, **LIMIT_SETTINGS)
    answers = []
    for app, path, scopes in (
        (funds_app(funds), "/v1/funds/movements/batch", "funds:read funds:write"),
        (create_approvals(approvals), "/v1/approvals/steps/batch", "approvals:read approvals:write"),
    ):
        headers = {**keys.auth(scopes=scopes, regions=["130000"]), "content-type": content_type}
        async with harness.client(app) as client:
            r = await client.post(path, params={"batch_key": "b-1"}, content=body, headers=headers)
        assert r.status_code == status, r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
        answers.append({k: v for k, v in r.json().items() if k != "instance"})
    assert answers[0] == answers[1]


async def test_a_streamed_body_is_cut_off_at_the_byte_limit(harness: ServiceHarness, keys: TestKeys):
    settings = await harness.settings(ApprovalsSettings, APPROVALS_MIGRATIONS, batch_max_bytes=1024)
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit is met while reading
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b"{}\n" * 100

    headers = {**keys.auth(scopes="approvals:read approvals:write", regions=["130000"]), "content-type": NDJSON}
    async with harness.client(create_approvals(settings)) as client:
        r = await client.post("/v1/approvals/steps/batch?batch_key=s-1", content=chunks(), headers=headers)
    assert r.status_code == 413, r.text
    assert r.json()["type"] == PROBLEM_BASE + "batch-too-large" and r.json()["max_bytes"] == 1024
    assert r.json()["detail"] == "the body exceeds 1024 bytes"
    assert sent < 100, "reading stopped at the limit, not at the end of the body"
