"""One router module per resource."""

from fastapi import APIRouter

from approvals.api import cases, catalogue, ratings, warnings

routers: list[APIRouter] = [catalogue.router, cases.router, ratings.router, warnings.router]
