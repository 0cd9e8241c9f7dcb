"""Build a service app on a test backend and talk to it in-process (lifespan included)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from sunlight.settings import ServiceSettings
from sunlight.testing.backends import Backend
from sunlight.testing.tokens import TestKeys

S = TypeVar("S", bound=ServiceSettings)

# years past the library's official schedules as plain weeks (test only), so deadlines are deterministic
TEST_CALENDAR = Path(__file__).with_name("test-calendar.json")


class ServiceHarness:
    def __init__(self, backend: Backend, keys: TestKeys) -> None:
        self.backend = backend
        self.keys = keys

    async def settings(self, cls: type[S], migrations: Path, **overrides: Any) -> S:
        """Settings for ``cls``'s service on a fresh migrated database and this test's bus."""
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": await self.backend.database(cls.service_name, migrations),
            "jwks_json": self.keys.jwks_json,
            "jwt_issuer": self.keys.issuer,
            "jwt_audience": self.keys.audience,
            "calendar_file": TEST_CALENDAR,
            **self.backend.bus_settings(),
        }
        values.update(overrides)
        return cls(**values)

    @contextlib.asynccontextmanager
    async def client(self, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        """An httpx client on the app, with its lifespan (relay, consumers) running."""
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client
