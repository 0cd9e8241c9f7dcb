"""One router module per resource."""

from fastapi import APIRouter

from approvals.api import cases, catalogue, enforcement, imports, performance, ratings, warnings

routers: list[APIRouter] = [
    catalogue.router,
    cases.router,
    ratings.router,
    enforcement.router,
    performance.router,
    imports.router,
    warnings.router,
]
