"""Dependency aliases of the funds routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped

from funds.settings import FundsSettings

FundsReader = scoped("funds:read")
FundsWriter = scoped("funds:write")
FundsAdmin = scoped("funds:admin")
FundsNationalAdmin = nationwide("funds:admin")  # deployment-wide operations (scans over every region)


def get_settings(request: Request) -> FundsSettings:
    return cast(FundsSettings, request.app.state.settings)


SettingsDep = Annotated[FundsSettings, Depends(get_settings)]

__all__ = [
    "FundsAdmin",
    "FundsNationalAdmin",
    "FundsReader",
    "FundsWriter",
    "IdempotencyKeyDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
]
