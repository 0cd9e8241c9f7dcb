"""Dependency aliases of the integrity routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sunlight.db import utcnow
from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, nationwide, scoped

from integrity.settings import IntegritySettings

IntegrityReader = scoped("integrity:read")
IntegrityWriter = scoped("integrity:write")
IntegrityAdmin = scoped("integrity:admin")
IntegrityNationalAdmin = nationwide("integrity:admin")  # deployment-wide settings (frameworks, baselines)


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
    "IntegrityNationalAdmin",
    "IntegrityReader",
    "IntegrityWriter",
    "NowDep",
    "PageDep",
    "SessionDep",
    "SettingsDep",
]
