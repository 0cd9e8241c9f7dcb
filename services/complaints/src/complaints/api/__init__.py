"""One router module per resource."""

from fastapi import APIRouter

from complaints.api import attachments, identity, imports, open311, public, reports, scans

routers: list[APIRouter] = [
    public.router,
    open311.router,
    reports.router,
    attachments.router,
    identity.router,
    scans.router,
    imports.router,
]
