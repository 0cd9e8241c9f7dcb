"""The whole suite as real processes: gateway + five services, on one backend pair.

The stack starts once per test module and backend (six Python processes take a while to
boot on two cores); tests keep out of each other's way with their own clients, codes and
regions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sunlight.testing.backends import Backend, Templates
from sunlight.testing.harness import TEST_CALENDAR
from sunlight.testing.processes import Process, free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("funds", "tenders", "approvals", "complaints", "integrity")
ADMIN_ID = "e2e-admin"
ADMIN_SECRET = "e2e-admin-secret-not-for-production"


@dataclass
class Processes:
    gateway: Process
    services: dict[str, Process]
    backend: Backend
    databases: dict[str, str]  # process name -> database URL


@dataclass
class Stack:
    gateway: Process
    services: dict[str, Process]
    client: httpx.AsyncClient
    processes: Processes

    async def token(self, client_id: str = ADMIN_ID, secret: str = ADMIN_SECRET, scope: str | None = None) -> str:
        data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        response = await self.client.post("/oauth/token", data=data, auth=(client_id, secret))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def new_client(self, admin_token: str, client_id: str, scopes: list[str], regions: list[str]) -> str:
        """Register a bureau client through the admin API; returns its access token."""
        created = await self.client.post(
            "/v1/admin/clients",
            headers={"Authorization": f"Bearer {admin_token}"},
            json={"client_id": client_id, "name": client_id, "scopes": scopes, "regions": regions},
        )
        assert created.status_code == 201, created.text
        return await self.token(client_id, created.json()["client_secret"])


async def _databases(backend: Backend) -> dict[str, str]:
    from gateway.app import MIGRATIONS as GATEWAY_MIGRATIONS

    urls = {name: await backend.database(name, ROOT / "services" / name / "migrations") for name in SERVICES}
    urls["gateway"] = await backend.database("gateway", GATEWAY_MIGRATIONS)
    return urls


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    """Extra environment for every process of the stack (a module overrides it, e.g. to shorten periods)."""
    return {}


@pytest.fixture(scope="module")
def processes(
    backend_name: str,
    tmp_path_factory: pytest.TempPathFactory,
    sunlight_templates: Templates,
    stack_env: dict[str, str],
) -> Iterator[Processes]:
    tmp = tmp_path_factory.mktemp(f"stack-{backend_name}")
    backend = Backend(name=backend_name, tmp=tmp, templates=sunlight_templates)
    urls = asyncio.run(_databases(backend))
    gateway_port = free_port()
    common = {
        "SUNLIGHT_ENVIRONMENT": "test",
        "SUNLIGHT_LOG_LEVEL": "WARNING",
        "SUNLIGHT_CALENDAR_FILE": str(TEST_CALENDAR),
        "SUNLIGHT_GATEWAY_PORT": str(gateway_port),  # the services derive the JWKS URL from it
    }
    for key, value in backend.bus_settings().items():
        common[f"SUNLIGHT_{key.upper()}"] = str(value)
    common.update(stack_env)
    services = {
        name: Process(
            name,
            f"{name}.app:create_app",
            free_port(),
            {**common, "SUNLIGHT_DATABASE_URL": urls[name]},
            tmp / f"{name}.log",
        )
        for name in SERVICES
    }
    gateway_env = {
        **common,
        "SUNLIGHT_DATABASE_URL": urls["gateway"],
        "SUNLIGHT_BOOTSTRAP_CLIENT_ID": ADMIN_ID,
        "SUNLIGHT_BOOTSTRAP_CLIENT_SECRET": ADMIN_SECRET,
        "SUNLIGHT_RATE_LIMIT_TOKEN": "1000/minute",
        "SUNLIGHT_RATE_LIMIT_TOKEN_ACCOUNT": "1000/minute",
        "SUNLIGHT_TOKEN_BACKOFF_BASE_SECONDS": "0",
        **{f"SUNLIGHT_{n.upper()}_URL": p.url for n, p in services.items()},
    }
    gateway = Process("gateway", "gateway.app:create_app", gateway_port, gateway_env, tmp / "gateway.log")
    everything = [gateway, *services.values()]
    try:
        for process in everything:
            process.start()
        for process in everything:
            process.wait_ready()
        yield Processes(gateway=gateway, services=services, backend=backend, databases=urls)
    finally:
        for process in everything:
            process.stop()
        asyncio.run(backend.cleanup())


@pytest.fixture
async def stack(processes: Processes) -> AsyncIterator[Stack]:
    for process in processes.services.values():  # a test may have stopped one
        if process.proc is None:
            process.start()
            process.wait_ready()
    async with httpx.AsyncClient(base_url=processes.gateway.url, timeout=10) as client:
        yield Stack(gateway=processes.gateway, services=processes.services, client=client, processes=processes)
