"""Funds settings: the common ones plus the thresholds of the funds rules."""

from __future__ import annotations

from typing import ClassVar

from sunlight.settings import ServiceSettings


class FundsSettings(ServiceSettings):
    service_name: ClassVar[str] = "funds"
    port: int = 8101
