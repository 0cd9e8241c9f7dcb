"""Events the integrity service consumes: every service's warnings, complaints (a unit's figure, and a level more
on the warnings about the subject they name), and the figures of the computed indicators."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from integrity import register, units
from integrity.settings import IntegritySettings

handlers = Handlers()


def _settings(session: AsyncSession) -> IntegritySettings:
    settings = session.info.get("settings")
    return settings if isinstance(settings, IntegritySettings) else IntegritySettings()


@handlers.handles("warnings.raised.v1")
async def on_warning_raised(session: AsyncSession, event: Envelope[Any]) -> None:
    await register.register_warning(session, event, _settings(session))


@handlers.handles("complaints.report.filed.v1")
async def on_report_filed(session: AsyncSession, event: Envelope[Any]) -> None:
    await units.count_report(session, event, _settings(session))
    await register.escalate_for_report(session, event)


@handlers.handles("approvals.case.concluded.v1")
async def on_case_concluded(session: AsyncSession, event: Envelope[Any]) -> None:
    await units.count_case(session, event, _settings(session))
