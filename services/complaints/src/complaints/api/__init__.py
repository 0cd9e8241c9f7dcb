"""One router module per resource."""

from fastapi import APIRouter

from complaints.api import identity, public, reports, scans

routers: list[APIRouter] = [public.router, reports.router, identity.router, scans.router]
