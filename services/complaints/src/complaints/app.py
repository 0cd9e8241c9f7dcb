"""The complaints service app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sunlight.app import create_service_app

from complaints.api import routers
from complaints.handlers import handlers
from complaints.rules import RULES
from complaints.settings import ComplaintsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: ComplaintsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or ComplaintsSettings(),
        title="Sunlight complaints",
        description=(
            "Complaints and reports from the public (投诉举报): named and anonymous reports, their statutory "
            "lifecycle and follow-up by receipt code, with identities encrypted."
        ),
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
    )
