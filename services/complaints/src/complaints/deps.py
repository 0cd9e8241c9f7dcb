"""Dependency aliases of the complaints routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped
from sunlight.uploads import UploadKeyDep

from complaints.settings import ComplaintsSettings

ComplaintsReader = scoped("complaints:read")
ComplaintsWriter = scoped("complaints:write")
ComplaintsAdmin = scoped("complaints:admin")
# reads a reporter's identity (after a second registrar approves) and the identity access log
ComplaintsRegistrar = scoped("complaints:registrar")
ComplaintsNationalAdmin = nationwide("complaints:admin")  # deployment-wide: scans over every region, key re-wrap


def get_settings(request: Request) -> ComplaintsSettings:
    return cast(ComplaintsSettings, request.app.state.settings)


SettingsDep = Annotated[ComplaintsSettings, Depends(get_settings)]

__all__ = [
    "ComplaintsAdmin",
    "ComplaintsNationalAdmin",
    "ComplaintsReader",
    "ComplaintsRegistrar",
    "ComplaintsWriter",
    "IdempotencyKeyDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
    "UploadKeyDep",
]
