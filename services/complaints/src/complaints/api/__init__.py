"""One router module per resource."""

from fastapi import APIRouter

from complaints.api import attachments, identity, public, reports, scans

routers: list[APIRouter] = [public.router, reports.router, attachments.router, identity.router, scans.router]
