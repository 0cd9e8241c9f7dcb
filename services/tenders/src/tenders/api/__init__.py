"""One router module per resource."""

from fastapi import APIRouter

routers: list[APIRouter] = []
