"""The merged document tells the truth about every service's operations."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from gateway.openapi import GATEWAY_BODY_RESPONSES, GATEWAY_RESPONSES, add_gateway_answers, merge
from sunlight.public import is_public

ROOT = Path(__file__).resolve().parents[2]


def _export() -> Any:
    spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def resolve(node: Any, doc: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline every ``$ref`` (a recursive reference is left as its bare name)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name in seen:
                return {"recursive": True}
            # a schema renamed in the merge (FundsBatchOut) is retitled after its key: the name, not the meaning
            schema = {k: v for k, v in doc["components"]["schemas"][name].items() if k != "title"}
            return resolve(schema, doc, (*seen, name))
        return {k: resolve(v, doc, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, doc, seen) for v in node]
    return node


def test_every_service_operation_reads_the_same_in_the_merged_document() -> None:
    export = _export()
    services = export.service_documents()
    merged = export.gateway_document(services)
    compared = 0
    for service, doc in services.items():
        for path, item in doc.get("paths", {}).items():
            for method, operation in item.items():
                # the merged operation is the service's own plus the answers only the gateway sends
                with_gateway = json.loads(json.dumps(operation))
                add_gateway_answers(with_gateway)
                ours = resolve(with_gateway, doc)
                theirs = resolve(merged["paths"][path][method], merged)
                assert ours == theirs, f"{method.upper()} {path} of {service} changed meaning in the merge"
                compared += 1
    assert compared > 50


def _page(item: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": item}}}}


def test_same_looking_wrappers_around_different_schemas_are_kept_apart() -> None:
    """Two ``Page_X_`` schemas alike as text but pointing at two different ``X``."""
    base: dict[str, Any] = {"openapi": "3.1.0", "info": {}, "paths": {}, "components": {"schemas": {}}}
    funds = {
        "paths": {"/v1/funds/w": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Page_X_"}}}}},
        "components": {
            "schemas": {"X": {"properties": {"a": {}}}, "Page_X_": _page("#/components/schemas/X")},
        },
    }
    integrity = json.loads(json.dumps(funds).replace("/v1/funds/", "/v1/integrity/"))
    integrity["components"]["schemas"]["X"] = {"properties": {"b": {}}}
    doc = merge(base, {"funds": funds, "integrity": integrity})
    ref = doc["paths"]["/v1/integrity/w"]["get"]["responses"]["200"]["$ref"]
    assert resolve({"$ref": ref}, doc)["properties"]["items"]["items"] == {"properties": {"b": {}}}
    ref = doc["paths"]["/v1/funds/w"]["get"]["responses"]["200"]["$ref"]
    assert resolve({"$ref": ref}, doc)["properties"]["items"]["items"] == {"properties": {"a": {}}}


def test_proxied_operations_document_what_the_gateway_itself_answers() -> None:
    """429 with Retry-After and the rate-limit headers, 503 and 504 on every proxied operation; 408 and 413
    where a body is sent; the headers are defined once in components."""
    merged = json.loads((ROOT / "openapi" / "gateway.json").read_text())
    proxied = [
        (path, operation)
        for path, item in merged["paths"].items()
        if path.startswith("/v1/") and not path.startswith("/v1/admin/")
        for operation in item.values()
    ]
    assert len(proxied) > 60
    for path, operation in proxied:
        expected = set(GATEWAY_RESPONSES) | (set(GATEWAY_BODY_RESPONSES) if "requestBody" in operation else set())
        assert expected <= set(operation["responses"]), f"{path} does not document {expected}"
        limited = operation["responses"]["429"]["headers"]
        assert {"Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id"} <= set(limited), path
    token = merged["paths"]["/oauth/token"]["post"]["responses"]["429"]
    assert "Retry-After" in token["headers"]
    assert {"Retry-After", "RateLimit", "RateLimit-Policy", "X-Request-Id", "Idempotent-Replayed"} <= set(
        merged["components"]["headers"]
    )


def test_every_scope_a_route_requires_is_declared_in_the_oauth_flows() -> None:
    """One list (sunlight.scopes.SCOPES): the flows declare every scope the code requires; public routes say
    `security: []`; the password flow can be refreshed; the document names its server."""
    from gateway.scopes import ALL_SCOPES

    merged = json.loads((ROOT / "openapi" / "gateway.json").read_text())
    flows = merged["components"]["securitySchemes"]["sunlight"]["flows"]
    declared = set(flows["clientCredentials"]["scopes"])
    assert declared == set(flows["password"]["scopes"]) == set(ALL_SCOPES)
    assert flows["password"]["refreshUrl"] == "/oauth/token"
    required = set()
    for path, item in merged["paths"].items():
        for method, operation in item.items():
            assert "security" in operation, f"{method.upper()} {path} leaves its security unsaid"
            for requirement in operation["security"]:
                required |= set(requirement["sunlight"])
            if is_public(path) or path in ("/oauth/token", "/.well-known/jwks.json"):
                assert operation["security"] == [], f"{method.upper()} {path} is public"
    assert required and required <= declared, f"undeclared scopes: {required - declared}"
    assert merged["servers"] and merged["servers"][0]["url"].startswith("http")
