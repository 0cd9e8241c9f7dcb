"""Events the tenders service consumes (supervision linkage, see ``linkage.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from tenders import linkage

handlers = Handlers()


@handlers.handles("complaints.report.filed.v1")
async def on_report_filed(session: AsyncSession, event: Envelope[Any]) -> None:
    """A report names a tender: raise its findings one level, or record a blue lead."""
    await linkage.link_complaint(session, event.data)
