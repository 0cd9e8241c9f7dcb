"""Integrity use cases. No FastAPI here; each commits once (handlers: the dispatcher commits)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.events import Envelope
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.pagination import Page, PageParams, make_page

from integrity import repository
from integrity.models import Warning
from integrity.schemas import WarningFilter, WarningOut


async def register_warning(session: AsyncSession, event: Envelope[WarningRaised]) -> Warning:
    """Add a raised warning to the register, or count a repetition of an active one.

    Runs inside the consumer's transaction (the inbox claim is in it too), so a redelivered
    event never counts twice.
    """
    data = event.data
    existing = await repository.active_warning(session, data.dedupe_key)
    if existing is not None:
        existing.occurrences += 1
        existing.last_event_id = event.id
        existing.last_seen_at = max(existing.last_seen_at, data.occurred_at)
        existing.evidence = data.evidence
        if data.level.rank > _rank(existing.level):
            existing.level = data.level.value
        return existing
    warning = Warning(
        rule_id=data.rule_id,
        level=data.level.value,
        title=data.title,
        service=data.subject.service,
        subject_kind=data.subject.kind,
        subject_id=data.subject.id,
        subject_label=data.subject.label,
        region_code=data.region_code,
        unit_uscc=data.unit_uscc,
        evidence=data.evidence,
        dedupe_key=data.dedupe_key,
        first_event_id=event.id,
        last_event_id=event.id,
        first_seen_at=data.occurred_at,
        last_seen_at=data.occurred_at,
    )
    session.add(warning)
    return warning


def _rank(level: str) -> int:
    return {"blue": 1, "orange": 2, "red": 3}.get(level, 0)


async def list_warnings(
    session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams
) -> Page[WarningOut]:
    rows = await repository.warnings(session, who, where, page)
    return make_page(rows, page, repository.cursor_key, WarningOut.model_validate)
