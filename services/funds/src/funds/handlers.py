"""Events the funds service consumes (supervision linkage, see ``linkage.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.events import Envelope
from sunlight.events.consumer import Handlers

from funds import linkage

handlers = Handlers()


@handlers.handles("warnings.disposed.v1")
async def on_warning_disposed(session: AsyncSession, event: Envelope[Any]) -> None:
    """Integrity disposed of a warning: update funds' view of it, hold or release its subject."""
    await linkage.apply_disposition(session, event.data)


@handlers.handles("complaints.report.filed.v1")
async def on_report_filed(session: AsyncSession, event: Envelope[Any]) -> None:
    """A report names a funds subject without an open warning: raise a blue one (integrity escalates open ones)."""
    await linkage.link_complaint(session, event.data)
