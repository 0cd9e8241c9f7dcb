"""Hostile input on every service and the gateway's own routes: refused with a 4xx problem, never a 500.

Every service app found under ``services/`` (so a new service joins by existing) and the gateway's
own FastAPI routes are walked route by route:

- a control character anywhere — a JSON body field, a query parameter, a path parameter, a
  header — is 422 ``…/control-character`` naming the field as a JSON pointer, before any route
  runs (so it is the same on both backends: nothing reaches the database);
- a body of 100,000 nested arrays, a pagination cursor or a token header nested as deep, is a 4xx.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sunlight.settings import ServiceSettings
from sunlight.testing import Backend, ServiceHarness, TestKeys

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "src" / p.name / "app.py").exists())
CONTROL = "https://sunlight.example/problems/control-character"
PROBLEM = "application/problem+json"
DEEP = b"[" * 100_000 + b"]" * 100_000
GATEWAY_ADMIN, GATEWAY_SECRET = "root-admin", "root-admin-secret-for-tests-only"


@dataclass
class Operation:
    method: str
    path: str  # the template, e.g. /v1/funds/programmes/{programme_id}
    path_params: list[str]
    query: dict[str, dict[str, Any]]  # required query parameters and their schemas
    media: list[str]  # the request body's media types (none: no body)

    def url(self, value: str | None = None) -> str:
        """The path with every parameter filled (a fresh id, or ``value``)."""
        return re.sub(r"\{[^}]+\}", lambda _: value or str(uuid.uuid4()), self.path)


@dataclass
class Target:
    name: str
    client: httpx.AsyncClient
    headers: dict[str, str]  # a token with every scope of the app
    operations: list[Operation]

    def writes(self, media: str | None = "application/json") -> list[Operation]:
        """The operations that take a body (of ``media``, or of any type)."""
        return [o for o in self.operations if o.media and (media is None or media in o.media)]


def operations(doc: dict[str, Any]) -> list[Operation]:
    """Every documented operation of an OpenAPI document."""
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            params = op.get("parameters", [])
            out.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params=[p["name"] for p in params if p["in"] == "path"],
                    query={
                        p["name"]: p.get("schema", {}).get("anyOf", [p.get("schema", {})])[0]
                        for p in params
                        if p["in"] == "query" and p.get("required")
                    },
                    media=list(op.get("requestBody", {}).get("content", {})),
                )
            )
    return out


def settings_class(name: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"{name}.settings")
    return next(
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, ServiceSettings) and v.__dict__.get("service_name") == name
    )


@pytest.fixture(params=[*SERVICES, "gateway"])
async def target(request: pytest.FixtureRequest, harness: ServiceHarness, backend: Backend) -> AsyncIterator[Target]:
    name = request.param
    if name == "gateway":
        from gateway.app import MIGRATIONS, create_app
        from gateway.settings import GatewaySettings

        settings = GatewaySettings(
            environment="test",
            database_url=await backend.database("gateway", MIGRATIONS),
            bootstrap_client_id=GATEWAY_ADMIN,
            bootstrap_client_secret=GATEWAY_SECRET,
            rate_limit_token="1000/minute",
        )
        app = create_app(settings)
        async with (
            LifespanManager(app.api),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            token = await client.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=(GATEWAY_ADMIN, GATEWAY_SECRET)
            )
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            yield Target(name, client, headers, operations(app.api.state.own_schema()))
        return
    module = importlib.import_module(f"{name}.app")
    app = module.create_app(await harness.settings(settings_class(name), module.MIGRATIONS))
    scopes = f"{name}:read {name}:write {name}:admin"
    headers = harness.keys.auth(scopes=scopes, regions=["130000"])
    async with harness.client(app) as client:
        yield Target(name, client, headers, operations(app.openapi()))


def assert_refused(response: httpx.Response, pointer: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == CONTROL, problem
    assert pointer in [e["pointer"] for e in problem["errors"]], problem


def query_value(name: str, schema: dict[str, Any]) -> str:
    """A value a required query parameter accepts (so that the body is what is refused)."""
    if "region" in name:
        return "130300"
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("format") == "date":
        return "2025-01-01"
    return {"integer": "1", "number": "1", "boolean": "true"}.get(str(schema.get("type")), "K-1")


def query_of(op: Operation) -> dict[str, str]:
    return {name: query_value(name, schema) for name, schema in op.query.items()}


async def test_a_control_character_in_a_json_body_is_refused_with_its_pointer(target: Target):
    for op in target.writes():
        for text in ("耕地\x00x", "a\x85b", "lone \ud800 surrogate"):
            raw = json.dumps({"name": text, "items": [{"reference": text}]}).encode()  # as \u escapes
            r = await target.client.request(
                op.method,
                op.url(),
                params=query_of(op),
                content=raw,
                # a batch route checks its key before the body: give one, so the body is what gets refused
                headers={**target.headers, "content-type": "application/json", "idempotency-key": uuid.uuid4().hex},
            )
            assert_refused(r, "/body/name")
            assert "/body/items/0/reference" in [e["pointer"] for e in r.json()["errors"]]
    if target.name in ("funds", "integrity", "gateway"):
        assert target.writes(), "the walk reached no route with a JSON body"


async def test_a_control_character_in_a_query_parameter_is_refused_on_every_route(target: Target):
    for op in target.operations:
        for raw in ("a%00b", "a%1Bb", "a%C2%85b", "a%0Ab"):
            r = await target.client.request(op.method, f"{op.url()}?category={raw}&limit=5", headers=target.headers)
            assert_refused(r, "/query/category")


async def test_a_control_character_in_a_path_parameter_is_refused(target: Target):
    for op in target.operations:
        for name in op.path_params:
            path = op.path.replace("{" + name + "}", "a%00b")
            r = await target.client.request(op.method, Operation("", path, [], {}, []).url(), headers=target.headers)
            assert_refused(r, f"/path/{name}")


async def test_a_control_character_in_a_header_is_refused(target: Target):
    for op in target.writes()[:3]:
        r = await target.client.request(
            op.method,
            op.url(),
            json={},
            headers={**target.headers, "Idempotency-Key": "key\x01one"},
        )
        assert_refused(r, "/header/idempotency-key")


async def test_text_that_only_looks_like_a_control_character_is_not_refused(target: Target):
    """Escaped backslashes, surrogate pairs (an escaped emoji), tabs and line feeds are ordinary text."""
    for op in target.writes():
        raw = json.dumps({"name": "C:\\u0000 😀 耕地\tline\nnext"}).encode()
        r = await target.client.request(
            op.method,
            op.url(),
            params=query_of(op),
            content=raw,
            headers={**target.headers, "content-type": "application/json"},
        )
        assert r.status_code < 500 and r.json().get("type") != CONTROL, (op.path, r.text)


async def test_deeply_nested_json_is_a_4xx_on_every_route_that_takes_a_body(target: Target):
    for op in target.writes(media=None):
        for media in ("application/json", "application/x-ndjson"):
            r = await target.client.request(
                op.method,
                op.url(),
                params=query_of(op),
                content=DEEP,
                headers={**target.headers, "content-type": media},
            )
            assert 400 <= r.status_code < 500, (op.method, op.path, media, r.status_code, r.text[:300])
            assert r.headers["content-type"] == PROBLEM


async def test_a_deeply_nested_cursor_or_token_header_is_a_4xx(target: Target, keys: TestKeys):
    deep_cursor = base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode().rstrip("=")
    nul_cursor = base64.urlsafe_b64encode(json.dumps(["\x00", str(uuid.uuid4())]).encode()).decode().rstrip("=")
    reads = [o for o in target.operations if o.method == "GET"]
    for op in reads:
        for cursor in (deep_cursor, nul_cursor):
            r = await target.client.get(op.url(), params={**query_of(op), "cursor": cursor}, headers=target.headers)
            assert r.status_code < 500, (op.path, r.text[:300])
    header = base64.urlsafe_b64encode(b"[" * 1500 + b"]" * 1500).decode().rstrip("=")
    token = f"{header}.{keys.mint(scopes='x').split('.', 1)[1]}"
    for op in reads:
        r = await target.client.get(op.url(), headers={"Authorization": f"Bearer {token}"})
        assert r.status_code < 500, (op.path, r.text[:300])


async def test_a_control_character_in_a_form_field_of_the_token_endpoint_is_refused(backend: Backend):
    from gateway.app import MIGRATIONS, create_app
    from gateway.settings import GatewaySettings

    settings = GatewaySettings(
        environment="test", database_url=await backend.database("gateway", MIGRATIONS), rate_limit_token="1000/minute"
    )
    app = create_app(settings)
    async with (
        LifespanManager(app.api),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        r = await client.post(
            "/oauth/token",
            data={"grant_type": "password", "client_id": "sunlight-web", "username": "a\x00b", "password": "x"},
        )
        assert_refused(r, "/body/username")
