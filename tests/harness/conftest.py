"""The apps the harness attacks: the gateway and every domain service, in-process, on both backends.

A new service joins every harness test (schemathesis, access matrix, token attacks) by adding
its name to ``SERVICES`` — its package follows the layout of docs/developing.md
(``<name>.app.create_app``, ``<name>.app.MIGRATIONS``, ``<name>.settings.<Name>Settings``).

``live`` gives the app named by its (indirect) parameter, started once per session and backend: a fresh
migrated database, the real bus, its lifespan running in schemathesis' ASGI event loop, and a
``requests``-style client on it (``live.client``), so generated cases and hand-written calls
reach the same app without sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from schemathesis.python import asgi
from sunlight.settings import ServiceSettings
from sunlight.testing import Backend, ServiceHarness, TestKeys
from sunlight.testing.backends import Templates
from sunlight.testing.plugin import _selected as selected_backends

SERVICES = (
    "funds",
    "tenders",
    "approvals",
    "complaints",
    "integrity",
)
GATEWAY = "gateway"
APPS = (GATEWAY, *SERVICES)

# scopes of a service beyond read/write/admin (gateway.scopes.EXTRA_SCOPES)
EXTRA_SCOPES: dict[str, tuple[str, ...]] = {
    "funds": ("funds:accept", "funds:audit", "funds:supervise"),
}
GATEWAY_ADMIN = "harness-root"
GATEWAY_ADMIN_SECRET = "harness-root-secret-Xq7-not-for-production"
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class ServiceApp:
    name: str
    settings_class: type[ServiceSettings]
    migrations: Path
    create_app: Callable[[Any], Any]

    @classmethod
    def of(cls, name: str) -> ServiceApp:
        app_module = importlib.import_module(f"{name}.app")
        settings_module = importlib.import_module(f"{name}.settings")
        return cls(
            name=name,
            settings_class=getattr(settings_module, f"{name.capitalize()}Settings"),
            migrations=app_module.MIGRATIONS,
            create_app=app_module.create_app,
        )

    @property
    def scopes(self) -> list[str]:
        """Every scope of the app: read, write, admin, and its own (funds: the accepting, auditing and
        supervising bodies' scopes)."""
        return [f"{self.name}:read", f"{self.name}:write", f"{self.name}:admin", *EXTRA_SCOPES.get(self.name, ())]


def gateway_settings_values(database_url: str) -> dict[str, Any]:
    return {
        "environment": "test",
        "database_url": database_url,
        "bootstrap_client_id": GATEWAY_ADMIN,
        "bootstrap_client_secret": GATEWAY_ADMIN_SECRET,
        "rate_limit_token": "100000/minute",
        "rate_limit_token_account": "100000/minute",
        "token_backoff_base_seconds": 0,  # the limits have tests of their own (gateway/tests/test_token_limits.py)
        "rate_limit": "100000/minute",
        "rate_limit_anonymous": "100000/minute",
        "rate_limit_public_write": "100000/minute",
    }


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str
    scopes: tuple[str, ...]  # () for a public route
    doc: dict[str, Any] = field(compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return not self.doc.get("security")


@functools.cache
def openapi_of(name: str) -> dict[str, Any]:
    """The app's own OpenAPI document (built without a database)."""
    if name == GATEWAY:
        from gateway.app import build_gateway
        from gateway.settings import GatewaySettings

        doc: dict[str, Any] = build_gateway(GatewaySettings(environment="test")).api.state.own_schema()
        return doc
    service = ServiceApp.of(name)
    built: dict[str, Any] = service.create_app(service.settings_class(environment="test")).openapi()
    return built


def operations(name: str) -> list[Operation]:
    out = []
    for path, item in openapi_of(name)["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            scopes = tuple(s for req in op.get("security") or [] for ss in req.values() for s in ss)
            out.append(Operation(method.upper(), path, scopes, op))
    return out


@dataclass
class Live:
    """One running app: ``client`` is a requests Session on it, ``auth`` a token of every scope (nationwide)."""

    name: str
    app: Any
    client: asgi.ASGIClient
    backend: Backend
    settings: Any
    auth: dict[str, str]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, path, **kwargs)


def _build(name: str, backend: Backend, keys: TestKeys, overrides: dict[str, Any]) -> tuple[Any, Any]:
    if name == GATEWAY:
        from gateway.app import MIGRATIONS, create_app
        from gateway.settings import GatewaySettings

        url = asyncio.run(backend.database("gateway", MIGRATIONS))
        settings = GatewaySettings(**{**gateway_settings_values(url), **overrides})
        return create_app(settings), settings
    service = ServiceApp.of(name)
    harness = ServiceHarness(backend, keys)
    settings = asyncio.run(harness.settings(service.settings_class, service.migrations, **overrides))
    return service.create_app(settings), settings


@contextlib.contextmanager
def running(name: str, backend: Backend, keys: TestKeys, **overrides: Any) -> Iterator[Live]:
    """``name``'s app on ``backend`` (settings ``overrides``), its lifespan running; stopped on exit."""
    app, settings = _build(name, backend, keys, overrides)
    client = asgi.get_client(app)
    client.__enter__()  # starts the lifespan (relay, consumers, jobs) in schemathesis' event loop
    try:
        if name == GATEWAY:
            got = client.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=(GATEWAY_ADMIN, GATEWAY_ADMIN_SECRET)
            )
            assert got.status_code == 200, got.text
            auth = {"Authorization": f"Bearer {got.json()['access_token']}"}
        else:
            auth = keys.auth(scopes=ServiceApp.of(name).scopes, regions=["000000"], sub=f"harness-{name}")
        yield Live(name, app, client, backend, settings, auth)
    finally:
        client.__exit__(None, None, None)
        stop_lifespan(app)


def stop_lifespan(app: Any) -> None:
    """Stop one app's lifespan in schemathesis' ASGI loop (``shutdown_lifespans`` would stop them all)."""
    lifespan = asgi._LIFESPANS.pop(id(app), None)  # pinned schemathesis; no public call for one app
    if lifespan is not None and lifespan.error is None:
        lifespan.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``live`` apps live for the session (shared by every harness module), one per app and backend."""
    if "harness_backend" in metafunc.fixturenames:
        metafunc.parametrize("harness_backend", selected_backends(metafunc.config), scope="session")


class Pool:
    """The apps of one backend, started on first use and kept for the session."""

    def __init__(self, backend: Backend, keys: TestKeys) -> None:
        self.backend = backend
        self.keys = keys
        self.apps: dict[str, Live] = {}
        self._stack = contextlib.ExitStack()

    def get(self, name: str) -> Live:
        if name not in self.apps:
            self.apps[name] = self._stack.enter_context(running(name, self.backend, self.keys))
        return self.apps[name]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def pool(
    harness_backend: str, keys: TestKeys, sunlight_templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pool]:
    backend = Backend(
        name=harness_backend, tmp=tmp_path_factory.mktemp(f"harness-{harness_backend}"), templates=sunlight_templates
    )
    apps = Pool(backend, keys)
    try:
        yield apps
    finally:
        apps.close()
        asyncio.run(backend.cleanup())


@pytest.fixture
def live(request: pytest.FixtureRequest, pool: Pool) -> Live:
    """The app named by the (indirect) parameter, running on ``harness_backend`` (started once per session)."""
    return pool.get(request.param)
