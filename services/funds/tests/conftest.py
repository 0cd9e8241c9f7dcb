from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from funds.app import MIGRATIONS, create_app
from funds.settings import FundsSettings
from sunlight.testing import ServiceHarness


@pytest.fixture
async def funds_settings(harness: ServiceHarness) -> FundsSettings:
    return await harness.settings(FundsSettings, MIGRATIONS)


@pytest.fixture
async def funds(harness: ServiceHarness, funds_settings: FundsSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with harness.client(create_app(funds_settings)) as client:
        yield client


@pytest.fixture
def writer(keys: Any) -> dict[str, str]:
    return keys.auth(scopes="funds:read funds:write", regions=["130000"])
