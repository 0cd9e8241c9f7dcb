"""Events the approvals service consumes."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from approvals import escalation
from approvals.settings import ApprovalsSettings

handlers = Handlers()


@handlers.handles("warnings.disposed.v1")
async def on_warning_disposed(session: AsyncSession, event: Envelope[Any]) -> None:
    """Integrity disposed of a warning: approvals' view learns the disposition and, for a reminder, an inquiry
    or a direct review, the day by which the subject must be corrected (escalation.py)."""
    settings = cast(ApprovalsSettings, session.info["settings"])
    await escalation.apply_disposition(session, settings, event.data)
