"""Every database is built by its migrations; they go up, down and up again, and match the models."""

import asyncio
import importlib
from pathlib import Path

import pytest
from sunlight.migrations import current_revision, downgrade, head_revision, schema_drift, upgrade
from sunlight.testing import Backend

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "gateway": ROOT / "gateway" / "migrations",
    **{s: ROOT / "services" / s / "migrations" for s in ("funds", "tenders", "approvals", "complaints", "integrity")},
}


@pytest.mark.parametrize("package", sorted(PACKAGES))
async def test_upgrade_downgrade_upgrade_and_no_drift(backend: Backend, package: str):
    location = PACKAGES[package]
    url = await backend.empty_database(package)
    await asyncio.to_thread(upgrade, location, url)
    assert await current_revision(url) == head_revision(location)
    await asyncio.to_thread(downgrade, location, url, "base")
    assert await current_revision(url) is None
    await asyncio.to_thread(upgrade, location, url)
    assert await current_revision(url) == head_revision(location)
    metadata = importlib.import_module(f"{package}.models").metadata
    drift = await asyncio.to_thread(schema_drift, url, metadata)
    assert drift == [], f"{package}: the models and the migrations disagree: {drift}"


async def test_a_service_refuses_to_start_on_an_unmigrated_database(backend: Backend):
    from asgi_lifespan import LifespanManager
    from funds.app import create_app
    from funds.settings import FundsSettings
    from sunlight.migrations import NotMigrated

    settings = FundsSettings(
        environment="test", database_url=await backend.empty_database("funds"), **backend.bus_settings()
    )
    with pytest.raises(NotMigrated, match="make migrate"):
        async with LifespanManager(create_app(settings)):
            pass
