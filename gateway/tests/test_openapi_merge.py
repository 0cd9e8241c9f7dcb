"""The merged document tells the truth about every service's operations."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from gateway.openapi import merge

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
            return resolve(doc["components"]["schemas"][name], doc, (*seen, name))
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
                ours = resolve(operation, doc)
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
