"""The warning register (预警登记): the consumer that registers every service's warnings, and its reads.

The consumer runs inside the dispatcher's transaction with the inbox claim and leaves the commit to it;
the reads commit nothing."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import region_contains
from sunlight.db import utcnow
from sunlight.events import Envelope
from sunlight.events.contracts.complaints import ReportFiled
from sunlight.events.contracts.warnings import WarningRaised
from sunlight.pagination import Page, PageParams, sorted_page
from sunlight.warnings import Level

from integrity import periods
from integrity.dispositions import disposition_out
from integrity.errors import InvalidPeriod
from integrity.models import DispositionStatus, Effect, Occurrence, Warning, WarningStatus
from integrity.repository import dispositions as dispositions_repo
from integrity.repository import register as register_repo
from integrity.repository import riskpoints as riskpoints_repo
from integrity.repository import units as units_repo
from integrity.riskpoints import risk_point_out
from integrity.schemas.common import DEPTH_DIGITS
from integrity.schemas.register import OccurrenceOut, WarningCount, WarningDetail, WarningFilter, WarningOut
from integrity.service import local_today, pad
from integrity.settings import IntegritySettings


def _higher(*levels: str | None) -> str:
    """The highest of ``levels`` in the one level order (``Level.rank``)."""
    return max((Level(lv) for lv in levels if lv), key=lambda lv: lv.rank).value


def level_for_episodes(episodes: int, settings: IntegritySettings) -> str | None:
    """The level a warning reaches by repetition alone: distinct episodes, not occurrences (None below the
    first count)."""
    if episodes >= settings.repeat_red_at:
        return "red"
    if episodes >= settings.repeat_orange_at:
        return "orange"
    return None


def fingerprint(evidence: dict[str, Any]) -> str:
    """The evidence's canonical fingerprint: SHA-256 of its JSON with sorted keys (key order and spacing
    never make two findings differ)."""
    canonical = json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- the register (consumer) ------------------------------------------------------------------


async def register_warning(
    session: AsyncSession, event: Envelope[WarningRaised], settings: IntegritySettings
) -> Warning:
    """Count a raised warning against its register entry — one per (region, dedupe key) for its whole life.

    Runs in the consumer's transaction (the inbox claim is in it too), so a redelivered event never
    counts twice. The event stands for ``occurrences`` findings: one occurrence row with that count.

    - new key: the entry is created (episode 1) and counted in its unit's figures;
    - active entry: the occurrences add up; a sighting ``episode_gap_hours`` or more after the latest
      one, with other evidence, starts a new episode (counted in the unit's figures again; a periodic scan
      finding the same thing again is the same episode). The level is the highest of the source's and the
      level the number of episodes reaches (``repeat_orange_at``, ``repeat_red_at``);
    - dismissed: the occurrence is recorded in the history, nothing else changes (a dismissal sticks);
    - concluded: reopened as a new episode only when a newer finding's evidence differs from the
      evidence it was concluded on (``fingerprint``); the same evidence is recorded only.

    A source that wants a fresh entry for a new episode of its own (idle since another date, another
    period) puts the episode into the dedupe key.
    """
    data = event.data
    warning = await register_repo.warning_by_key(session, data.region_code, data.dedupe_key)
    if warning is None:
        warning = await _new_warning(session, event, settings)
        effect = Effect.REGISTERED
    else:
        effect = await _seen_again(session, warning, event, settings)
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
            effect=effect,
            count=data.occurrences,
            episode=warning.episodes,
        ),
    )
    if effect in (Effect.REGISTERED, Effect.NEW_EPISODE, Effect.REOPENED):
        await _count_warning(session, data, settings)
    return warning


async def _new_warning(session: AsyncSession, event: Envelope[WarningRaised], settings: IntegritySettings) -> Warning:
    data = event.data
    warning = Warning(
        rule_id=data.rule_id,
        level=_higher(data.level.value, level_for_episodes(1, settings)),
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
        occurrences=data.occurrences,
        episodes=1,
        first_event_id=event.id,
        last_event_id=event.id,
        first_seen_at=data.occurred_at,
        first_seen_month=periods.month_of(data.occurred_at, settings.zone),
        last_seen_at=data.occurred_at,
        changed_at=utcnow(),
        risk_point_id=await riskpoints_repo.risk_point_for(
            session, rule_id=data.rule_id, region_code=data.region_code, unit_uscc=data.unit_uscc
        ),
    )
    if await _disposition_already_concluded(session, data):
        warning.status, warning.closed_at = WarningStatus.CLOSED, data.occurred_at
    session.add(warning)
    await session.flush()
    return warning


async def _seen_again(
    session: AsyncSession, warning: Warning, event: Envelope[WarningRaised], settings: IntegritySettings
) -> Effect:
    """Apply a later event of an existing entry (locked); what it did."""
    data = event.data
    newer = data.occurred_at >= warning.last_seen_at
    gap = data.occurred_at - warning.last_seen_at
    warning.occurrences += data.occurrences
    warning.last_event_id = event.id
    warning.changed_at = utcnow()
    if warning.status == WarningStatus.DISMISSED:
        effect = Effect.RECORDED
    elif warning.status == WarningStatus.CLOSED:
        reopen = newer and fingerprint(data.evidence) != fingerprint(warning.evidence)
        if reopen and not await _disposition_already_concluded(session, data):
            warning.status, warning.closed_at = WarningStatus.OPEN, None
            warning.episodes += 1
            warning.evidence = data.evidence
            effect = Effect.REOPENED
        else:
            effect = Effect.RECORDED
    else:
        effect = Effect.REPEATED
        apart = gap >= timedelta(hours=settings.episode_gap_hours)
        if apart and fingerprint(data.evidence) != fingerprint(warning.evidence):
            warning.episodes += 1
            effect = Effect.NEW_EPISODE
        if newer:
            warning.evidence = data.evidence
    if newer:
        warning.last_seen_at = data.occurred_at
    if effect != Effect.RECORDED:
        warning.source_level = _higher(warning.source_level, data.level.value)
        warning.level = _higher(warning.level, data.level.value, level_for_episodes(warning.episodes, settings))
    return effect


async def escalate_for_report(session: AsyncSession, event: Envelope[ReportFiled]) -> list[Warning]:
    """A complaint naming a subject raises each active warning about it (service, kind, id) one level, once per
    report: the history shows it (effect ``complaint``, the report and the levels before and after). Only
    warnings on the complaint's branch of regions (the complaint's region, above or below it), never another
    region's. Runs in the consumer's transaction: a redelivered event is not applied twice, and a report seen
    in another event does not raise a warning it already raised."""
    data = event.data
    if data.subject is None:
        return []
    raised: list[Warning] = []
    now = utcnow()
    for warning in await register_repo.active_warnings_about(
        session, data.subject.service, data.subject.kind, data.subject.id
    ):
        branch = region_contains(data.region_code, warning.region_code) or region_contains(
            warning.region_code, data.region_code
        )
        if not branch or await register_repo.report_counted(session, warning.id, data.report_id):
            continue
        before = warning.level
        warning.level = Level(warning.level).raised().value
        warning.changed_at = now
        register_repo.add_occurrence(
            session,
            Occurrence(
                warning_id=warning.id,
                event_id=event.id,
                rule_id=warning.rule_id,
                level=warning.level,
                region_code=warning.region_code,
                evidence={
                    "report_id": data.report_id,
                    "category": data.category,
                    "complaint_region_code": data.region_code,
                    "level_before": before,
                    "level_after": warning.level,
                },
                occurred_at=data.filed_at,
                effect=Effect.COMPLAINT,
                count=0,
                episode=warning.episodes,
                report_id=data.report_id,
            ),
        )
        raised.append(warning)
    return raised


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
    """Per-unit figures: every episode of another service's finding about a unit, once (integrity's own are
    not evidence; the occurrences of one episode are one warning)."""
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
    return sorted_page(
        rows,
        page,
        where.sort.value,
        where.order,
        register_repo.warning_sort_value(where),
        lambda r: str(r.id),
        WarningOut.model_validate,
    )


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
