"""The contract speaks one vocabulary: enum-like fields are enums, warnings use the register's names, request
bodies have examples that validate (docs/developing.md, "The API contract")."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
assert spec and spec.loader
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)

ENUM_LIKE = ("status", "level", "kind", "outcome", "disposition", "state")
WRITES = ("post", "put", "patch")
# open vocabularies, on purpose: the register keeps any source's subject kinds (each source's own is an enum);
# a qualification's kind is a specialty named by the issuing authority (建筑工程施工总承包 …)
OPEN = {
    "IntegrityWarningOut.subject_kind",
    "WarningDetail.subject_kind",
    "QualificationOut.kind",
}


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    return export.gateway_document(export.service_documents())


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/components/schemas/"):
            yield _ref_name(node["$ref"])
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def response_schemas(doc: dict[str, Any]) -> set[str]:
    """Every component schema a response can contain (transitively)."""
    schemas = doc["components"]["schemas"]
    todo = [
        name
        for item in doc["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for status, response in operation.get("responses", {}).items()
        if status.startswith("2")
        for name in _refs(response)
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            todo.extend(_refs(schemas[name]))
    return seen


def _is_free_string(schema: dict[str, Any]) -> bool:
    """A plain string: no enum, const or reference (``anyOf`` with null counts as its non-null member)."""
    members = schema.get("anyOf", [schema])
    strings = [m for m in members if m.get("type") == "string"]
    return (
        bool(strings)
        and not any("$ref" in m or "enum" in m or "const" in m for m in members)
        and all("enum" not in m and "const" not in m for m in strings)
    )


def enum_like_strings(doc: dict[str, Any]) -> list[str]:
    schemas = doc["components"]["schemas"]
    found = []
    for name in sorted(response_schemas(doc)):
        for field, schema in schemas[name].get("properties", {}).items():
            named = field in ENUM_LIKE or field.endswith(tuple(f"_{word}" for word in ENUM_LIKE))
            if named and _is_free_string(schema) and f"{name}.{field}" not in OPEN:
                found.append(f"{name}.{field}")
    return found


def test_enum_like_response_fields_are_enums(merged):
    """``status``, ``level``, ``kind``, ``outcome``, ``disposition``, ``state`` (and ``…_kind`` etc.) in an
    answer are enums with their values described, so a generated client gets a union type, not ``string``."""
    assert enum_like_strings(merged) == []


def test_the_check_sees_a_plain_string_status():
    doc = {
        "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/schemas/XOut"}}}}},
        "components": {
            "schemas": {
                "XOut": {
                    "properties": {
                        "status": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "level": {"$ref": "#/components/schemas/Level"},
                        "subject_kind": {"type": "string", "enum": ["node"]},
                        "name": {"type": "string"},
                    }
                },
                "Level": {"type": "string", "enum": ["blue"]},
            }
        },
    }
    assert enum_like_strings(doc) == ["XOut.status"]


def test_enums_in_answers_describe_their_values(merged):
    """Every enum a response names by reference lists each value's meaning (``x-enumDescriptions``)."""
    schemas = merged["components"]["schemas"]
    undescribed = [
        name
        for name in sorted(response_schemas(merged))
        if "enum" in schemas[name] and set(schemas[name].get("x-enumDescriptions", {})) != set(schemas[name]["enum"])
    ]
    assert undescribed == []


WARNING_SHAPES = ("FundsWarningOut", "IntegrityWarningOut", "FindingOut", "ApprovalsWarningOut")


def test_the_warning_shapes_speak_the_registers_vocabulary(merged):
    """Integrity owns warning state: every service's view of a warning uses its names for the same concepts."""
    schemas = merged["components"]["schemas"]
    register = schemas["IntegrityWarningOut"]["properties"]
    for name in WARNING_SHAPES:
        properties = schemas[name]["properties"]
        for field in ("rule_id", "level", "service", "subject_kind", "subject_id", "first_seen_at", "last_seen_at"):
            assert field in properties, f"{name} lacks {field}"
        assert not {"subject", "first_raised_at", "last_raised_at"} & set(properties), name
        if "status" in properties:
            assert properties["status"] == register["status"] | {"description": properties["status"].get("description")}


def test_the_rule_catalogue_in_sunlight_is_current():
    """``sunlight.rule_catalogue`` (how integrity checks a risk point's ``rule_ids`` without asking the other
    services) is generated from every service's registry."""
    spec = importlib.util.spec_from_file_location("export_rules", ROOT / "scripts" / "export_rules.py")
    assert spec and spec.loader
    rules = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rules)
    assert rules.CATALOGUE.read_text(encoding="utf-8") == rules.render_catalogue(), "run scripts/export_rules.py"


# --- examples -------------------------------------------------------------------------------------------


def _registry(doc: dict[str, Any]) -> referencing.Registry:
    resource = referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012)
    return referencing.Registry().with_resource("urn:doc", resource)


def _examples(doc: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    schema = media.get("schema", {})
    found = [media["example"]] if "example" in media else []
    found += [e.get("value") for e in media.get("examples", {}).values()]
    if "$ref" in schema:
        found += doc["components"]["schemas"][_ref_name(schema["$ref"])].get("examples", [])
    elif "examples" in schema:
        found += schema["examples"]
    elif "$ref" in schema.get("items", {}):  # a batch: an array of the item's examples
        items = doc["components"]["schemas"][_ref_name(schema["items"]["$ref"])].get("examples", [])
        found += [items] if items else []
    return found


def request_bodies(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in WRITES and "requestBody" in operation:
                for media_type, media in operation["requestBody"]["content"].items():
                    if media_type in ("application/json", "application/x-www-form-urlencoded"):
                        yield f"{method.upper()} {path} ({media_type})", media_type, media


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    rooted = json.loads(json.dumps(schema).replace('"#/components/', '"urn:doc#/components/'))
    return jsonschema.Draft202012Validator(rooted, registry=_registry(doc), format_checker=jsonschema.FormatChecker())


def missing_or_invalid_examples(doc: dict[str, Any]) -> list[str]:
    wrong = []
    for where, _, media in request_bodies(doc):
        examples = _examples(doc, media)
        if not examples:
            wrong.append(f"{where}: no example")
        validator = _validator(doc, media.get("schema", {}))
        for example in examples:
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
            if errors:
                wrong.append(f"{where}: example does not validate: {errors[:3]}")
    return wrong


def test_every_request_body_has_an_example_that_validates(merged):
    assert missing_or_invalid_examples(merged) == []


def test_every_response_example_validates(merged):
    schemas = merged["components"]["schemas"]
    wrong = []
    for name in sorted(response_schemas(merged)):
        validator = _validator(merged, {"$ref": f"#/components/schemas/{name}"})
        for example in schemas[name].get("examples", []):
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
            if errors:
                wrong.append(f"{name}: {errors[:3]}")
    assert wrong == []


def test_the_example_check_sees_a_missing_and_a_wrong_example():
    doc = {
        "paths": {
            "/a": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}
                }
            },
            "/b": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
                }
            },
        },
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"n": {"type": "integer"}}},
                "B": {"type": "object", "properties": {"n": {"type": "integer"}}, "examples": [{"n": "100"}]},
            }
        },
    }
    assert [w.split(":")[0] for w in missing_or_invalid_examples(doc)] == [
        "POST /a (application/json)",
        "POST /b (application/json)",
    ]
