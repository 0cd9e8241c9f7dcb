"""Idle and soak — the whole suite as real processes, on both backends.

Every cache lifetime and periodic job is shortened by settings (signing-key cache, JWKS cache,
access-token lifetime and leeway, idempotency prune, funds scans, overdue escalations). The
suite first works, then sits idle past all of them, then must still sign in (client
credentials, password, refresh), read and write — with no periodic job failing meanwhile.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from .conftest import ADMIN_SECRET, Processes, Stack
from .test_slice import build_programme

pytestmark = pytest.mark.e2e

SHORT = 2  # seconds: every cache lifetime and job period below
IDLE = 14  # past every one of them, and past the services' JWKS re-fetch cool-down (10 s)
PASSWORD = "Kx7-idle-soak-passphrase"

SECRETS: dict[str, str] = {"bootstrap client secret": ADMIN_SECRET, "a user's password": PASSWORD}


@pytest.fixture(scope="module")
def stack_env() -> dict[str, str]:
    return {
        "SUNLIGHT_KEY_CACHE_SECONDS": str(SHORT),
        "SUNLIGHT_JWKS_CACHE_SECONDS": str(SHORT),
        "SUNLIGHT_ACCESS_TOKEN_SECONDS": str(SHORT * 3),
        "SUNLIGHT_JWT_LEEWAY_SECONDS": "1",
        "SUNLIGHT_IDEMPOTENCY_PRUNE_SECONDS": str(SHORT),
        "SUNLIGHT_SCAN_EVERY_SECONDS": str(SHORT),
        "SUNLIGHT_OVERDUE_EVERY_SECONDS": str(SHORT),
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, Any]:
    r = await client.post("/oauth/token", data={"grant_type": "password", "username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    SECRETS[f"refresh token of {username}"] = r.json()["refresh_token"]
    return dict(r.json())


async def refresh(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token})
    assert r.status_code == 200, r.text
    SECRETS[f"refresh token {len(SECRETS)}"] = r.json()["refresh_token"]
    return dict(r.json())


async def new_client(stack: Stack, admin: str, client_id: str, scopes: list[str]) -> str:
    created = await stack.client.post(
        "/v1/admin/clients",
        headers=bearer(admin),
        json={"client_id": client_id, "name": client_id, "scopes": scopes, "regions": ["130300"]},
    )
    assert created.status_code == 201, created.text
    SECRETS[f"secret of {client_id}"] = created.json()["client_secret"]
    return await stack.token(client_id, created.json()["client_secret"])


async def new_user(stack: Stack, admin: str, username: str, scopes: list[str]) -> None:
    created = await stack.client.post(
        "/v1/admin/users",
        headers=bearer(admin),
        json={"username": username, "password": PASSWORD, "scopes": scopes, "regions": ["130300"]},
    )
    assert created.status_code == 201, created.text


def job_failures(processes: Processes) -> list[str]:
    lines = []
    for process in [processes.gateway, *processes.services.values()]:
        text = process.log_path.read_text(errors="replace")
        lines += [f"{process.name}: {line}" for line in text.splitlines() if "failed; it runs again" in line]
    return lines


async def test_after_idling_past_every_cache_and_job_the_suite_signs_in_reads_and_writes(
    stack: Stack, backend_name: str, request: pytest.FixtureRequest
) -> None:
    admin = await stack.token()
    bureau = await new_client(stack, admin, "idle-bureau", ["funds:read", "funds:write"])
    await new_user(stack, admin, "idle-inspector", ["funds:read", "integrity:read"])
    person = await sign_in(stack.client, "idle-inspector")
    pid, root, dept = await build_programme(stack, bureau)
    assert (await stack.client.get("/v1/funds/programmes", headers=bearer(person["access_token"]))).status_code == 200

    await asyncio.sleep(IDLE)

    for process in [stack.gateway, *stack.services.values()]:
        assert process.proc is not None and process.proc.poll() is None, f"{process.name} died while idle"
    expired = await stack.client.get("/v1/funds/programmes", headers=bearer(person["access_token"]))
    assert expired.status_code == 401, "an access token past its lifetime still works"
    bureau = await stack.token("idle-bureau", SECRETS["secret of idle-bureau"])  # client credentials
    again = await sign_in(stack.client, "idle-inspector")  # password
    renewed = await refresh(stack.client, person["refresh_token"])  # refresh (issued before the idle time)
    for token in (again["access_token"], renewed["access_token"]):
        listed = await stack.client.get("/v1/funds/programmes", headers=bearer(token))
        assert listed.status_code == 200, listed.text
        assert pid in [p["id"] for p in listed.json()["items"]]
        assert (await stack.client.get("/v1/integrity/warnings", headers=bearer(token))).status_code == 200
    moved = await stack.client.post(
        "/v1/funds/movements",
        headers={**bearer(bureau), "Idempotency-Key": uuid.uuid4().hex},
        json={"from_node_id": root, "to_node_id": dept, "amount_fen": 1_000, "occurred_on": "2026-03-01"},
    )
    assert moved.status_code == 201, moved.text
    assert not job_failures(stack.processes), "\n".join(job_failures(stack.processes))
