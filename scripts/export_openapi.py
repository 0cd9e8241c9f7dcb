"""Generate ``openapi/``: every service's OpenAPI, the gateway's merged document, the event
JSON Schemas and an AsyncAPI 3 document. ``make openapi`` writes them; a test compares the
committed files with a fresh build and fails on drift.

    uv run python scripts/export_openapi.py          # write
    uv run python scripts/export_openapi.py --check  # exit 1 when the committed files differ
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "openapi"
SERVICES = ("funds", "tenders", "approvals", "complaints", "integrity")


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def service_documents() -> dict[str, dict[str, Any]]:
    docs = {}
    for name in SERVICES:
        module = importlib.import_module(f"{name}.app")
        settings_module = importlib.import_module(f"{name}.settings")
        settings_cls = next(
            v
            for k, v in vars(settings_module).items()
            if k.endswith("Settings") and getattr(v, "service_name", None) == name
        )
        app = module.create_app(settings_cls(environment="test", log_level="WARNING"))
        docs[name] = app.openapi()
    return docs


def gateway_document(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from gateway.app import DESCRIPTION, create_app
    from gateway.openapi import merge
    from gateway.settings import GatewaySettings

    gateway = create_app(GatewaySettings(environment="test", log_level="WARNING"))
    return merge(gateway.api.state.own_schema(), services, description=DESCRIPTION)


def event_documents() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from sunlight.events.contracts import CONTRACTS, schema_uri

    schemas: dict[str, dict[str, Any]] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(CONTRACTS.items()):
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": schema_uri(event_type),
            "title": event_type,
            **schema,
        }
        schemas[event_type] = schema
        key = event_type.replace(".", "_")
        messages[key] = {
            "name": event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().split("\n")[0],
            "contentType": "application/cloudevents+json",
            "payload": {"$ref": f"events/{event_type}.schema.json"},
        }
        channels[key] = {
            "address": f"sunlight.{event_type}",
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"publish_{key}"] = {"action": "send", "channel": {"$ref": f"#/channels/{key}"}}
    asyncapi = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Sunlight events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in structured mode on NATS JetStream (stream SUNLIGHT, subjects "
            "sunlight.<type>) or the embedded log. The payload schema describes the event's `data`; "
            "at-least-once delivery, deduplicate by the CloudEvent `id`.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
    return schemas, asyncapi


def problem_documents() -> tuple[str, str]:
    """The problem-type catalogue (JSON and a docs page), from the Problem classes loaded by the apps."""
    from sunlight.problems import catalogue, markdown

    entries = catalogue()
    return _dump({"title": "Sunlight problem types", "problem_types": entries}), markdown(entries)


def build() -> dict[Path, str]:
    services = service_documents()
    files = {OUT / f"{name}.json": _dump(doc) for name, doc in services.items()}
    files[OUT / "gateway.json"] = _dump(gateway_document(services))
    files[OUT / "problems.json"], files[ROOT / "docs" / "problems.md"] = problem_documents()
    schemas, asyncapi = event_documents()
    for event_type, schema in schemas.items():
        files[OUT / "events" / f"{event_type}.schema.json"] = _dump(schema)
    files[OUT / "asyncapi.yaml"] = yaml.safe_dump(asyncapi, sort_keys=False, allow_unicode=True)
    return files


def drift(files: dict[Path, str]) -> list[str]:
    problems = [
        str(p.relative_to(ROOT)) for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    known = set(files)
    problems += [
        f"{p.relative_to(ROOT)} (no longer generated)"
        for p in OUT.rglob("*")
        if p.is_file() and p not in known and p.suffix in (".json", ".yaml")
    ]
    return problems


def main() -> None:
    files = build()
    if "--check" in sys.argv:
        problems = drift(files)
        if problems:
            sys.exit("openapi/ is out of date (run `make openapi`): " + ", ".join(problems))
        return
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for stale in drift(files):
        if stale.endswith("(no longer generated)"):
            (ROOT / stale.split(" ")[0]).unlink()
    print(f"wrote {len(files)} files under openapi/")


if __name__ == "__main__":
    main()
