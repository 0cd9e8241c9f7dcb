"""The approvals service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from approvals import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from approvals import sweeps
from approvals.api import routers
from approvals.handlers import handlers
from approvals.rules import RULES
from approvals.settings import ApprovalsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: ApprovalsSettings | None = None) -> FastAPI:
    settings = settings or ApprovalsSettings()
    return create_service_app(
        settings=settings,
        title="Sunlight approvals",
        description=(
            "Administrative approval and enforcement e-supervision (行政审批电子监察): the item catalogue, cases and "
            "their steps on the working-day clock, satisfaction ratings, enforcement penalties, with the time-"
            "limit and discretion rules."
        ),
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
        jobs=[sweeps.job(settings)],
    )
