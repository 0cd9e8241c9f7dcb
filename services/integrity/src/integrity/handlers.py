"""Events the integrity service consumes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from integrity import service

handlers = Handlers()


@handlers.handles("warnings.raised.v1")
async def on_warning_raised(session: AsyncSession, event: Envelope[Any]) -> None:
    await service.register_warning(session, event)
