"""Contracts other teams build on: the committed OpenAPI and event schemas match the code."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
assert spec and spec.loader
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)


def test_committed_openapi_matches_the_code():
    problems = export.drift(export.build())
    assert not problems, f"openapi/ is out of date, run `make openapi`: {problems}"


def test_published_event_versions_never_change():
    schemas, _ = export.event_documents()
    for path in sorted((ROOT / "openapi" / "events").glob("*.schema.json")):
        event_type = path.name.removesuffix(".schema.json")
        assert event_type in schemas, f"{event_type} was published and may not disappear; deprecate it instead"
        committed = json.loads(path.read_text())
        assert schemas[event_type] == committed, (
            f"{event_type} changed: a published version is frozen; add {event_type[:-1]}{int(event_type[-1]) + 1}"
        )


def test_every_operation_documents_problem_json_errors():
    doc = json.loads((ROOT / "openapi" / "gateway.json").read_text())
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if operation.get("security"):
                assert "401" in operation["responses"], f"{method.upper()} {path} does not document 401"
                content = operation["responses"]["401"]["content"]
                assert "application/problem+json" in content


OPERATION_ID = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def test_every_operation_of_every_service_has_an_explicit_unique_camel_case_id():
    """SDK method names: set on the route (``operation_id="listIntegrityWarnings"``), never FastAPI's default
    (``list_warnings_v1_integrity_warnings_get``, which changes with any route move), unique across the suite."""
    services = export.service_documents()
    documents = {**services, "gateway": export.gateway_document(services)}
    owner: dict[str, str] = {}
    count = 0
    for name, doc in documents.items():
        for path, item in doc["paths"].items():
            for method, operation in item.items():
                where = f"{method.upper()} {path} ({name})"
                operation_id = operation.get("operationId", "")
                assert OPERATION_ID.match(operation_id), f"{where}: operationId {operation_id!r} is not camelCase"
                assert owner.setdefault(operation_id, where.split(" (")[0]) == where.split(" (")[0], (
                    f"{where}: operationId {operation_id} is already {owner[operation_id]}"
                )
                count += 1
    assert count > 80


def test_the_committed_documents_lint_clean():
    """Spectral (spectral:oas), Redocly (recommended) and the AsyncAPI parser: no error, no warning. The tools are
    pinned in package-lock.json (``make node-tools``); without them this fails rather than skips."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lint_contract.py")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_problem_class_is_in_the_published_catalogue():
    """docs/problems.md and openapi/problems.json list every `type` the code can send, with its extension
    members; each member is a property of the ProblemDoc schema a client compiles against."""
    from sunlight.problems import problem_classes

    export.build()  # loads every app, so every Problem class is defined
    published = json.loads((ROOT / "openapi" / "problems.json").read_text())["problem_types"]
    by_type = {entry["type"]: entry for entry in published}
    classes = problem_classes()
    assert len(classes) > 60
    for kind in classes:
        assert kind.type_uri() in by_type, f"{kind.__module__}.{kind.__name__} is not in the catalogue: make openapi"
        assert by_type[kind.type_uri()]["status"] == kind.status
    page = (ROOT / "docs" / "problems.md").read_text()
    assert all(f"`…/{entry['slug']}`" in page for entry in published)
    merged = json.loads((ROOT / "openapi" / "gateway.json").read_text())
    properties = merged["components"]["schemas"]["ProblemDoc"]["properties"]
    for entry in published:
        missing = set(entry["members"]) - set(properties)
        assert not missing, f"{entry['slug']}: members {missing} are not in the ProblemDoc schema"


def test_schema_names_mean_something_and_titles_equal_keys():
    merged = json.loads((ROOT / "openapi" / "gateway.json").read_text())
    for name, schema in merged["components"]["schemas"].items():
        assert schema.get("title", name) == name, f"{name} is titled {schema.get('title')}"
        assert not re.search(r"^Body$|^Body_|^Page_|_$", name), f"{name} is a generated name"
    for path, item in merged["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    assert "title" not in media["schema"], f"{method.upper()} {path} {status}: inline title"


def test_the_event_document_names_every_sender_and_receiver():
    """AsyncAPI: a receive operation per consumer (from handlers.py), a send operation per service that builds
    the event, the CloudEvents envelope around each payload, and the NATS server."""
    doc = yaml.safe_load((ROOT / "openapi" / "asyncapi.yaml").read_text())
    operations = doc["operations"].values()
    received = {
        (op["tags"][0]["name"], op["channel"]["$ref"].rsplit("/", 1)[1])
        for op in operations
        if op["action"] == "receive"
    }
    for service, types in {
        "integrity": ["warnings.raised.v1", "approvals.case.concluded.v1"],
        "funds": ["warnings.disposed.v1"],
    }.items():
        for event_type in types:
            assert (service, event_type.replace(".", "_")) in received, f"{service} receives {event_type}"
    sent = {
        (op["tags"][0]["name"], op["channel"]["$ref"].rsplit("/", 1)[1]) for op in operations if op["action"] == "send"
    }
    assert ("funds", "warnings_raised_v1") in sent and ("integrity", "warnings_disposed_v1") in sent
    assert ("funds", "funds_movement_recorded_v1") in sent
    assert doc["servers"]["nats"]["protocol"] == "nats"
    for message in doc["components"]["messages"].values():
        assert message["payload"]["allOf"][0] == {"$ref": "#/components/schemas/CloudEvent"}


def _all_documents() -> dict[str, dict[str, Any]]:
    services = export.service_documents()
    return {**services, "gateway": export.gateway_document(services)}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


# answers whose shape a published standard fixes: GeoReport v2 clients expect a top-level JSON array
ARRAY_BY_STANDARD = ("/v1/complaints/open311/v2/",)


def test_no_operation_answers_a_bare_array():
    """Every list is the ``{items, next_cursor}`` envelope (``Page[XOut]``), so a list can grow a cursor, a
    count or a filter echo without breaking a client; a bare JSON array cannot (except where a standard
    fixes the shape: ``ARRAY_BY_STANDARD``)."""
    bare = []
    for name, doc in _all_documents().items():
        for path, item in doc["paths"].items():
            if path.startswith(ARRAY_BY_STANDARD):
                continue
            for method, operation in item.items():
                for status, response in operation["responses"].items():
                    if not status.startswith("2"):
                        continue
                    for media in response.get("content", {}).values():
                        schema = _resolve(doc, media.get("schema", {}))
                        if schema.get("type") == "array":
                            bare.append(f"{method.upper()} {path} {status} ({name})")
    assert not bare, "bare arrays (answer Page[XOut] instead): " + ", ".join(bare)


# POSTs that create (201) without Idempotency-Key, and why each is right as it is.
IDEMPOTENCY_EXEMPT = {
    # RFC 6749 §5.1: a token answer is never cached or replayed; retrying simply issues another short-lived token
    "/oauth/token": "a token answer must not be stored or replayed (RFC 6749 §5.1, Cache-Control: no-store)",
    # anonymous: keys would share one namespace among every reporter, so a guessed key would replay another
    # reporter's receipt (the receipt secret is the reporter's only credential)
    "/v1/complaints/public/reports": "anonymous: one shared key namespace would replay a reporter's receipt to another",
    # idempotent by its natural key: the same file under the same programme `code` replays its first answer (200),
    # another file under that code is 409; a key would add nothing a retry needs
    "/v1/funds/imports/oxford-expenditure": "idempotent by the programme code it creates (same file again: 200 replay)",
}


def test_every_post_that_creates_takes_an_idempotency_key():
    """A client retrying a POST after a timeout must not create twice: every POST answering 201 takes
    ``Idempotency-Key`` (documented as a header parameter), except the justified ``IDEMPOTENCY_EXEMPT``."""
    missing = []
    for name, doc in _all_documents().items():
        for path, item in doc["paths"].items():
            operation = item.get("post")
            if not operation or "201" not in operation["responses"] or path in IDEMPOTENCY_EXEMPT:
                continue
            headers = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"}
            if "Idempotency-Key" not in headers:
                missing.append(f"POST {path} ({name})")
    assert not missing, "POSTs that create without Idempotency-Key: " + ", ".join(missing)
    documented = _all_documents()["gateway"]["paths"]
    assert all(path in documented for path in IDEMPOTENCY_EXEMPT), "an exemption names a path that is gone"
