"""The funds service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from funds.api import routers
from funds.handlers import handlers
from funds.rules import RULES
from funds.settings import FundsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: FundsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or FundsSettings(),
        title="Sunlight funds",
        description="Special fund monitoring (专项资金监控): programmes, the allocation tree, the ledger of "
        "movements with its invariants, and the funds warning rules.",
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
    )
