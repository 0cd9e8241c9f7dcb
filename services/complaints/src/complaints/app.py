"""The complaints service app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from sunlight.app import create_service_app
from sunlight.public import is_public

from complaints import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from complaints import scans
from complaints.api import routers
from complaints.handlers import handlers
from complaints.rules import RULES
from complaints.settings import ComplaintsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create_app(settings: ComplaintsSettings | None = None) -> FastAPI:
    settings = settings or ComplaintsSettings()
    app = create_service_app(
        settings=settings,
        title="Sunlight complaints",
        description=(
            "Complaints and reports from the public (投诉举报 / 信访举报): filing without an account, named or "
            "anonymous, followed up with a receipt; content and identity sealed per report; the statutory "
            "lifecycle (accept / refer / reject, assign, extend, conclude, reply, review) with its deadlines; "
            "grouping of related reports; linkage to the funds, tenders and approvals they name."
        ),
        routers=routers,
        handlers=handlers,
        rules=RULES,
        migrations=MIGRATIONS,
        jobs=[scans.job(settings)],
    )

    @app.middleware("http")
    async def no_store_on_public(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Public answers are never cached and never leak the page in a Referer (GlobaLeaks does the same)."""
        response = await call_next(request)
        if is_public(request.url.path):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return app
