"""Helpers shared by the use-case modules (register, dispositions, riskpoints, frameworks, assessments,
results, units, overview)."""

from __future__ import annotations

from datetime import date, datetime

from integrity.settings import IntegritySettings


def local_today(settings: IntegritySettings, now: datetime) -> date:
    return now.astimezone(settings.zone).date()


def pad(prefix: str) -> str:
    """A region prefix back as a code: ``13`` → ``130000``, ``1303`` → ``130300``."""
    return prefix.ljust(6, "0") if len(prefix) < 6 else prefix
