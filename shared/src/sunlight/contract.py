"""What every OpenAPI document of the suite says beyond FastAPI's defaults — the API contract.

``finish(schema)`` runs once per document (each service's ``/openapi.json`` and the gateway's own
part); the gateway's merge (``gateway.openapi``) adds the answers only the gateway sends (429, 503,
504). The convention is written up in ``docs/developing.md``; ``make openapi-check`` lints the result.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sunlight.errors import PROBLEM_MEDIA_TYPE, FieldError, ProblemDoc, document_problems

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "The request's id (the caller's own when it sent a safe one); quote it when reporting a "
        "problem — every log line of the request carries it",
        "schema": {"type": "string", "maxLength": 128},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same "
        "Idempotency-Key (nothing was written again)",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again (RFC 9110 §10.2.3)",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Policy": {
        "description": "The limit that refused the request (IETF draft RateLimit header fields), "
        'e.g. `"default";q=600;w=60`',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left of the limit, e.g. `"default";r=0;t=12`',
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "The URL of the resource created",
        "schema": {"type": "string", "format": "uri-reference"},
    },
}

TAGS: dict[str, str] = {
    "oauth": "Tokens: OAuth2 client credentials, password and refresh token grants (RFC 6749)",
    "admin": "The gateway's admin API: clients, users, signing keys",
    "catalogue": "Each service's warning rules with their current thresholds",
    "operations": "What an operator needs: dead letters",
    "programmes": "Special-fund programmes (专项资金) and their allocation trees",
    "nodes": "The nodes of a programme's allocation tree",
    "movements": "The ledger of fund movements: allocations, disbursements, payments, refunds",
    "imports": "Bulk imports of real external formats",
    "acceptance and audit": "Acceptances, audits, their findings and rectifications",
    "warnings": "Graded warnings (red, orange, yellow): the register, counts, dismissal, dispositions",
    "watch lists": "Watch lists the payment screening compares payees with",
    "public disclosure": "What the public may see without a token (nothing personal)",
    "dispositions": "Handling of a warning: steps, responses, conclusion",
    "integrity index": "Integrity frameworks, assessments, subjects and index results",
    "risk points": "Risk points (廉政风险点) and their heat map",
    "overview": "Dashboards across the register",
}

_PROBLEM = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}}


def _ref(header: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{header}"}


def problem_schemas() -> dict[str, Any]:
    """``ProblemDoc`` and ``FieldError`` as component schemas (nested definitions hoisted)."""
    schema = ProblemDoc.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    for shape in (schema, *defs.values()):  # absent unless the type names it: optional, not defaulted
        for member in shape["properties"].values():
            member.pop("default", None)
    return {"ProblemDoc": schema, "FieldError": defs.get("FieldError", FieldError.model_json_schema()), **defs}


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def _scopes(operation: dict[str, Any]) -> list[str]:
    return [
        scope for requirement in operation.get("security", []) for scopes in requirement.values() for scope in scopes
    ]


def _integer_bounds(node: Any) -> None:
    """Bounds of an integer are integers, and ``gt=0`` is ``minimum: 1`` (one bound, not ``minimum`` and
    ``exclusiveMinimum`` mixed)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                if isinstance(node.get(key), float) and node[key].is_integer():
                    node[key] = int(node[key])
            if isinstance(node.get("exclusiveMinimum"), int):
                low = node.pop("exclusiveMinimum") + 1
                node["minimum"] = max(node.get("minimum", low), low)
            if isinstance(node.get("exclusiveMaximum"), int):
                high = node.pop("exclusiveMaximum") - 1
                node["maximum"] = min(node.get("maximum", high), high)
        for value in node.values():
            _integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integer_bounds(value)


CONTROL_CHARACTER = {
    "description": "The request does not validate (problem+json, type …/control-character: a string in the "
    "path, query, headers or body holds a control character)",
    "content": _PROBLEM,
}


def rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return {**node, "$ref": f"#/components/schemas/{renames.get(name, name)}"}
        return {key: rename_refs(value, renames) for key, value in node.items()}
    if isinstance(node, list):
        return [rename_refs(value, renames) for value in node]
    return node


def _keys_from_titles(schema: dict[str, Any]) -> dict[str, Any]:
    """A component's key is its title (``Page_MovementOut_`` → ``MovementOutPage``), so generated clients
    and the documentation call a shape by one name."""
    schemas = schema.get("components", {}).get("schemas", {})
    renames = {
        key: value["title"]
        for key, value in schemas.items()
        if isinstance(value.get("title"), str)
        and value["title"].isidentifier()
        and value["title"] != key
        and value["title"] not in schemas
    }
    if not renames:
        return schema
    schema = rename_refs(schema, renames)
    schema["components"]["schemas"] = {renames.get(k, k): v for k, v in schema["components"]["schemas"].items()}
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(m.get("type") == "null" for m in schema.get("anyOf", []))


def _restore_nulls(example: Any, schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> None:
    """FastAPI writes the document without ``null`` values (``exclude_none``), which drops them from examples
    too; put back the required members that are null, so an example still validates against its schema."""
    if depth > 20:
        return
    if "$ref" in schema:
        _restore_nulls(example, schemas.get(schema["$ref"].rsplit("/", 1)[1], {}), schemas, depth + 1)
    elif "anyOf" in schema:
        for member in schema["anyOf"]:
            if member.get("type") != "null":
                _restore_nulls(example, member, schemas, depth + 1)
    elif isinstance(example, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in example and _nullable(properties.get(name, {})):
                example[name] = None
        for name, value in example.items():
            if name in properties:
                _restore_nulls(value, properties[name], schemas, depth + 1)
    elif isinstance(example, list) and isinstance(schema.get("items"), dict):
        for value in example:
            _restore_nulls(value, schema["items"], schemas, depth + 1)


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    for shape in components.get("schemas", {}).values():
        for example in shape.get("examples", []):
            _restore_nulls(example, shape, components["schemas"])
    components.setdefault("schemas", {}).update(problem_schemas())
    document_problems(schema)
    _integer_bounds(schema)
    headers = components.setdefault("headers", {})
    used_tags: list[str] = []
    for _path, _method, operation in operations(schema):
        # a public route says so (`security: []`) instead of leaving it unsaid
        operation.setdefault("security", [])
        scopes = _scopes(operation)
        if not operation.get("description"):
            who = (
                f"Requires the scope `{' '.join(scopes)}`; answers within the token's regions."
                if scopes
                else "Public: no token needed (rate-limited per address)."
            )
            operation["description"] = f"{operation.get('summary', '')}. {who}".lstrip(". ")
        for tag in operation.get("tags", []):
            if tag not in used_tags:
                used_tags.append(tag)
        params = {(p.get("in"), p.get("name")) for p in operation.get("parameters", [])}
        responses = operation["responses"]
        responses.setdefault("422", copy.deepcopy(CONTROL_CHARACTER))
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            responses.setdefault(
                "415",
                {"description": "The body is not application/json (problem+json, type …/unsupported-media-type)",
                 "content": _PROBLEM},
            )  # fmt: skip
        # no made-up titles on inline shapes ("Response List Rules V1 …"): a generator would name types by them
        for holder in [*responses.values(), operation.get("requestBody", {})]:
            for media in holder.get("content", {}).values():
                media.get("schema", {}).pop("title", None)
        for parameter in operation.get("parameters", []):
            parameter.get("schema", {}).pop("title", None)
        # a replay answers 200 with the stored body: the same shape as the first answer
        if "200" in responses and "201" in responses and "content" not in responses["200"]:
            responses["200"]["content"] = copy.deepcopy(responses["201"]["content"])
        for status, response in responses.items():
            if "$ref" in response:
                continue
            response_headers = response.setdefault("headers", {})
            response_headers.setdefault("X-Request-Id", _ref("X-Request-Id"))
            if status[0] in "24" and ("header", "Idempotency-Key") in params:
                response_headers.setdefault("Idempotent-Replayed", _ref("Idempotent-Replayed"))
    for name in ("X-Request-Id", "Idempotent-Replayed"):
        headers.setdefault(name, HEADERS[name])
    known = {t["name"] for t in schema.get("tags", [])}
    schema["tags"] = [
        *schema.get("tags", []),
        *({"name": tag, "description": TAGS.get(tag, tag)} for tag in used_tags if tag not in known),
    ]
    if not schema["tags"]:
        del schema["tags"]
    return _keys_from_titles(schema)


def add_examples(examples: Mapping[type[BaseModel], list[Any]]) -> None:
    """Put ``examples`` on each model's JSON schema (``json_schema_extra={"examples": [...]}``), for the
    request and response bodies whose examples are too long to sit in the class (a service's ``examples.py``).
    Each example must validate against its model: a wrong one fails here, at import, not in a client."""
    for model, values in examples.items():
        for value in values:
            model.model_validate_json(json.dumps(value))  # as a client sends it
        extra = model.model_config.get("json_schema_extra") or {}
        if callable(extra):
            raise TypeError(f"{model.__name__}: json_schema_extra is a function; add the examples there")
        model.model_config["json_schema_extra"] = {**extra, "examples": values}


__all__ = ["HEADERS", "TAGS", "add_examples", "finish", "operations", "problem_schemas", "rename_refs"]
