"""Dependency aliases of the tenders routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

from tenders.settings import TendersSettings

TendersReader = scoped("tenders:read")
TendersWriter = scoped("tenders:write")
TendersAdmin = scoped("tenders:admin")


def get_settings(request: Request) -> TendersSettings:
    return cast(TendersSettings, request.app.state.settings)


SettingsDep = Annotated[TendersSettings, Depends(get_settings)]

__all__ = [
    "IdempotencyKeyDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
    "TendersAdmin",
    "TendersReader",
    "TendersWriter",
]
