"""Dependency aliases of the approvals routes."""

from __future__ import annotations

import re
from typing import Annotated, cast

from fastapi import Depends, Header, Request
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped
from sunlight.errors import BadRequest

from approvals.settings import ApprovalsSettings

ApprovalsReader = scoped("approvals:read")
ApprovalsWriter = scoped("approvals:write")
ApprovalsAdmin = scoped("approvals:admin")
ApprovalsNationalAdmin = nationwide("approvals:admin")  # deployment-wide operations (the sweep over every region)


def get_settings(request: Request) -> ApprovalsSettings:
    return cast(ApprovalsSettings, request.app.state.settings)


SettingsDep = Annotated[ApprovalsSettings, Depends(get_settings)]

_UPLOAD_KEY = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')


async def upload_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Makes retries of this upload safe: the same key with the same log, mapping and region "
            "replays the first answer for 24 h.",
        ),
    ] = None,
) -> str | None:
    """The Idempotency-Key of a streamed upload, checked but not fingerprinted: the common dependency reads the
    whole body to fingerprint it (and a multipart body's boundary differs on every retry); the upload is
    fingerprinted by what it carries once it is spooled (``imports.create``)."""
    if idempotency_key is None:
        return None
    match = _UPLOAD_KEY.match(idempotency_key.strip())
    if not match:
        raise BadRequest("Idempotency-Key must be 1–255 printable characters", field="Idempotency-Key")
    return match.group(1)


UploadKeyDep = Annotated[str | None, Depends(upload_idempotency_key)]

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
