"""The integrity service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import Job, create_service_app
from sunlight.db import utcnow

from integrity import dispositions, frameworks
from integrity import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from integrity.api import routers
from integrity.handlers import handlers
from integrity.rules import RULES
from integrity.settings import IntegritySettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


async def default_frameworks(app: FastAPI) -> None:
    async with app.state.db.sessions() as session:
        await frameworks.ensure_default_frameworks(session)


async def escalate_overdue(app: FastAPI) -> None:
    async with app.state.db.sessions() as session:
        await dispositions.escalate_overdue(session, settings=app.state.settings, now=utcnow())


def create_app(settings: IntegritySettings | None = None) -> FastAPI:
    settings = settings or IntegritySettings()
    return create_service_app(
        settings=settings,
        title="Sunlight integrity",
        description="The warning register and its dispositions, the integrity index and risk points (廉情评估预警).",
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
        on_startup=[default_frameworks],
        jobs=[Job("escalate overdue dispositions", settings.overdue_every_seconds, escalate_overdue)],
    )
