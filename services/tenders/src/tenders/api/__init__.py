"""One router module per resource."""

from fastapi import APIRouter

from tenders.api import contracts, draws, findings, indicators, ocds, registers, tenders

routers: list[APIRouter] = [
    registers.router,
    tenders.router,
    contracts.router,
    draws.router,
    findings.router,
    indicators.router,
    ocds.router,
]
