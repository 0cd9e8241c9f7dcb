"""Events the complaints service consumes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from complaints import outcomes
from complaints.settings import ComplaintsSettings

handlers = Handlers()


def _settings(session: AsyncSession) -> ComplaintsSettings:
    settings = session.info.get("settings")
    if not isinstance(settings, ComplaintsSettings):
        raise RuntimeError("the consumer's session carries no complaints settings")
    return settings


@handlers.handles("warnings.disposed.v1")
async def on_warning_disposed(session: AsyncSession, event: Envelope[Any]) -> None:
    """Integrity concluded or dismissed a warning on a subject reporters named: tell those who asked."""
    await outcomes.tell_reporters(session, _settings(session), event.data)
