"""The warning register (预警登记): the consumer that registers every service's warnings, and its reads.

The consumer runs inside the dispatcher's transaction with the inbox claim and leaves the commit to it;
the reads commit nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.events import Envelope
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.pagination import Page, PageParams, make_page

from integrity import periods
from integrity.dispositions import disposition_out
from integrity.errors import (
    InvalidPeriod,
)
from integrity.models import (
    DispositionStatus,
    Occurrence,
    Warning,
    WarningStatus,
)
from integrity.repository import dispositions as dispositions_repo
from integrity.repository import register as register_repo
from integrity.repository import riskpoints as riskpoints_repo
from integrity.repository import units as units_repo
from integrity.riskpoints import risk_point_out
from integrity.schemas.common import DEPTH_DIGITS
from integrity.schemas.register import OccurrenceOut, WarningCount, WarningDetail, WarningFilter, WarningOut
from integrity.service import local_today, pad
from integrity.settings import IntegritySettings

RANK = {"blue": 1, "orange": 2, "red": 3}


def _higher(*levels: str | None) -> str:
    return max((lv for lv in levels if lv), key=lambda lv: RANK.get(lv, 0))


def level_for_count(occurrences: int, settings: IntegritySettings) -> str | None:
    """The level a warning reaches by repetition alone (None below the first count)."""
    if occurrences >= settings.repeat_red_at:
        return "red"
    if occurrences >= settings.repeat_orange_at:
        return "orange"
    return None


# --- the register (consumer) ------------------------------------------------------------------


async def register_warning(
    session: AsyncSession, event: Envelope[WarningRaised], settings: IntegritySettings
) -> Warning:
    """Add a raised warning to the register, or count a repetition of the active one with its key.

    Runs in the consumer's transaction (the inbox claim is in it too), so a redelivered event
    never counts twice. A repetition keeps the latest evidence and takes the highest of the
    source's level and the level its count reaches (``repeat_orange_at``, ``repeat_red_at``).
    """
    data = event.data
    warning = await register_repo.active_warning(session, data.region_code, data.dedupe_key)
    if warning is not None:
        warning.occurrences += 1
        warning.last_event_id = event.id
        if data.occurred_at >= warning.last_seen_at:
            warning.evidence = data.evidence
            warning.last_seen_at = data.occurred_at
        warning.source_level = _higher(warning.source_level, data.level.value)
        warning.level = _higher(warning.level, data.level.value, level_for_count(warning.occurrences, settings))
    else:
        warning = Warning(
            rule_id=data.rule_id,
            level=_higher(data.level.value, level_for_count(1, settings)),
            source_level=data.level.value,
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
            first_seen_month=periods.month_of(data.occurred_at, settings.zone),
            last_seen_at=data.occurred_at,
            risk_point_id=await riskpoints_repo.risk_point_for(
                session, rule_id=data.rule_id, region_code=data.region_code, unit_uscc=data.unit_uscc
            ),
        )
        if await _disposition_already_concluded(session, data):
            warning.status, warning.closed_at = WarningStatus.CLOSED, data.occurred_at
        session.add(warning)
        await session.flush()
    register_repo.add_occurrence(
        session,
        Occurrence(
            warning_id=warning.id,
            event_id=event.id,
            rule_id=data.rule_id,
            level=data.level.value,
            region_code=data.region_code,
            evidence=data.evidence,
            occurred_at=data.occurred_at,
        ),
    )
    await _count_warning(session, data, settings)
    return warning


async def _disposition_already_concluded(session: AsyncSession, data: WarningRaised) -> bool:
    """An overdue warning arriving after its disposition concluded registers as closed."""
    if data.subject.service != "integrity" or data.subject.kind != "disposition":
        return False
    try:
        found = await dispositions_repo.disposition(session, uuid.UUID(data.subject.id))
    except ValueError:
        return False
    return found is not None and found.status == DispositionStatus.CONCLUDED


async def _count_warning(session: AsyncSession, data: WarningRaised, settings: IntegritySettings) -> None:
    """Per-unit figures: every finding of another service about a unit (integrity's own are not evidence)."""
    if data.unit_uscc is None or data.subject.service == "integrity":
        return
    counts = {f"warnings_{data.level.value}": 1}
    if data.subject.service == "funds":
        counts["funds_warnings"] = 1
    month = periods.month_of(data.occurred_at, settings.zone)
    await units_repo.bump_unit(session, data.unit_uscc, month, data.region_code, **counts)


# --- the register (reads) ---------------------------------------------------------------------


async def list_warnings(
    session: AsyncSession,
    who: Principal,
    where: WarningFilter,
    page: PageParams,
    *,
    now: datetime,
    settings: IntegritySettings,
) -> Page[WarningOut]:
    """Warnings matching ``where``; ages count calendar days in the deployment's zone (0 = today)."""
    today = local_today(settings, now)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=settings.zone)

    if where.max_age_days is not None:
        where = where.model_copy(update={"seen_since": midnight(today - timedelta(days=where.max_age_days))})
    if where.min_age_days is not None:
        where = where.model_copy(update={"seen_before": midnight(today - timedelta(days=where.min_age_days - 1))})
    rows = await register_repo.warnings(session, who, where, page)
    return make_page(rows, page, register_repo.warning_cursor, WarningOut.model_validate)


async def _visible_warning(session: AsyncSession, who: Principal, warning_id: uuid.UUID) -> Warning:
    return who.visible(await register_repo.warning(session, warning_id), "warning")


async def get_warning(
    session: AsyncSession, who: Principal, warning_id: uuid.UUID, *, settings: IntegritySettings
) -> WarningDetail:
    found = await _visible_warning(session, who, warning_id)
    risk_point = await riskpoints_repo.risk_point(session, found.risk_point_id) if found.risk_point_id else None
    return WarningDetail(
        **WarningOut.model_validate(found).model_dump(),
        history=[OccurrenceOut.model_validate(o) for o in await register_repo.history(session, found.id)],
        dispositions=[disposition_out(d, settings) for d in await dispositions_repo.dispositions_of(session, found.id)],
        risk_point=(await risk_point_out(session, [risk_point]))[0] if risk_point else None,
    )


async def count_warnings(
    session: AsyncSession,
    who: Principal,
    *,
    granularity: str,
    depth: str,
    first_period: str | None,
    last_period: str | None,
    region_code: str | None,
    status: WarningStatus | None,
    rule_id: str | None,
    service: str | None,
) -> list[WarningCount]:
    """Warnings first seen per period and region, by colour (for dashboards)."""
    try:
        first_month = periods.months(first_period)[0] if first_period else None
        last_month = periods.months(last_period)[-1] if last_period else None
    except ValueError as exc:
        raise InvalidPeriod(str(exc), field="from" if first_period else "to") from None
    rows = await register_repo.warning_counts(
        session,
        who,
        digits=DEPTH_DIGITS[depth],
        first_month=first_month,
        last_month=last_month,
        region_code=region_code,
        status=status,
        rule_id=rule_id,
        service=service,
    )
    cells: dict[tuple[str, str], WarningCount] = {}
    for month, region, level, n in rows:
        key = (periods.roll_up(month, granularity), pad(region))
        cell = cells.setdefault(key, WarningCount(period=key[0], region_code=key[1]))
        setattr(cell, level, getattr(cell, level) + n)
        cell.total += n
    return [cells[k] for k in sorted(cells)]
