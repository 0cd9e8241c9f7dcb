"""RFC 9457 problem details: our exception types and the handlers that render them.

Every error leaves a Sunlight process as ``application/problem+json`` with a stable
``type`` URI (``https://sunlight.example/problems/<slug>``), ``title``, ``status``,
``detail`` and extension members a client can act on (``available_fen``, ``errors``).
Details never contain personal data.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://sunlight.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger("sunlight.errors")


class FieldError(BaseModel):
    """One reason a request does not validate (a batch's record errors also name the record)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    pointer: str = Field(description="RFC 6901 JSON pointer into the request (with its part): /body/scores/P1")
    message: str
    field: str | None = Field(default=None, description="RFC 6901 JSON pointer within that part: /scores/P1, /limit")
    index: int | None = Field(default=None, description="batch-invalid: the record's position in the batch")
    type: str | None = Field(default=None, description="batch-invalid: the problem type of that record")


class ProblemDoc(BaseModel):
    """The shape of every error response (RFC 9457): ``type`` is one of the problem types in
    ``docs/problems.md`` (``openapi/problems.json``); the extension members a client can act on are
    listed here, each present only on the types that name it there."""

    model_config = ConfigDict(
        extra="allow",
        title="ProblemDoc",
        json_schema_extra={
            "additionalProperties": True,
            "examples": [
                {
                    "type": "https://sunlight.example/problems/overspend",
                    "title": "The source does not hold enough money",
                    "status": 409,
                    "detail": "node 7f0c… holds 120000 fen, 150000 requested",
                    "instance": "/v1/funds/movements",
                    "available_fen": 120000,
                    "requested_fen": 150000,
                    "limit": "balance",
                    "node_id": "7f0c2a4e-5b1d-4c3e-9a8f-0d6b2e1c3a44",
                },
                {
                    "type": "https://sunlight.example/problems/validation",
                    "title": "The request does not validate",
                    "status": 422,
                    "detail": "1 error",
                    "instance": "/v1/integrity/risk-points",
                    "errors": [
                        {
                            "pointer": "/body/rule_ids/1",
                            "field": "/rule_ids/1",
                            "message": "'NO-SUCH-RULE' is not a rule of the suite",
                        }
                    ],
                },
                {
                    "type": "https://sunlight.example/problems/not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "no such payment",
                    "instance": "/v1/funds/movements",
                    "field": "/refund_of",
                },
            ],
        },
    )

    type: str = Field(
        description="A stable URI naming the problem type (docs/problems.md)", examples=[PROBLEM_BASE + "not-found"]
    )
    title: str = Field(description="A short summary of the problem type, the same for every occurrence")
    status: int = Field(description="The HTTP status code", ge=100, le=599)
    detail: str | None = Field(default=None, description="This occurrence, in words (never personal data)")
    instance: str | None = Field(default=None, description="The request path")
    field: str | None = Field(default=None, description="RFC 6901 JSON pointer to the offending request member")
    errors: list[FieldError] | None = Field(default=None, description="validation, control-character, batch-invalid")
    errors_truncated: bool | None = Field(default=None, description="batch-invalid: more errors than listed")
    required: list[str] | None = Field(default=None, description="insufficient-scope: the scopes the route needs")
    region_code: str | None = Field(default=None, description="forbidden-region: the region named")
    available_fen: int | None = Field(default=None, description="overspend: what the source still holds")
    requested_fen: int | None = Field(default=None, description="overspend: what was asked")
    limit: str | None = Field(default=None, description="overspend: which limit refused it")
    node_id: str | None = Field(default=None, description="overspend: the node that holds too little")
    left_fen: int | None = Field(default=None, description="refund-exceeds-payment: what may still be refunded")
    held: list[str] | str | None = Field(default=None, description="frozen: what a disposition holds")
    period_from: str | None = Field(default=None, description="date-out-of-range: first date accepted")
    period_to: str | None = Field(default=None, description="date-out-of-range: last date accepted")
    period: str | None = Field(default=None, description="period-closed: the closed period")
    score_min: float | None = Field(default=None, description="invalid-score: the lowest score allowed")
    score_max: float | None = Field(default=None, description="invalid-score: the highest score allowed")
    disposition_id: str | None = Field(default=None, description="disposition-active: the open disposition")
    status_now: str | None = Field(default=None, description="warning-not-active: the warning's status")
    rated_as: str | None = Field(default=None, description="one-unit-one-body: the body already rating it")
    max_bytes: int | None = Field(default=None, description="batch-too-large: the byte limit")
    max_records: int | None = Field(default=None, description="batch-too-large: the record limit")
    retry_after: int | None = Field(default=None, description="rate-limited: seconds to wait (as Retry-After)")
    backoff_seconds: int | None = Field(default=None, description="rate-limited: the sign-in back-off")
    checks: dict[str, str] | None = Field(default=None, description="not-ready: each dependency's state")
    year: int | None = Field(default=None, description="calendar-not-covered: the year without a schedule")
    unit: str | None = Field(
        default=None, description="self-certification: the unit that may not certify its own spending"
    )
    unit_uscc: str | None = Field(default=None, description="conflict-of-interest: the unit in conflict")
    deadline: str | None = Field(default=None, description="bid-after-deadline, too-early: the tender's deadline")
    submitted_at: str | None = Field(default=None, description="bid-after-deadline: when the bid was submitted")
    tender_status: str | None = Field(default=None, description="invalid-transition: the tender's state")
    step: str | None = Field(default=None, description="invalid-transition: the step refused")
    allowed: list[str] | None = Field(default=None, description="invalid-transition: the steps allowed now")
    draw_status: str | None = Field(default=None, description="draw-state: the draw's state")
    invalid: int | None = Field(default=None, description="no-valid-bid: how many bids were found invalid")
    eligible: int | None = Field(default=None, description="pool-too-small: experts eligible for the draw")
    extended_days: int | None = Field(default=None, description="extension-exceeded: the days asked for in all")
    extension_max_days: int | None = Field(default=None, description="extension-exceeded: the most allowed")
    max_tenders: int | None = Field(default=None, description="too-many-tenders: the most one run may take")
    error: str | None = Field(default=None, description="oauth/*: the RFC 6749 error code (invalid_request, …)")
    error_description: str | None = Field(default=None, description="oauth/*: the RFC 6749 error description")


def json_pointer(field: str) -> str:
    """``scores.P1`` / ``amount_fen`` / ``/amount_fen`` → an RFC 6901 pointer (``/scores/P1``)."""
    if field.startswith("/") or not field:
        return field
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in field.split("."))


class Problem(Exception):
    """Base of every error we raise on purpose; subclasses fix slug, title and status."""

    slug: ClassVar[str] = "about:blank"
    title: ClassVar[str] = "Error"
    status: ClassVar[int] = 400

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_BASE + cls.slug

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type_uri(), "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        if isinstance(body.get("field"), str):
            body["field"] = json_pointer(body["field"])
        return body


class BadRequest(Problem):
    slug, title, status = "bad-request", "Bad request", 400


class InvalidInput(Problem):
    slug, title, status = "validation", "The request does not validate", 422


class ControlCharacter(InvalidInput):
    """A string holds a control character (NUL, C1, …) or an unpaired surrogate; ``errors`` names each field."""

    slug, title = "control-character", "The request holds a control character"


class Unauthenticated(Problem):
    slug, title, status = "unauthenticated", "Authentication required", 401

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Bearer realm="sunlight"'


class InvalidToken(Unauthenticated):
    slug, title = "invalid-token", "The access token is not valid"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Bearer realm="sunlight", error="invalid_token"'


class InsufficientScope(Problem):
    slug, title, status = "insufficient-scope", "The token lacks a required scope", 403


class ForbiddenRegion(Problem):
    slug, title, status = "forbidden-region", "Outside the regions this token may act on", 403


class NationwideOnly(Problem):
    slug, title, status = "nationwide-only", "Only a nationwide principal may do this", 403


class Forbidden(Problem):
    slug, title, status = "forbidden", "Forbidden", 403


class NotFound(Problem):
    slug, title, status = "not-found", "Not found", 404


class MethodNotAllowed(Problem):
    slug, title, status = "method-not-allowed", "Method not allowed", 405


class Conflict(Problem):
    slug, title, status = "conflict", "Conflict with the current state", 409


class PayloadTooLarge(Problem):
    slug, title, status = "payload-too-large", "The request body is too large", 413


class UnsupportedMediaType(Problem):
    slug, title, status = "unsupported-media-type", "Unsupported media type", 415


class RateLimited(Problem):
    slug, title, status = "rate-limited", "Too many requests", 429


class Internal(Problem):
    slug, title, status = "internal", "Internal error", 500


class UpstreamUnavailable(Problem):
    slug, title, status = "upstream-unavailable", "The service behind the gateway is unavailable", 503


class UpstreamTimeout(Problem):
    slug, title, status = "upstream-timeout", "The service behind the gateway did not answer in time", 504


class NotReady(Problem):
    slug, title, status = "not-ready", "Not ready", 503


_STATUS_PROBLEMS: dict[int, type[Problem]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: InvalidInput,
    429: RateLimited,
}


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.to_dict(instance),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers or None,
    )


_ENUM_MEMBER = re.compile(r"<[A-Za-z_][\w.]*: ('[^']*'|-?\d+)>")


def api_words(message: str) -> str:
    """Speak the API's language: ``<MovementKind.ALLOCATE: 'allocate'>`` is ``'allocate'`` on the wire."""
    return _ENUM_MEMBER.sub(r"\1", message)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(part).replace("~", "~0").replace("/", "~1") for part in err.get("loc", ())]
        # JSON pointers (RFC 6901): into the request ("/body/scores/P1") and within its part ("/scores/P1")
        message = api_words(err.get("msg", ""))
        out.append({"pointer": "/" + "/".join(loc), "field": "/" + "/".join(loc[1:]), "message": message})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Map every exception to problem+json, once, for one app."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        json_body = content_type == "application/json" or content_type.endswith("+json")
        whole_body = any(tuple(e.get("loc", ())) == ("body",) and e.get("type") != "missing" for e in exc.errors())
        if whole_body and not json_body:
            # a JSON body sent as text/plain (or anything else) is the wrong media type, not an invalid body
            refused = UnsupportedMediaType(f"send the body as application/json, not {content_type}")
            return problem_response(refused, request.url.path)
        errors = _field_errors(exc)
        first = errors[0] if errors else {"pointer": "", "message": "invalid"}
        problem = InvalidInput(f"{first['pointer']}: {first['message']}", errors=errors)
        return problem_response(problem, request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kind = _STATUS_PROBLEMS.get(exc.status_code)
        if kind is None:
            kind = type(
                "HttpProblem",
                (Problem,),
                {"slug": f"http-{exc.status_code}", "status": exc.status_code, "title": "HTTP error"},
            )
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != kind.title else None
        problem = kind(detail)
        if exc.headers:
            problem.headers.update(exc.headers)
        return problem_response(problem, request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(Internal(), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*kinds: type[Problem]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for OpenAPI: each problem's status with the problem schema."""
    out: dict[int | str, dict[str, Any]] = {}
    for kind in kinds:
        entry = out.setdefault(
            kind.status,
            {
                "description": "",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}},
            },
        )
        entry["description"] = "; ".join(filter(None, [entry["description"], f"{kind.title} ({kind.type_uri()})"]))
    return out


_PARAMETER_400 = {
    ("header", "Idempotency-Key"): "the Idempotency-Key is malformed",
    ("query", "cursor"): "the cursor is not one this API gave out",
}


def document_problems(schema: dict[str, Any]) -> None:
    """Document the problem+json answers every authenticated operation can give."""
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses:
                responses["422"] = {
                    "description": "The request does not validate (problem+json, type …/validation, or "
                    "…/control-character when a string holds a control character)",
                    "content": problem,
                }
            if operation.get("security"):
                responses.setdefault("401", {"description": "No or invalid access token", "content": problem})
                responses.setdefault(
                    "403", {"description": "Missing scope or outside the token's regions", "content": problem}
                )
            # answers any operation gives by its parameters alone (found by the schemathesis harness)
            parameters = {(p.get("in"), p.get("name")) for p in operation.get("parameters", [])}
            bad_request = [
                text
                for (where, name), text in _PARAMETER_400.items()
                if (where, name) in parameters and "400" not in responses
            ]
            if bad_request:
                responses["400"] = {
                    "description": f"Bad request (problem+json, type …/bad-request): {'; '.join(bad_request)}",
                    "content": problem,
                }
            if any(where == "path" for where, _ in parameters):
                responses.setdefault(
                    "404",
                    {
                        "description": "No such resource, or not in the token's regions (problem+json)",
                        "content": problem,
                    },
                )
    for name in ("HTTPValidationError", "ValidationError"):
        if not any(name in json.dumps(p) for p in schema.get("paths", {}).values()):
            schema["components"]["schemas"].pop(name, None)
