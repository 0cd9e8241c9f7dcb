"""Tenders test fixtures: the app on a real backend (both), real tokens, and a builder of registers and tenders.

``Maker`` drives the API as a trading centre's system would (秦皇岛 130300): enterprises, persons,
a project, a tender with its deadline, registrations and bids.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from stdnum.cn import uscc as stdnum_uscc
from sunlight.testing import ServiceHarness
from tenders.app import MIGRATIONS, create_app
from tenders.settings import TendersSettings

CITY, DISTRICT = "130300", "130302"
PUBLISHED = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 25, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
_serial = itertools.count(1)


def uscc(n: int | None = None) -> str:
    base = f"91130300{n if n is not None else next(_serial) + 1000:09d}"
    return base + stdnum_uscc.calc_check_digit(base + "0")


def resident_id(serial: int) -> str:
    body = f"11010519800101{serial % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


@pytest.fixture
async def tenders_settings(harness: ServiceHarness) -> TendersSettings:
    return await harness.settings(TendersSettings, MIGRATIONS)


@pytest.fixture
def tenders_app(tenders_settings: TendersSettings) -> FastAPI:
    return create_app(tenders_settings)


@pytest.fixture
async def tenders(harness: ServiceHarness, tenders_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.client(tenders_app) as client:
        yield client


@pytest.fixture
def admin(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="tenders:read tenders:write tenders:admin", regions=["130000"], sub="tenders-admin")


@pytest.fixture
def outsider(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="tenders:read tenders:write tenders:admin", regions=["110000"], sub="bj-centre")


class Maker:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.people = itertools.count(1)

    async def post(self, path: str, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
        r = await self.client.post(path, headers=self.headers, json=body)
        assert r.status_code == expect, r.text
        return dict(r.json())

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.client.get(path, headers=self.headers, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def enterprise(self, name: str = "秦皇岛建工有限公司", **extra: Any) -> dict[str, Any]:
        body = {"uscc": uscc(), "name": name, "region_code": CITY, **extra}
        return await self.post("/v1/tenders/enterprises", body)

    async def person(self, name: str = "李四", **extra: Any) -> dict[str, Any]:
        body = {"name": name, "resident_id": resident_id(next(self.people)), "region_code": CITY, **extra}
        out = await self.post("/v1/tenders/persons", body)
        out["resident_id"] = body["resident_id"]
        return out

    async def project(self, **extra: Any) -> dict[str, Any]:
        body = {
            "code": f"PRJ-{uuid.uuid4().hex[:8]}",
            "name": "海港区第二中学教学楼",
            "owner_uscc": uscc(),
            "owner_name": "秦皇岛市海港区教育局",
            "estimate_fen": 2_000_000_000,
            "location": "海港区文化路 1 号",
            "funding_source": "fiscal",
            "region_code": DISTRICT,
            **extra,
        }
        return await self.post("/v1/tenders/projects", body)

    async def tender(self, project: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        project = project or await self.project()
        body = {
            "code": f"T-{uuid.uuid4().hex[:8]}",
            "project_id": project["id"],
            "title": "教学楼施工",
            "category": "construction",
            "procedure": "open",
            "estimate_fen": 1_500_000_000,
            "ceiling_fen": 1_450_000_000,
            "published_at": PUBLISHED.isoformat(),
            "deadline": DEADLINE.isoformat(),
            "documents": [{"name": "招标文件.pdf", "sha256": "a" * 64}],
            **extra,
        }
        return await self.post("/v1/tenders/tenders", body)

    async def bid(self, tender: dict[str, Any], enterprise: dict[str, Any], price: int, **extra: Any) -> dict[str, Any]:
        expect = extra.pop("expect", 201)
        await self.post(
            f"/v1/tenders/tenders/{tender['id']}/registrations",
            {"uscc": enterprise["uscc"], "registered_at": (PUBLISHED + timedelta(days=1)).isoformat()},
        )
        body = {
            "uscc": enterprise["uscc"],
            "price_fen": price,
            "submitted_at": (DEADLINE - timedelta(hours=2)).isoformat(),
            **extra,
        }
        return await self.post(f"/v1/tenders/tenders/{tender['id']}/bids", body, expect)

    async def open(self, tender: dict[str, Any]) -> dict[str, Any]:
        return await self.post(f"/v1/tenders/tenders/{tender['id']}/opening", {"opened_at": DEADLINE.isoformat()}, 200)

    async def evaluate_lowest(self, tender: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return await self.post(f"/v1/tenders/tenders/{tender['id']}/evaluations", {"method": "lowest_price", **extra})

    async def award(self, tender: dict[str, Any], on: str = "2026-04-01", **extra: Any) -> dict[str, Any]:
        return await self.post(f"/v1/tenders/tenders/{tender['id']}/awards", {"awarded_on": on, **extra})

    async def findings(self, **params: Any) -> list[dict[str, Any]]:
        return list((await self.get("/v1/tenders/findings", limit=500, **params))["items"])


@pytest.fixture
def make(tenders: httpx.AsyncClient, admin: dict[str, str]) -> Maker:
    return Maker(tenders, admin)
