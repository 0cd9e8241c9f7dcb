"""Tenders settings: the common ones plus the thresholds of its rules."""

from __future__ import annotations

from typing import ClassVar

from sunlight.settings import ServiceSettings


class TendersSettings(ServiceSettings):
    service_name: ClassVar[str] = "tenders"
    port: int = 8102
