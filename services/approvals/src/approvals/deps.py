"""Dependency aliases of the approvals routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped
from sunlight.uploads import UploadKeyDep

from approvals.settings import ApprovalsSettings

ApprovalsReader = scoped("approvals:read")
ApprovalsWriter = scoped("approvals:write")
ApprovalsAdmin = scoped("approvals:admin")
ApprovalsNationalAdmin = nationwide("approvals:admin")  # deployment-wide operations (the sweep over every region)


def get_settings(request: Request) -> ApprovalsSettings:
    return cast(ApprovalsSettings, request.app.state.settings)


SettingsDep = Annotated[ApprovalsSettings, Depends(get_settings)]

__all__ = [
    "ApprovalsAdmin",
    "ApprovalsNationalAdmin",
    "ApprovalsReader",
    "ApprovalsWriter",
    "IdempotencyKeyDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
    "UploadKeyDep",
]
