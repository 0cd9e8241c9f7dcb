"""Approvals settings: the common ones plus the thresholds of its rules."""

from __future__ import annotations

from typing import ClassVar

from sunlight.settings import ServiceSettings


class ApprovalsSettings(ServiceSettings):
    service_name: ClassVar[str] = "approvals"
    port: int = 8103
