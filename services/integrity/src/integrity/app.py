"""The integrity service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from integrity.api import routers
from integrity.handlers import handlers
from integrity.rules import RULES
from integrity.settings import IntegritySettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: IntegritySettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or IntegritySettings(),
        title="Sunlight integrity",
        description="The warning register and its dispositions, the integrity index and risk points (廉情评估预警).",
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
    )
