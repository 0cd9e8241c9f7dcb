from collections.abc import AsyncIterator

import httpx
import pytest
from gateway.app import MIGRATIONS, create_app
from gateway.settings import GatewaySettings
from sunlight.testing import Backend

ADMIN_ID = "root-admin"
ADMIN_SECRET = "root-admin-secret-for-tests-only"


@pytest.fixture
async def gateway_settings(backend: Backend) -> GatewaySettings:
    return GatewaySettings(
        environment="test",
        database_url=await backend.database("gateway", MIGRATIONS),
        bootstrap_client_id=ADMIN_ID,
        bootstrap_client_secret=ADMIN_SECRET,
        rate_limit_token="1000/minute",
        rate_limit_token_account="1000/minute",
        token_backoff_base_seconds=0,  # the back-off has its own tests (test_token_limits.py)
    )


@pytest.fixture
async def gateway(gateway_settings: GatewaySettings) -> AsyncIterator[httpx.AsyncClient]:
    from asgi_lifespan import LifespanManager

    app = create_app(gateway_settings)
    async with (
        LifespanManager(app.api, startup_timeout=60),  # the lifespan hands the gateway its state
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client


async def token_for(client: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    response = await client.post("/oauth/token", data=data, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
async def admin_token(gateway: httpx.AsyncClient) -> str:
    return await token_for(gateway, ADMIN_ID, ADMIN_SECRET)
