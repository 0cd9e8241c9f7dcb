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


def _camel(*parts: str) -> str:
    words = [w for part in parts for w in part.replace("-", ".").split(".") if w]
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def event_senders() -> dict[str, list[str]]:
    """Which service sends each event type, read from the code: a service sends a type when its source
    (handlers aside) builds the type's contract model, or calls ``warning_event`` (``warnings.raised.v1``)."""
    import ast

    from sunlight.events.contracts import CONTRACTS

    by_model = {model.__name__: event_type for event_type, model in CONTRACTS.items()}
    senders: dict[str, set[str]] = {event_type: set() for event_type in CONTRACTS}
    for name in SERVICES:
        for path in (ROOT / "services" / name / "src" / name).rglob("*.py"):
            if path.name == "handlers.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    called = (
                        func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                    )
                    if called in by_model:
                        senders[by_model[called]].add(name)
                    elif called == "warning_event":
                        senders["warnings.raised.v1"].add(name)
    return {event_type: sorted(names) for event_type, names in senders.items()}


def event_receivers() -> dict[str, list[str]]:
    """Which services consume each event type: their ``handlers.py`` registrations."""
    receivers: dict[str, list[str]] = {}
    for name in SERVICES:
        handlers = importlib.import_module(f"{name}.handlers").handlers
        for event_type in sorted(handlers._by_type):
            receivers.setdefault(event_type, []).append(name)
    return receivers


CLOUDEVENT = {
    "type": "object",
    "description": "CloudEvents 1.0, structured content mode (the whole event is the JSON message body).",
    "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
    "properties": {
        "specversion": {"type": "string", "const": "1.0"},
        "id": {"type": "string", "description": "UUIDv7 (time-ordered); consumers deduplicate on it"},
        "source": {
            "type": "string",
            "description": "/sunlight/<service> — the sending service",
            "examples": ["/sunlight/funds"],
        },
        "type": {"type": "string", "description": "<domain>.<noun>.<verb>.v<N>"},
        "subject": {"type": ["string", "null"], "description": "the entity the event is about (its id)"},
        "time": {"type": "string", "format": "date-time"},
        "datacontenttype": {"type": "string", "const": "application/json"},
        "dataschema": {"type": ["string", "null"], "format": "uri", "description": "the JSON Schema of data"},
        "data": {"description": "the payload; its schema is the message's"},
    },
}


def event_documents() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from sunlight.enums import PlainEnumsJsonSchema
    from sunlight.events.contracts import CONTRACTS, schema_uri

    senders, receivers = event_senders(), event_receivers()
    schemas: dict[str, dict[str, Any]] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(CONTRACTS.items()):
        schema = model.model_json_schema(ref_template="#/$defs/{model}", schema_generator=PlainEnumsJsonSchema)
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": schema_uri(event_type),
            "title": event_type,
            **schema,
        }
        schemas[event_type] = schema
        key = event_type.replace(".", "_")
        sent_by = senders.get(event_type, [])
        messages[key] = {
            "name": event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().split("\n")[0],
            "description": f"Sent by {', '.join(sent_by) or 'no service yet'}; received by "
            f"{', '.join(receivers.get(event_type, [])) or 'no service yet'}. The message is a CloudEvent "
            "(structured mode); the payload schema below is the whole event, its `data` the contract.",
            "contentType": "application/cloudevents+json",
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "const": event_type},
                            "dataschema": {"type": "string", "const": schema_uri(event_type)},
                            "data": {"$ref": f"events/{event_type}.schema.json"},
                        },
                    },
                ]
            },
        }
        channels[key] = {
            "address": f"sunlight.{event_type}",
            "description": "JetStream subject in stream SUNLIGHT; Nats-Msg-Id is the event id",
            "servers": [{"$ref": "#/servers/nats"}],
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        for service in sent_by:
            operations[_camel(service, "send", event_type)] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{service} publishes {event_type} (from its outbox, after the commit)",
                "tags": [{"name": service}],
                "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            }
        for service in receivers.get(event_type, []):
            operations[_camel(service, "receive", event_type)] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{key}"},
                "summary": f"{service} applies {event_type} (durable consumer {service}__{key}, explicit ack; "
                "a redelivery is a no-op; dead-lettered after the maximum deliveries)",
                "tags": [{"name": service}],
                "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
                "bindings": {"nats": {"queue": f"{service}__{key}", "bindingVersion": "0.1.0"}},
            }
    asyncapi = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Sunlight events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in structured mode on NATS JetStream (stream SUNLIGHT, subjects "
            "sunlight.<type>) or the embedded log. The payload schema describes the whole event and its `data`; "
            "at-least-once delivery, deduplicate by the CloudEvent `id`. Operations say which service sends "
            "and which receives each event.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {
            "nats": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "NATS with JetStream (SUNLIGHT_BUS_URL); stream SUNLIGHT on sunlight.>",
                "bindings": {"nats": {}},
            }
        },
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"schemas": {"CloudEvent": CLOUDEVENT}, "messages": messages},
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
