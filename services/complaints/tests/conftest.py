"""Complaints test fixtures: the app on a real backend (both), real tokens, and a small filer.

Regions: 秦皇岛 (130300) and its district 海港区 (130302); the outsider is a Beijing bureau (110000).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from complaints.app import MIGRATIONS, create_app
from complaints.settings import ComplaintsSettings
from fastapi import FastAPI
from sunlight.testing import ServiceHarness

CITY, DISTRICT = "130300", "130302"
UNIT = "91110000600037341L"  # a valid USCC
OTHER_UNIT = "91130300MA0CUX0L5Y"
MOVEMENT = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"
PUBLIC = "/v1/complaints/public"


@pytest.fixture
async def complaints_settings(harness: ServiceHarness) -> ComplaintsSettings:
    return await harness.settings(ComplaintsSettings, MIGRATIONS)


@pytest.fixture
def complaints_app(complaints_settings: ComplaintsSettings) -> FastAPI:
    return create_app(complaints_settings)


@pytest.fixture
async def complaints(harness: ServiceHarness, complaints_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.client(complaints_app) as client:
        yield client


@pytest.fixture
def handler(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="complaints:read complaints:write", regions=[CITY], sub="handler-li")


@pytest.fixture
def reader(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="complaints:read", regions=[CITY], sub="reader-zhao")


@pytest.fixture
def registrar(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="complaints:read complaints:registrar", regions=[CITY], sub="registrar-wang")


@pytest.fixture
def registrar2(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="complaints:read complaints:registrar", regions=[CITY], sub="registrar-chen")


@pytest.fixture
def national(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="complaints:read complaints:write complaints:admin", regions=["000000"], sub="national")


@pytest.fixture
def outsider(keys: Any) -> dict[str, str]:
    return keys.auth(
        scopes="complaints:read complaints:write complaints:admin complaints:registrar", regions=["110000"], sub="bj"
    )


def report(
    text: str = "村委会主任在发放耕地地力保护补贴时虚报冒领，把不种地的亲戚也报上去领补贴", **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "misuse_of_funds",
        "region_code": DISTRICT,
        "subject": {"kind": "fund", "ref_kind": "movement", "ref_id": MOVEMENT},
        "text": text,
        "anonymous": True,
    }
    body.update(over)
    return body


class Filer:
    def __init__(self, client: httpx.AsyncClient, staff: dict[str, str]) -> None:
        self.client = client
        self.staff = staff

    async def file(self, body: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
        r = await self.client.post(f"{PUBLIC}/reports", json=body or report(**over))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def follow(self, receipt: str, expect: int = 200) -> dict[str, Any]:
        r = await self.client.post(f"{PUBLIC}/follow-up", json={"receipt": receipt})
        assert r.status_code == expect, r.text
        return dict(r.json())

    async def reports(self, **params: Any) -> list[dict[str, Any]]:
        r = await self.client.get("/v1/complaints/reports", headers=self.staff, params=params)
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    async def newest(self) -> dict[str, Any]:
        return (await self.reports(limit=1))[0]

    async def step(
        self,
        report_id: str,
        action: str,
        body: dict[str, Any],
        expect: int = 200,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        r = await self.client.post(
            f"/v1/complaints/reports/{report_id}/{action}", headers=headers or self.staff, json=body
        )
        assert r.status_code == expect, r.text
        return dict(r.json())


@pytest.fixture
def filer(complaints: httpx.AsyncClient, handler: dict[str, str]) -> Filer:
    return Filer(complaints, handler)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        await asyncio.sleep(0.05)
