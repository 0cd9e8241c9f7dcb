"""The tenders service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from tenders import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from tenders.api import routers
from tenders.handlers import handlers
from tenders.rules import RULES
from tenders.settings import TendersSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: TendersSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or TendersSettings(),
        title="Sunlight tenders",
        description=(
            "Unified tender and bid monitoring (建设项目统一招投标监控): enterprises, persons, projects, tenders, "
            "bids, evaluation, awards, contracts, change orders and settlements, with the tender red-flag rules."
        ),
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
    )
