"""Integrity settings."""

from __future__ import annotations

from typing import ClassVar

from sunlight.settings import ServiceSettings


class IntegritySettings(ServiceSettings):
    service_name: ClassVar[str] = "integrity"
    port: int = 8105
