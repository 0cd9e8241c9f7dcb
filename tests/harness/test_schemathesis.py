"""Schemathesis over the gateway's and every service's OpenAPI, in-process, on both backends.

With a valid token of every scope of the service (nationwide; the gateway's bootstrap
administrator for the gateway), generated requests must never answer 5xx, every answer must
conform to what its operation documents (status code, content type, body schema), and every
error must be RFC 9457 problem+json with a stable ``type``.

One test per operation, so a known defect is marked on exactly its operation (``KNOWN``, strict
xfail: the marker must go when the fix lands). Bounded: ``MAX_EXAMPLES`` generated cases per
operation, no coverage or stateful phase.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sunlight.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE

from .conftest import APPS, Live, openapi_of, operations

MAX_EXAMPLES = 12
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})

# (app, "METHOD /path") -> why it fails today (issue 8 section); strict xfail until the fix lands
KNOWN: dict[tuple[str, str], str] = {}


def problem_json(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool:
    """Every error is RFC 9457 problem+json with a stable Sunlight ``type`` and its own status."""
    if response.status_code < 400:
        return True
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(PROBLEM_MEDIA_TYPE), f"{response.status_code} answered as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    assert str(body.get("type", "")).startswith(PROBLEM_BASE), f"no stable problem type: {body}"
    assert body.get("status") == response.status_code, body
    assert isinstance(body.get("title"), str), body
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _cases() -> list[Any]:
    out = []
    for app in APPS:
        for op in operations(app):
            marks = []
            why = KNOWN.get((app, op.label))
            if why:
                marks.append(pytest.mark.xfail(strict=True, reason=why))
            out.append(pytest.param(app, op.method, op.path, id=f"{app}:{op.label}", marks=marks))
    return out


_SCHEMAS: dict[str, schemathesis.BaseSchema] = {}


def _schema(live: Live) -> schemathesis.BaseSchema:
    if live.name not in _SCHEMAS:
        _SCHEMAS[live.name] = schemathesis.openapi.from_dict(openapi_of(live.name), config=CONFIG)
    schema = _SCHEMAS[live.name]
    schema.app = live.app
    return schema


@pytest.mark.parametrize(("live", "method", "path"), _cases(), indirect=["live"])
def test_operation_conforms(live: Live, method: str, path: str) -> None:
    operation = _schema(live)[path][method]

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(session=live.client, headers=live.auth)
        case.validate_response(response, checks=[*CHECKS, problem_json])

    run()
