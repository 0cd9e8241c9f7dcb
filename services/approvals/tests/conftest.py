"""Approvals test fixtures: the app on a real backend (both), real tokens, and a maker of catalogue and cases.

Dates are real ones around the 2025 National Day holiday (1–8 October, make-up working days on Sunday
28 September and Saturday 11 October) and Spring Festival 2025 (28 January – 4 February, make-up days
26 January and 8 February), so the clock is tested on the official calendar.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from approvals.app import MIGRATIONS, create_app
from approvals.settings import ApprovalsSettings
from fastapi import FastAPI
from sunlight.testing import ServiceHarness

CITY, DISTRICT = "130300", "130302"
DEPT_USCC = "11130300MB0000001N"


@pytest.fixture
async def approvals_settings(harness: ServiceHarness) -> ApprovalsSettings:
    return await harness.settings(ApprovalsSettings, MIGRATIONS)


@pytest.fixture
def approvals_app(approvals_settings: ApprovalsSettings) -> FastAPI:
    return create_app(approvals_settings)


@pytest.fixture
async def approvals(harness: ServiceHarness, approvals_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.client(approvals_app) as client:
        yield client


@pytest.fixture
def writer(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="approvals:read approvals:write", regions=["130000"], sub="qhd-centre")


@pytest.fixture
def national(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="approvals:read approvals:write approvals:admin", regions=["000000"], sub="national-admin")


@pytest.fixture
def outsider(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="approvals:read approvals:write approvals:admin", regions=["110000"], sub="bj-centre")


def at(day: str, time: str = "10:00") -> str:
    """A moment in Beijing time (the deployment's zone)."""
    return f"{day}T{time}:00+08:00"


class Maker:
    """Builds the catalogue and pushes steps through the API; asserts each call succeeded."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def post(self, path: str, body: Any, expect: int = 201, headers: dict[str, str] | None = None) -> Any:
        r = await self.client.post(path, headers=headers or self.headers, json=body)
        assert r.status_code == expect, r.text
        return r.json()

    async def department(self, **over: Any) -> dict[str, Any]:
        body = {"code": f"D-{uuid.uuid4().hex[:6]}", "name": "秦皇岛市住房和城乡建设局", "region_code": CITY,
                "uscc": DEPT_USCC, **over}  # fmt: skip
        return dict(await self.post("/v1/approvals/departments", body))

    async def item(self, **over: Any) -> dict[str, Any]:
        body = {"code": f"I-{uuid.uuid4().hex[:6]}", "name": "建设工程规划许可证核发", "region_code": CITY, **over}
        return dict(await self.post("/v1/approvals/items", body))

    async def step(self, case_no: str, step: str, on: str, expect: int = 201, **extra: Any) -> dict[str, Any]:
        body = {"case_no": case_no, "region_code": extra.pop("region_code", DISTRICT), "step": step,
                "occurred_at": on if "T" in on else at(on), **extra}  # fmt: skip
        return dict(await self.post("/v1/approvals/steps", body, expect))

    async def case(self, item: dict[str, Any], steps: list[tuple[str, str, dict[str, Any]]], **first: Any) -> str:
        """Push ``steps`` ((step, day, extra) …) as one new case; returns its case number."""
        case_no = f"C-{uuid.uuid4().hex[:10]}"
        for index, (kind, on, extra) in enumerate(steps):
            more = {"item_code": item["code"], **first} if index == 0 else {}
            await self.step(case_no, kind, on, **more, **extra)
        return case_no

    async def get_case(self, case_no: str) -> dict[str, Any]:
        r = await self.client.get("/v1/approvals/cases", headers=self.headers, params={"limit": 500})
        assert r.status_code == 200, r.text
        return next(c for c in r.json()["items"] if c["case_no"] == case_no)

    async def warnings(self, case_no: str | None = None, **params: Any) -> list[dict[str, Any]]:
        if case_no is not None:
            params["case_id"] = (await self.get_case(case_no))["id"]
        r = await self.client.get("/v1/approvals/warnings", headers=self.headers, params={"limit": 500, **params})
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    async def rules_of(self, case_no: str) -> set[str]:
        return {w["rule_id"] for w in await self.warnings(case_no)}


@pytest.fixture
def make(approvals: httpx.AsyncClient, writer: dict[str, str]) -> Maker:
    return Maker(approvals, writer)
