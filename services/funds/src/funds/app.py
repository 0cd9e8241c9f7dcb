"""The funds service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from funds import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from funds import scans
from funds.api import routers
from funds.handlers import handlers
from funds.rules import RULES
from funds.settings import FundsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: FundsSettings | None = None) -> FastAPI:
    settings = settings or FundsSettings()
    return create_service_app(
        settings=settings,
        title="Sunlight funds",
        description="Special fund monitoring (专项资金监控): programmes and budget lines, the allocation tree, the "
        "ledger of movements (allocate, disburse, expend, refund, adjust) with its invariants, bulk import, "
        "acceptance and audit, tracing, public disclosure, and the funds warning rules with their linkage to "
        "integrity and complaints.",
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
        jobs=[scans.job(settings)],
    )
