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
    assert await current_revision(url, package) == head_revision(location)
    await asyncio.to_thread(downgrade, location, url, "base")
    assert await current_revision(url, package) is None
    await asyncio.to_thread(upgrade, location, url)
    assert await current_revision(url, package) == head_revision(location)
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


async def _tables(url: str) -> set[str]:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_a_service_pointed_at_another_services_database_is_refused_and_writes_nothing(backend: Backend):
    """Both have revisions 0001, 0002…: with one shared version table the second migrate failed or 'succeeded'
    creating nothing, and serve died with a traceback. Each now keeps its own and refuses the other's database."""
    from sunlight.migrations import ForeignDatabase, ensure_migrated

    url = await backend.empty_database("funds")
    await asyncio.to_thread(upgrade, PACKAGES["funds"], url)
    before = await _tables(url)
    assert "alembic_version_funds" in before and "alembic_version" not in before

    refused = r"belongs to the funds service, not to tenders.*SUNLIGHT_TENDERS_DATABASE_URL"
    with pytest.raises(ForeignDatabase, match=refused):
        await asyncio.to_thread(upgrade, PACKAGES["tenders"], url)
    assert await _tables(url) == before
    with pytest.raises(ForeignDatabase, match="funds service's database"):
        await ensure_migrated(PACKAGES["integrity"], url, "integrity")
    assert await current_revision(url, "funds") == head_revision(PACKAGES["funds"])


async def test_a_database_from_before_per_service_version_tables_is_adopted(backend: Backend):
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    url = await backend.empty_database("integrity")
    await asyncio.to_thread(upgrade, PACKAGES["integrity"], url)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE alembic_version_integrity RENAME TO alembic_version"))
    await engine.dispose()

    await asyncio.to_thread(upgrade, PACKAGES["integrity"], url)  # adopts the old table, nothing re-run
    assert await current_revision(url, "integrity") == head_revision(PACKAGES["integrity"])
    assert "alembic_version" not in await _tables(url)


def test_serve_on_another_services_database_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    """The command line answers with the reason and exit code 2, not uvicorn's startup traceback."""
    from sunlight.cli import service_main
    from tenders.settings import TendersSettings

    url = f"sqlite+aiosqlite:///{tmp_path}/shared.db"
    upgrade(PACKAGES["funds"], url)
    monkeypatch.setenv("SUNLIGHT_TENDERS_DATABASE_URL", url)
    with pytest.raises(SystemExit) as stop:
        service_main(TendersSettings, "tenders.app:create_app", PACKAGES["tenders"], ["serve"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "funds service's database" in err and "Traceback" not in err


def test_one_variable_names_every_process_database(monkeypatch):
    from sunlight.settings import CommonSettings

    monkeypatch.delenv("SUNLIGHT_DATABASE_URL", raising=False)
    assert CommonSettings().database_url_for("funds") == "sqlite+aiosqlite:///var/funds.db"
    monkeypatch.setenv("SUNLIGHT_DATABASE_URL", "postgresql+asyncpg://u@db:5432/sunlight_{service}")
    settings = CommonSettings()
    assert settings.database_url_for("funds") == "postgresql+asyncpg://u@db:5432/sunlight_funds"
    assert settings.database_url_for("gateway") == "postgresql+asyncpg://u@db:5432/sunlight_gateway"
    monkeypatch.setenv("SUNLIGHT_FUNDS_DATABASE_URL", "postgresql+asyncpg://u@other/funds")
    assert CommonSettings().database_url_for("funds") == "postgresql+asyncpg://u@other/funds"


def test_the_gateway_command_line_is_the_services_plus_keys(tmp_path, monkeypatch, capsys):
    """One parser for the six deployables: the gateway refuses a foreign database like a service does, answers
    `migrated`, and still rotates and lists its signing keys."""
    from gateway.__main__ import main

    monkeypatch.setenv("SUNLIGHT_ENVIRONMENT", "test")
    foreign = f"sqlite+aiosqlite:///{tmp_path}/funds.db"
    upgrade(PACKAGES["funds"], foreign)
    monkeypatch.setenv("SUNLIGHT_GATEWAY_DATABASE_URL", foreign)
    for command in (["serve"], ["keys", "list"]):
        with pytest.raises(SystemExit) as stop:
            main(command)
        assert stop.value.code == 2
        assert "funds service's database" in capsys.readouterr().err

    monkeypatch.setenv("SUNLIGHT_GATEWAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/gateway.db")
    with pytest.raises(SystemExit) as stop:
        main(["migrated"])
    assert stop.value.code == 2
    main(["migrate"])
    main(["migrated"])
    assert "gateway: at head" in capsys.readouterr().out
    main(["keys", "rotate"])
    kid = capsys.readouterr().out.split(": ", 1)[1].strip()
    main(["keys", "list"])
    assert kid in capsys.readouterr().out
