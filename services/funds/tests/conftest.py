"""Funds test fixtures: the app on a real backend (both), real tokens, and a small builder of trees.

``make`` builds a programme tree through the API the way a bureau would:

    秦皇岛市财政局 (finance_bureau, 130300)
    └── 市农业农村局 (department, 130300)
        └── 海港区农业农村局 (county, 130302)
            └── 海港镇 (township, 130302001)
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sunlight.testing import ServiceHarness

CITY, DISTRICT, TOWN = "130300", "130302", "130302001"
ORG_USCC = "91110000600037341L"  # a valid USCC (GB 32100 check character)


def resident_id(serial: int) -> str:
    """A valid resident ID with the check character computed (birth 1980-01-01, Beijing 110105)."""
    body = f"11010519800101{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def uscc(prefix: str) -> str:
    """A valid USCC from its first 17 characters (the GB 32100 check character computed)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(prefix, weights, strict=True))
    return prefix + alphabet[(31 - total % 31) % 31]


INSPECTOR_USCC = uscc("11130300MB1234567")  # 秦皇岛市纪委监委 (a supervising body)
ACCEPTOR_USCC = uscc("11130302MB7654321")  # 海港区验收组
AUDITOR_USCC = uscc("11130300MB0000123")  # 秦皇岛市审计局


@pytest.fixture
async def funds_settings(harness: ServiceHarness) -> FundsSettings:
    return await harness.settings(FundsSettings, MIGRATIONS)


@pytest.fixture
def funds_app(funds_settings: FundsSettings) -> FastAPI:
    return create_app(funds_settings)


@pytest.fixture
async def funds(harness: ServiceHarness, funds_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.client(funds_app) as client:
        yield client


@pytest.fixture
def writer(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read funds:write", regions=["130000"])


@pytest.fixture
def admin(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read funds:write funds:admin", regions=["130000"], sub="funds-admin")


@pytest.fixture
def national(keys: Any) -> dict[str, str]:
    """The deployment's administrator: every region (000000), for the deployment-wide operations."""
    return keys.auth(scopes="funds:read funds:write funds:admin", regions=["000000"], sub="national-admin")


@pytest.fixture
def supervisor(keys: Any) -> dict[str, str]:
    """The supervising side (a discipline-inspection body of the city): sets programmes' thresholds."""
    return keys.auth(scopes="funds:read funds:supervise", regions=["130300"], sub="qhd-inspector", unit=INSPECTOR_USCC)


@pytest.fixture
def acceptor(keys: Any) -> dict[str, str]:
    """The accepting body (an acceptance panel of the city), not a unit that spends the programme's money."""
    return keys.auth(scopes="funds:read funds:accept", regions=["130300"], sub="acceptance-panel", unit=ACCEPTOR_USCC)


@pytest.fixture
def auditor(keys: Any) -> dict[str, str]:
    """The auditing body (the city's audit bureau)."""
    return keys.auth(scopes="funds:read funds:audit", regions=["130300"], sub="qhd-audit", unit=AUDITOR_USCC)


@pytest.fixture
def reader(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read", regions=["130000"], sub="funds-reader")


@pytest.fixture
def outsider(keys: Any) -> dict[str, str]:
    """A Beijing bureau with every funds scope: sees and writes nothing in Hebei."""
    return keys.auth(scopes="funds:read funds:write funds:admin", regions=["110000"], sub="bj-bureau")


@dataclass
class Tree:
    programme: dict[str, Any]
    root: dict[str, Any]
    dept: dict[str, Any]
    county: dict[str, Any]
    town: dict[str, Any]

    @property
    def pid(self) -> str:
        return str(self.programme["id"])


class Maker:
    """Builds programmes, trees and movements through the API; asserts each step succeeded."""

    def __init__(
        self, client: httpx.AsyncClient, headers: dict[str, str], supervisor: dict[str, str] | None = None
    ) -> None:
        self.client = client
        self.headers = headers
        self.supervisor = supervisor or headers

    async def programme(self, **overrides: Any) -> dict[str, Any]:
        """A programme created by the bureau; thresholds, when given, are set by the supervising side."""
        thresholds = overrides.pop("thresholds", None)
        body = {
            "code": f"P-{uuid.uuid4().hex[:10]}",
            "name": "耕地地力保护补贴",
            "category": "agriculture",
            "fiscal_year": 2025,
            "budget_fen": 10_000_000,
            "region_code": CITY,
            **overrides,
        }
        r = await self.client.post("/v1/funds/programmes", headers=self.headers, json=body)
        assert r.status_code == 201, r.text
        if thresholds:
            url = f"/v1/funds/programmes/{r.json()['id']}/thresholds"
            t = await self.client.put(
                url, headers=self.supervisor, json={"thresholds": thresholds, "reason": "set for the test"}
            )
            assert t.status_code == 200, t.text
            got = await self.client.get(f"/v1/funds/programmes/{r.json()['id']}", headers=self.headers)
            return dict(got.json())
        return dict(r.json())

    async def node(self, pid: str, tier: str, name: str, region: str, parent: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"tier": tier, "name": name, "region_code": region}
        if parent:
            body["parent_id"] = parent
        r = await self.client.post(f"/v1/funds/programmes/{pid}/nodes", headers=self.headers, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def tree(self, **programme: Any) -> Tree:
        p = await self.programme(**programme)
        root = await self.node(p["id"], "finance_bureau", "秦皇岛市财政局", CITY)
        dept = await self.node(p["id"], "department", "市农业农村局", CITY, root["id"])
        county = await self.node(p["id"], "county", "海港区农业农村局", DISTRICT, dept["id"])
        town = await self.node(p["id"], "township", "海港镇", TOWN, county["id"])
        return Tree(p, root, dept, county, town)

    async def move(self, expect: int = 201, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
        body.setdefault("occurred_on", "2025-03-01")
        r = await self.client.post("/v1/funds/movements", headers=headers or self.headers, json=body)
        assert r.status_code == expect, r.text
        return dict(r.json())

    async def down(self, tree: Tree, amount: int, *, to: str = "town", on: str = "2025-03-01") -> None:
        """Allocate and disburse ``amount`` from the root down to ``to`` (dept, county or town)."""
        path = [tree.root, tree.dept, tree.county, tree.town]
        stop = {"dept": 2, "county": 3, "town": 4}[to]
        for parent, child in itertools.pairwise(path[:stop]):
            for kind in ("allocate", "disburse"):
                await self.move(
                    kind=kind, from_node_id=parent["id"], to_node_id=child["id"], amount_fen=amount, occurred_on=on
                )

    async def pay(self, node: dict[str, Any], amount: int, payee: dict[str, Any], **extra: Any) -> dict[str, Any]:
        expect = extra.pop("expect", 201)
        return await self.move(expect, kind="expend", from_node_id=node["id"], amount_fen=amount, payee=payee, **extra)

    async def warnings(self, **params: Any) -> list[dict[str, Any]]:
        r = await self.client.get("/v1/funds/warnings", headers=self.headers, params=params)
        assert r.status_code == 200, r.text
        return list(r.json()["items"])

    async def nodes(self, pid: str) -> dict[str, dict[str, Any]]:
        nodes: dict[str, dict[str, Any]] = {}
        params: dict[str, Any] = {"limit": 500}
        while True:
            r = await self.client.get(f"/v1/funds/programmes/{pid}/nodes", headers=self.headers, params=params)
            assert r.status_code == 200, r.text
            nodes |= {n["id"]: n for n in r.json()["items"]}
            if not r.json()["next_cursor"]:
                return nodes
            params["cursor"] = r.json()["next_cursor"]


def person(serial: int = 1, name: str = "张三丰", account: str | None = "6222020200112233") -> dict[str, Any]:
    payee: dict[str, Any] = {"kind": "person", "name": name, "resident_id": resident_id(serial)}
    if account:
        payee["bank_account"] = account
    return payee


def org(uscc: str = ORG_USCC, name: str = "秦皇岛市农机服务有限公司") -> dict[str, Any]:
    return {"kind": "organisation", "name": name, "uscc": uscc}


@pytest.fixture
def make(funds: httpx.AsyncClient, admin: dict[str, str], supervisor: dict[str, str]) -> Maker:
    return Maker(funds, admin, supervisor)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Poll ``check`` until it returns something truthy (for effects that travel over the bus)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        await asyncio.sleep(0.05)
