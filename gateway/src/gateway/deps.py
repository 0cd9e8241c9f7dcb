"""Dependency aliases of the gateway routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sunlight.deps import SessionDep, scoped

from gateway.app_state import GatewayState

Admin = scoped("admin")


def get_state(request: Request) -> GatewayState:
    return request.app.state.gateway  # type: ignore[no-any-return]


StateDep = Annotated[GatewayState, Depends(get_state)]

__all__ = ["Admin", "SessionDep", "StateDep"]
