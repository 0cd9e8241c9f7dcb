"""Dependency aliases of the integrity routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sunlight.db import utcnow
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

from integrity.settings import IntegritySettings

IntegrityReader = scoped("integrity:read")
IntegrityWriter = scoped("integrity:write")
IntegrityAdmin = scoped("integrity:admin")


def _settings(request: Request) -> IntegritySettings:
    settings: IntegritySettings = request.app.state.settings
    return settings


def _now() -> datetime:
    return utcnow()


SettingsDep = Annotated[IntegritySettings, Depends(_settings)]
NowDep = Annotated[datetime, Depends(_now)]

__all__ = [
    "IdempotencyKeyDep",
    "IntegrityAdmin",
    "IntegrityReader",
    "IntegrityWriter",
    "NowDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
]
