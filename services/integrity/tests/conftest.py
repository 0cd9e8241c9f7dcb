"""The integrity app on the test backend, its callers, and the real bus to feed it events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from integrity.app import MIGRATIONS, create_app
from integrity.settings import IntegritySettings
from stdnum.cn import uscc
from sunlight.events import Envelope
from sunlight.events.bus import Bus, bus_from_settings
from sunlight.settings import CommonSettings
from sunlight.testing import Backend, ServiceHarness, TestKeys
from sunlight.warnings import Level, Rule, RuleRegistry, SubjectRef, warning_event

T = TypeVar("T")

FUNDS = RuleRegistry("funds")
OVERSPEND = FUNDS.add(Rule(id="FUNDS-OVERSPEND", level=Level.RED, title="Overspend", title_zh="超额", description="t"))
IDLE = FUNDS.add(Rule(id="FUNDS-IDLE-FUNDS", level=Level.BLUE, title="Idle funds", title_zh="闲置", description="t"))
TENDERS = RuleRegistry("tenders")
SINGLE_BID = TENDERS.add(
    Rule(id="TENDERS-SINGLE-BID", level=Level.ORANGE, title="Single bid", title_zh="单一投标", description="t")
)


def unit(n: int, region: str = "130300") -> str:
    """A valid USCC (check character computed) for test unit ``n``."""
    base = f"9{1}{region}{n:09d}"
    return base + uscc.calc_check_digit(base + "0")


def finding(
    rule: Rule,
    subject: str,
    *,
    region: str = "130302",
    unit_uscc: str | None = None,
    level: Level | None = None,
    at: datetime | None = None,
    dedupe_key: str | None = None,
    evidence: dict[str, Any] | None = None,
    kind: str = "node",
    occurrences: int = 1,
) -> Envelope[Any]:
    """A ``warnings.raised.v1`` event as the owning service would raise it (``occurrences``: a batch's findings)."""
    service = rule.id.split("-")[0].lower()
    return warning_event(
        rule,
        service=service,
        subject=SubjectRef(service=service, kind=kind, id=subject, label=f"{kind} {subject}"),
        region_code=region,
        unit_uscc=unit_uscc,
        level=level,
        evidence=evidence if evidence is not None else {"subject": subject},
        dedupe_key=dedupe_key,
        occurred_at=at or datetime.now(UTC),
        occurrences=occurrences,
    )


async def eventually(probe: Callable[[], Awaitable[T | None]], *, timeout: float = 15.0, what: str = "it") -> T:
    """Poll ``probe`` until it returns something truthy (the bus delivers asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.05)


@dataclass
class Integrity:
    """The running app, a client on it, and a publisher on the same bus."""

    app: FastAPI
    client: httpx.AsyncClient
    bus: Bus
    settings: IntegritySettings

    async def publish(self, event: Envelope[Any], *, msg_id: str | None = None) -> None:
        await self.bus.publish(event.type, event.to_json().encode(), msg_id=msg_id or event.id)

    async def warnings(self, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/integrity/warnings", params=params, headers=headers)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def registered(self, headers: dict[str, str], subject: str, *, occurrences: int = 1) -> dict[str, Any]:
        """Wait until the register shows ``subject``'s warning with at least ``occurrences``."""

        async def probe() -> dict[str, Any] | None:
            for item in await self.warnings(headers, limit=500):
                if item["subject_id"] == subject and item["occurrences"] >= occurrences:
                    return item
            return None

        return await eventually(probe, what=f"{subject} reaching the register ({occurrences})")


@pytest.fixture
def overrides() -> dict[str, Any]:
    """Settings a test module may override (e.g. the repetition counts)."""
    return {}


@pytest.fixture
async def integrity(harness: ServiceHarness, backend: Backend, overrides: dict[str, Any]) -> AsyncIterator[Integrity]:
    settings = await harness.settings(IntegritySettings, MIGRATIONS, **overrides)
    app = create_app(settings)
    bus = bus_from_settings(CommonSettings(**backend.bus_settings()), client_name="test-publisher")
    await bus.connect()
    try:
        async with harness.client(app) as client:
            yield Integrity(app=app, client=client, bus=bus, settings=settings)
    finally:
        await bus.close()


@pytest.fixture
def inspector(keys: TestKeys) -> dict[str, str]:
    """An inspector of Qinhuangdao (130300): reads and disposes."""
    return keys.auth(scopes="integrity:read integrity:write", regions=["130300"], sub="qhd-inspector")


@pytest.fixture
def reader(keys: TestKeys) -> dict[str, str]:
    return keys.auth(scopes="integrity:read", regions=["130300"], sub="qhd-reader")


@pytest.fixture
def admin(keys: TestKeys) -> dict[str, str]:
    """The deployment's administrator (nationwide): frameworks and other deployment-wide settings."""
    return keys.auth(scopes="integrity:read integrity:write integrity:admin", regions=["000000"], sub="national-admin")


@pytest.fixture
def hebei_admin(keys: TestKeys) -> dict[str, str]:
    """A province's administrator: its risk points, never the deployment-wide settings."""
    return keys.auth(scopes="integrity:read integrity:write integrity:admin", regions=["130000"], sub="hebei-admin")


@pytest.fixture
def beijing(keys: TestKeys) -> dict[str, str]:
    """An inspector of another region (Beijing): sees and may touch nothing of Qinhuangdao's."""
    return keys.auth(scopes="integrity:read integrity:write integrity:admin", regions=["110000"], sub="bj-inspector")
