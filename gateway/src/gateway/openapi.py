"""One OpenAPI document for the whole API: the gateway's own paths plus every service's.

Paths never collide (each service owns ``/v1/<service>/``). Component schemas with the
same name and the same content are shared; the same name with different content is
renamed ``<Service><Name>`` in that service's part, with its ``$ref``s rewritten.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sunlight.contract import HEADERS, rename_refs
from sunlight.errors import PROBLEM_MEDIA_TYPE

SECURITY_SCHEME = "sunlight"

_PROBLEM = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDoc"}}}
_REQUEST_ID = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
_LIMIT_HEADERS = {
    name: {"$ref": f"#/components/headers/{name}"} for name in ("Retry-After", "RateLimit-Policy", "RateLimit")
}

# answers only the gateway sends, on every operation it proxies (a service's own document never has them)
GATEWAY_RESPONSES: dict[str, dict[str, Any]] = {
    "429": {
        "description": "Too many requests from this token or address (problem+json, type …/rate-limited); "
        "wait Retry-After seconds",
        "headers": {**_LIMIT_HEADERS, **_REQUEST_ID},
        "content": _PROBLEM,
    },
    "503": {
        "description": "The service behind the gateway is unavailable (problem+json, type …/upstream-unavailable); "
        "safe to retry a GET, or a POST with the same Idempotency-Key",
        "headers": _REQUEST_ID,
        "content": _PROBLEM,
    },
    "504": {
        "description": "The service did not answer in time (problem+json, type …/upstream-timeout); the request "
        "may have been applied: retry with the same Idempotency-Key",
        "headers": _REQUEST_ID,
        "content": _PROBLEM,
    },
}
# answers the gateway sends on a proxied request with a body
GATEWAY_BODY_RESPONSES: dict[str, dict[str, Any]] = {
    "408": {
        "description": "The request body did not arrive in time (problem+json, type …/request-timeout)",
        "headers": _REQUEST_ID,
        "content": _PROBLEM,
    },
    "413": {
        "description": "The request body is too large (problem+json, type …/payload-too-large)",
        "headers": _REQUEST_ID,
        "content": _PROBLEM,
    },
}
INFO = {
    "contact": {"name": "Sunlight API team", "url": "https://sunlight.example/developers"},
    "license": {"name": "Proprietary", "url": "https://sunlight.example/license"},
}


def add_gateway_answers(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    answers = {**GATEWAY_RESPONSES, **(GATEWAY_BODY_RESPONSES if "requestBody" in operation else {})}
    for status, response in answers.items():
        responses.setdefault(status, copy.deepcopy(response))


def _renames(ours: dict[str, Any], theirs: dict[str, Any], service: str) -> dict[str, str]:
    """Which of a service's schemas must be renamed to keep their meaning in the merged document.

    A schema is shared only when it is the same *after* the references inside it are rewritten:
    two ``Page_WarningOut_`` wrappers read alike as text, yet one points at funds' ``WarningOut``
    and the other, once integrity's ``WarningOut`` is renamed, at ``IntegrityWarningOut``. So the
    comparison repeats until no new rename appears (a fixpoint over the reference graph).
    """
    renames: dict[str, str] = {}
    while True:
        added = False
        for name, schema in theirs.items():
            if name in renames or name not in ours:
                continue
            rewritten = rename_refs(schema, renames)
            if json.dumps(ours[name], sort_keys=True) != json.dumps(rewritten, sort_keys=True):
                renames[name] = f"{service.capitalize()}{name}"
                added = True
        if not added:
            return renames


def merge(
    base: dict[str, Any], services: dict[str, dict[str, Any]], *, title: str = "Sunlight API", description: str = ""
) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    merged["info"] = {
        **merged.get("info", {}),
        "title": title,
        "description": description or merged.get("info", {}).get("description", ""),
        **INFO,
    }
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    security_schemes = components.setdefault("securitySchemes", {})
    headers = components.setdefault("headers", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    for service, doc in sorted(services.items()):
        doc = copy.deepcopy(doc)
        renames = _renames(schemas, doc.get("components", {}).get("schemas", {}), service)
        doc = rename_refs(doc, renames)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            key = renames.get(name, name)
            if key != name and schema.get("title") == name:
                schema = {**schema, "title": key}  # a renamed schema keeps its title equal to its key
            schemas.setdefault(key, schema)
        security_schemes.update(doc.get("components", {}).get("securitySchemes", {}))
        for name, header in doc.get("components", {}).get("headers", {}).items():
            headers.setdefault(name, header)
        for path, item in doc.get("paths", {}).items():
            if path.startswith(f"/v1/{service}/"):
                paths[path] = item
                for operation in item.values():
                    add_gateway_answers(operation)
        for tag in doc.get("tags", []):
            tags.setdefault(tag["name"], tag)
    if tags:
        merged["tags"] = list(tags.values())
    for item in paths.values():  # the gateway's own rate limits (the token endpoint) say when to come back
        for operation in item.values():
            if "429" in operation.get("responses", {}):
                operation["responses"]["429"].setdefault("headers", {}).update(_LIMIT_HEADERS)
    for name in ("Retry-After", "RateLimit-Policy", "RateLimit", "X-Request-Id"):
        headers.setdefault(name, HEADERS[name])
    components["headers"] = dict(sorted(headers.items()))
    merged["paths"] = dict(sorted(paths.items()))
    components["schemas"] = dict(sorted(schemas.items()))
    return merged
