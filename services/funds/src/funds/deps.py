"""Dependency aliases of the funds routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped

from funds.settings import FundsSettings

FundsReader = scoped("funds:read")
FundsWriter = scoped("funds:write")
FundsAdmin = scoped("funds:admin")
FundsAccept = scoped("funds:accept")  # the accepting body (验收): records acceptances
FundsAudit = scoped("funds:audit")  # the auditing body (审计): records audits, confirms rectifications
FundsSupervise = scoped("funds:supervise")  # the supervising side: sets programmes' rule thresholds
FundsNationalAdmin = nationwide("funds:admin")  # deployment-wide operations (scans over every region)


def get_settings(request: Request) -> FundsSettings:
    return cast(FundsSettings, request.app.state.settings)


SettingsDep = Annotated[FundsSettings, Depends(get_settings)]

__all__ = [
    "FundsAccept",
    "FundsAdmin",
    "FundsAudit",
    "FundsNationalAdmin",
    "FundsReader",
    "FundsSupervise",
    "FundsWriter",
    "IdempotencyKeyDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
]
