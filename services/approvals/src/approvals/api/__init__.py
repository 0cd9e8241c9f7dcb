"""One router module per resource."""

from fastapi import APIRouter

from approvals.api import cases, catalogue, warnings

routers: list[APIRouter] = [catalogue.router, cases.router, warnings.router]
