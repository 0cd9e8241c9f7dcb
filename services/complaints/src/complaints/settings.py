"""Complaints settings: the common ones plus the thresholds of its rules."""

from __future__ import annotations

from typing import ClassVar

from sunlight.settings import ServiceSettings


class ComplaintsSettings(ServiceSettings):
    service_name: ClassVar[str] = "complaints"
    port: int = 8104
