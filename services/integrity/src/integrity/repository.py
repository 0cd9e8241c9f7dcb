"""Integrity queries. Never commits: the service function (or the consumer's dispatcher) owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import parent_region, region_contains, region_prefix
from sunlight.db import starts_with_digits, within_regions
from sunlight.pagination import PageParams, keyset

from integrity import periods
from integrity.models import (
    Closure,
    Disposition,
    DispositionStatus,
    DispositionStep,
    Framework,
    Occurrence,
    Rater,
    Result,
    RiskPoint,
    RiskPointRule,
    Score,
    Subject,
    SubjectKind,
    UnitMonth,
    Warning,
    WarningStatus,
)
from integrity.schemas import DispositionFilter, WarningFilter

ACTIVE = (WarningStatus.OPEN, WarningStatus.IN_DISPOSITION)
ACTIVE_DISPOSITIONS = (DispositionStatus.OPEN, DispositionStatus.IN_PROGRESS)
NO_VALUE = 1000.0  # results without a value sort after every value (0–100)


def _col(attribute: Any) -> Any:
    """An ORM attribute as a column expression (SQLModel's annotations hide it from type checkers)."""
    return attribute


def _within(column: Any, region_code: str | None) -> ColumnElement[bool] | None:
    return starts_with_digits(column, region_prefix(region_code)) if region_code else None


def _where(query: Any, *conditions: ColumnElement[bool] | None) -> Any:
    present = [c for c in conditions if c is not None]
    return query.where(*present) if present else query


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


# --- the register -----------------------------------------------------------------------------


async def active_warning(session: AsyncSession, region_code: str, dedupe_key: str) -> Warning | None:
    """The active register entry of ``dedupe_key`` in ``region_code`` (two regions never share an entry)."""
    query = (
        select(Warning)
        .where(
            _col(Warning.region_code) == region_code,
            _col(Warning.dedupe_key) == dedupe_key,
            _col(Warning.status).in_(ACTIVE),
        )
        .with_for_update()
    )
    return (await session.execute(query)).scalars().first()


async def warning(session: AsyncSession, warning_id: uuid.UUID, *, for_update: bool = False) -> Warning | None:
    query = select(Warning).where(_col(Warning.id) == warning_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def warnings(session: AsyncSession, who: Principal, where: WarningFilter, page: PageParams) -> Sequence[Warning]:
    seen = _col(Warning.first_seen_at)
    query = _where(
        select(Warning),
        within_regions(Warning.region_code, who.region_prefixes),
        _col(Warning.rule_id) == where.rule_id if where.rule_id else None,
        _col(Warning.level) == where.level.value if where.level else None,
        _col(Warning.service) == where.service if where.service else None,
        _col(Warning.status) == where.status if where.status else None,
        _col(Warning.unit_uscc) == where.unit_uscc if where.unit_uscc else None,
        _col(Warning.risk_point_id) == where.risk_point_id if where.risk_point_id else None,
        _within(Warning.region_code, where.region_code),
        seen < where.seen_before if where.seen_before is not None else None,
        seen >= where.seen_since if where.seen_since is not None else None,
    )
    query = keyset(query, page, _col(Warning.last_seen_at), _col(Warning.id))
    return (await session.execute(query)).scalars().all()


def warning_cursor(row: Warning) -> list[str]:
    return [row.last_seen_at.isoformat(), str(row.id)]


def add_occurrence(session: AsyncSession, occurrence: Occurrence) -> None:
    session.add(occurrence)


async def history(session: AsyncSession, warning_id: uuid.UUID, *, limit: int = 50) -> Sequence[Occurrence]:
    query = (
        select(Occurrence)
        .where(_col(Occurrence.warning_id) == warning_id)
        .order_by(_col(Occurrence.occurred_at).desc(), _col(Occurrence.received_at).desc())
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def unit_of_subject(session: AsyncSession, service: str, kind: str, subject_id: str) -> str | None:
    """The unit the register last saw a subject (a node, a tender, …) belong to."""
    query = (
        select(Warning.unit_uscc)
        .where(
            _col(Warning.subject_id) == subject_id,
            _col(Warning.subject_kind) == kind,
            _col(Warning.service) == service,
            _col(Warning.unit_uscc).is_not(None),
        )
        .order_by(_col(Warning.last_seen_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def warning_counts(
    session: AsyncSession,
    who: Principal,
    *,
    digits: int,
    first_month: str | None,
    last_month: str | None,
    region_code: str | None,
    status: WarningStatus | None,
    rule_id: str | None,
    service: str | None,
) -> Sequence[Any]:
    """(month, region prefix, level, count) of the warnings first seen in each month."""
    region = func.substr(Warning.region_code, 1, digits).label("region")
    month = _col(Warning.first_seen_month)
    query = _where(
        select(month, region, Warning.level, func.count().label("n")),
        within_regions(Warning.region_code, who.region_prefixes),
        _within(Warning.region_code, region_code),
        month >= first_month if first_month else None,
        month <= last_month if last_month else None,
        _col(Warning.status) == status if status else None,
        _col(Warning.rule_id) == rule_id if rule_id else None,
        _col(Warning.service) == service if service else None,
    ).group_by(month, region, Warning.level)
    return (await session.execute(query)).all()


async def open_warnings_by_region(
    session: AsyncSession, who: Principal, *, digits: int, region_code: str | None
) -> Sequence[Any]:
    region = func.substr(Warning.region_code, 1, digits).label("region")
    query = _where(
        select(region, Warning.level, func.count().label("n")),
        _col(Warning.status).in_(ACTIVE),
        within_regions(Warning.region_code, who.region_prefixes),
        _within(Warning.region_code, region_code),
    ).group_by(region, Warning.level)
    return (await session.execute(query)).all()


async def rules_firing_most(
    session: AsyncSession, who: Principal, *, since: datetime, region_code: str | None, limit: int
) -> Sequence[Any]:
    n = func.count().label("n")
    query = (
        _where(
            select(
                Occurrence.rule_id,
                n,
                func.count(func.distinct(Occurrence.warning_id)).label("warnings"),
                func.max(Occurrence.occurred_at).label("last_seen_at"),
            ),
            _col(Occurrence.occurred_at) >= since,
            within_regions(Occurrence.region_code, who.region_prefixes),
            _within(Occurrence.region_code, region_code),
        )
        .group_by(Occurrence.rule_id)
        .order_by(n.desc(), _col(Occurrence.rule_id))
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def close_active(session: AsyncSession, region_code: str, dedupe_key: str, *, now: datetime) -> None:
    await session.execute(
        update(Warning)
        .where(
            _col(Warning.region_code) == region_code,
            _col(Warning.dedupe_key) == dedupe_key,
            _col(Warning.status).in_(ACTIVE),
        )
        .values(status=WarningStatus.CLOSED, closed_at=now)
    )


# --- dispositions -----------------------------------------------------------------------------


async def disposition(
    session: AsyncSession, disposition_id: uuid.UUID, *, for_update: bool = False
) -> Disposition | None:
    query = select(Disposition).where(_col(Disposition.id) == disposition_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def active_disposition_of(session: AsyncSession, warning_id: uuid.UUID) -> Disposition | None:
    query = select(Disposition).where(
        _col(Disposition.warning_id) == warning_id, _col(Disposition.status).in_(ACTIVE_DISPOSITIONS)
    )
    return (await session.execute(query)).scalars().first()


async def dispositions_of(session: AsyncSession, warning_id: uuid.UUID) -> Sequence[Disposition]:
    query = select(Disposition).where(_col(Disposition.warning_id) == warning_id).order_by(_col(Disposition.opened_at))
    return (await session.execute(query)).scalars().all()


async def dispositions(
    session: AsyncSession, who: Principal, where: DispositionFilter, page: PageParams, *, today: date
) -> Sequence[Disposition]:
    active = _col(Disposition.status).in_(ACTIVE_DISPOSITIONS)
    overdue = and_(active, _col(Disposition.deadline) < today)
    query = _where(
        select(Disposition),
        within_regions(Disposition.region_code, who.region_prefixes),
        _within(Disposition.region_code, where.region_code),
        _col(Disposition.status) == where.status if where.status else None,
        _col(Disposition.kind) == where.kind if where.kind else None,
        _col(Disposition.assignee) == where.assignee if where.assignee else None,
        _col(Disposition.warning_id) == where.warning_id if where.warning_id else None,
        None if where.overdue is None else overdue if where.overdue else ~overdue,
    )
    query = keyset(query, page, _col(Disposition.opened_at), _col(Disposition.id))
    return (await session.execute(query)).scalars().all()


def disposition_cursor(row: Disposition) -> list[str]:
    return [row.opened_at.isoformat(), str(row.id)]


async def next_step_seq(session: AsyncSession, disposition_id: uuid.UUID) -> int:
    """The number of a disposition's next step (call with the disposition locked)."""
    query = select(func.coalesce(func.max(DispositionStep.seq), 0)).where(
        _col(DispositionStep.disposition_id) == disposition_id
    )
    return int((await session.execute(query)).scalar_one()) + 1


async def steps(session: AsyncSession, disposition_id: uuid.UUID, page: PageParams) -> Sequence[DispositionStep]:
    """A disposition's steps in the order they were taken (a page of them)."""
    query = select(DispositionStep).where(_col(DispositionStep.disposition_id) == disposition_id)
    query = keyset(query, page, _col(DispositionStep.seq), descending=False)
    return (await session.execute(query)).scalars().all()


async def latest_steps(session: AsyncSession, disposition_id: uuid.UUID, *, limit: int) -> list[DispositionStep]:
    """A disposition's latest ``limit`` steps, oldest first."""
    query = (
        select(DispositionStep)
        .where(_col(DispositionStep.disposition_id) == disposition_id)
        .order_by(_col(DispositionStep.seq).desc())
        .limit(limit)
    )
    return list(reversed((await session.execute(query)).scalars().all()))


def step_cursor(row: DispositionStep) -> list[int]:
    return [row.seq]


async def overdue_to_escalate(session: AsyncSession, *, today: date, max_escalations: int) -> Sequence[Disposition]:
    """Active dispositions past their deadline that may still escalate, locked (replicas skip each other's)."""
    query = (
        select(Disposition)
        .where(
            _col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
            _col(Disposition.deadline) < today,
            _col(Disposition.escalations) < max_escalations,
        )
        .order_by(_col(Disposition.deadline), _col(Disposition.id))
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def overdue_by_region(
    session: AsyncSession, who: Principal, *, today: date, digits: int, region_code: str | None
) -> Sequence[Any]:
    region = func.substr(Disposition.region_code, 1, digits).label("region")
    query = _where(
        select(region, func.count().label("n")),
        _col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
        _col(Disposition.deadline) < today,
        within_regions(Disposition.region_code, who.region_prefixes),
        _within(Disposition.region_code, region_code),
    ).group_by(region)
    return (await session.execute(query)).all()


async def oldest_overdue(
    session: AsyncSession, who: Principal, *, today: date, region_code: str | None, limit: int
) -> Sequence[Disposition]:
    query = _where(
        select(Disposition),
        _col(Disposition.status).in_(ACTIVE_DISPOSITIONS),
        _col(Disposition.deadline) < today,
        within_regions(Disposition.region_code, who.region_prefixes),
        _within(Disposition.region_code, region_code),
    )
    query = query.order_by(_col(Disposition.deadline), _col(Disposition.id)).limit(limit)
    return (await session.execute(query)).scalars().all()


# --- risk points ------------------------------------------------------------------------------


async def risk_point(session: AsyncSession, risk_point_id: uuid.UUID, *, for_update: bool = False) -> RiskPoint | None:
    query = select(RiskPoint).where(_col(RiskPoint.id) == risk_point_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def risk_point_by_code(session: AsyncSession, code: str) -> RiskPoint | None:
    return (await session.execute(select(RiskPoint).where(_col(RiskPoint.code) == code))).scalar_one_or_none()


async def rules_of(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    wanted = list(ids)
    out: dict[uuid.UUID, list[str]] = {i: [] for i in wanted}
    if not wanted:
        return out
    query = (
        select(RiskPointRule).where(_col(RiskPointRule.risk_point_id).in_(wanted)).order_by(_col(RiskPointRule.rule_id))
    )
    for link in (await session.execute(query)).scalars():
        out[link.risk_point_id].append(link.rule_id)
    return out


async def set_rules(session: AsyncSession, risk_point: RiskPoint, rule_ids: Sequence[str]) -> None:
    current = (await rules_of(session, [risk_point.id]))[risk_point.id]
    for link in (
        await session.execute(select(RiskPointRule).where(_col(RiskPointRule.risk_point_id) == risk_point.id))
    ).scalars():
        if link.rule_id not in rule_ids:
            await session.delete(link)
    for rule_id in rule_ids:
        if rule_id not in current:
            session.add(RiskPointRule(risk_point_id=risk_point.id, rule_id=rule_id))


def _ancestors(region_code: str) -> list[str]:
    codes, code = [], region_code
    while code is not None:
        codes.append(code)
        code = parent_region(code)  # type: ignore[assignment]
    return codes


async def risk_point_for(
    session: AsyncSession, *, rule_id: str, region_code: str, unit_uscc: str | None
) -> uuid.UUID | None:
    """The risk point a finding realises: one listing its rule, in its region or above; the unit's own first,
    then the nearest region."""
    query = (
        select(RiskPoint.id, RiskPoint.region_code, RiskPoint.unit_uscc)
        .join(RiskPointRule, _col(RiskPointRule.risk_point_id) == _col(RiskPoint.id))
        .where(
            _col(RiskPointRule.rule_id) == rule_id,
            _col(RiskPoint.region_code).in_(_ancestors(region_code)),
            or_(_col(RiskPoint.unit_uscc).is_(None), _col(RiskPoint.unit_uscc) == unit_uscc),
        )
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    best = max(rows, key=lambda r: (r.unit_uscc is not None, len(region_prefix(r.region_code)), str(r.id)))
    return best.id  # type: ignore[no-any-return]


async def link_unlinked_warnings(session: AsyncSession, risk_point: RiskPoint, rule_ids: Sequence[str]) -> None:
    """Link the warnings of ``rule_ids`` in the risk point's region (and unit) that realise no risk point yet."""
    if not rule_ids:
        return
    await session.execute(
        update(Warning)
        .where(
            _col(Warning.risk_point_id).is_(None),
            _col(Warning.rule_id).in_(list(rule_ids)),
            starts_with_digits(Warning.region_code, region_prefix(risk_point.region_code)),
            _col(Warning.unit_uscc) == risk_point.unit_uscc if risk_point.unit_uscc else _col(Warning.id).is_not(None),
        )
        .values(risk_point_id=risk_point.id)
    )


async def risk_points(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    region_code: str | None,
    unit_uscc: str | None,
    risk_level: str | None,
    rule_id: str | None,
) -> Sequence[RiskPoint]:
    query = _where(
        select(RiskPoint),
        within_regions(RiskPoint.region_code, who.region_prefixes),
        _within(RiskPoint.region_code, region_code),
        _col(RiskPoint.unit_uscc) == unit_uscc if unit_uscc else None,
        _col(RiskPoint.risk_level) == risk_level if risk_level else None,
        _col(RiskPoint.id).in_(select(RiskPointRule.risk_point_id).where(_col(RiskPointRule.rule_id) == rule_id))
        if rule_id
        else None,
    )
    query = keyset(query, page, _col(RiskPoint.code), descending=False)
    return (await session.execute(query)).scalars().all()


def risk_point_cursor(row: Any) -> list[str]:
    return [row.code]


async def heatmap(
    session: AsyncSession, who: Principal, *, months: Sequence[str], region_code: str | None
) -> Sequence[Any]:
    query = _where(
        select(
            Warning.unit_uscc,
            RiskPoint.id,
            RiskPoint.code,
            RiskPoint.name,
            RiskPoint.risk_level,
            Warning.level,
            func.count().label("n"),
        ).join(RiskPoint, _col(RiskPoint.id) == _col(Warning.risk_point_id)),
        _col(Warning.first_seen_month).in_(list(months)),
        within_regions(Warning.region_code, who.region_prefixes),
        _within(Warning.region_code, region_code),
    ).group_by(Warning.unit_uscc, RiskPoint.id, RiskPoint.code, RiskPoint.name, RiskPoint.risk_level, Warning.level)
    return (await session.execute(query)).all()


# --- the integrity index ----------------------------------------------------------------------


async def framework_by_code(
    session: AsyncSession, code: str, *, for_update: bool = False, for_share: bool = False
) -> Framework | None:
    """``for_share``: sheets and computations run side by side but wait for a closure in flight (which takes
    the row ``for_update``), so none of them lands in a period after it closed."""
    query = select(Framework).where(_col(Framework.code) == code)
    if for_update or for_share:
        query = query.with_for_update(read=not for_update)
    return (await session.execute(query)).scalar_one_or_none()


async def frameworks(session: AsyncSession) -> Sequence[Framework]:
    return (await session.execute(select(Framework).order_by(_col(Framework.code)))).scalars().all()


async def subject(session: AsyncSession, subject_id: uuid.UUID) -> Subject | None:
    return await session.get(Subject, subject_id)


async def subject_by_code(session: AsyncSession, kind: SubjectKind, code: str) -> Subject | None:
    query = select(Subject).where(_col(Subject.kind) == kind, _col(Subject.code) == code)
    return (await session.execute(query)).scalar_one_or_none()


async def subjects(
    session: AsyncSession,
    who: Principal,
    *,
    kind: SubjectKind | None,
    region_code: str | None,
    unit_uscc: str | None = None,
    page: PageParams | None = None,
) -> Sequence[Subject]:
    query = _where(
        select(Subject),
        within_regions(Subject.region_code, who.region_prefixes),
        _within(Subject.region_code, region_code),
        _col(Subject.kind) == kind if kind else None,
        _col(Subject.unit_uscc) == unit_uscc if unit_uscc else None,
    )
    if page is not None:
        query = keyset(query, page, _col(Subject.code), _col(Subject.id), descending=False)
    else:
        query = query.order_by(_col(Subject.code), _col(Subject.id))
    return (await session.execute(query)).scalars().all()


def subject_cursor(row: Subject) -> list[str]:
    return [row.code, str(row.id)]


async def sheet(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_id: uuid.UUID, rater: str
) -> Sequence[Score]:
    query = select(Score).where(
        _col(Score.framework_id) == framework_id,
        _col(Score.period) == period,
        _col(Score.subject_id) == subject_id,
        _col(Score.rater) == rater,
    )
    return (await session.execute(query)).scalars().all()


async def scores(
    session: AsyncSession,
    framework_id: uuid.UUID,
    period: str,
    *,
    subject_ids: Sequence[uuid.UUID] | None = None,
) -> Sequence[Score]:
    query = _where(
        select(Score),
        _col(Score.framework_id) == framework_id,
        _col(Score.period) == period,
        _col(Score.subject_id).in_(list(subject_ids)) if subject_ids is not None else None,
    ).order_by(_col(Score.subject_id), _col(Score.rater), _col(Score.indicator))
    return (await session.execute(query)).scalars().all()


async def results_of(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Result]:
    if not subject_ids:
        return {}
    query = select(Result).where(
        _col(Result.framework_id) == framework_id,
        _col(Result.period) == period,
        _col(Result.subject_id).in_(list(subject_ids)),
    )
    return {r.subject_id: r for r in (await session.execute(query)).scalars()}


async def result_by_id(session: AsyncSession, result_id: uuid.UUID) -> tuple[Result, Subject, Framework] | None:
    query = (
        select(Result, Subject, Framework)
        .join(Subject, _col(Subject.id) == _col(Result.subject_id))
        .join(Framework, _col(Framework.id) == _col(Result.framework_id))
        .where(_col(Result.id) == result_id)
    )
    row = (await session.execute(query)).first()
    return (row[0], row[1], row[2]) if row else None


def _sort_value() -> Any:
    return func.coalesce(Result.value, NO_VALUE)


async def results(
    session: AsyncSession,
    who: Principal,
    framework_id: uuid.UUID,
    *,
    period: str,
    grade: str | None,
    region_code: str | None,
    page: PageParams,
) -> Sequence[tuple[Result, Subject]]:
    """Lowest first; results without a value last."""
    sort = _sort_value()
    query = _where(
        select(Result, Subject).join(Subject, _col(Subject.id) == _col(Result.subject_id)),
        _col(Result.framework_id) == framework_id,
        _col(Result.period) == period,
        within_regions(Result.region_code, who.region_prefixes),
        _within(Result.region_code, region_code),
        _col(Result.grade) == grade if grade else None,
    )
    query = keyset(query, page, sort, _col(Result.id), descending=False)
    return [(r, s) for r, s in (await session.execute(query)).all()]


def result_cursor(row: tuple[Result, Subject]) -> list[Any]:
    value = row[0].value
    return [value if value is not None else NO_VALUE, str(row[0].id)]


async def lowest(
    session: AsyncSession, who: Principal, framework_id: uuid.UUID, *, period: str, region_code: str | None, limit: int
) -> Sequence[tuple[Result, Subject]]:
    query = _where(
        select(Result, Subject).join(Subject, _col(Subject.id) == _col(Result.subject_id)),
        _col(Result.framework_id) == framework_id,
        _col(Result.period) == period,
        _col(Result.value).is_not(None),
        within_regions(Result.region_code, who.region_prefixes),
        _within(Result.region_code, region_code),
    ).order_by(_col(Result.value), _col(Result.id))
    return [(r, s) for r, s in (await session.execute(query.limit(limit))).all()]


async def latest_period(session: AsyncSession, who: Principal, framework_id: uuid.UUID) -> str | None:
    query = _where(
        select(Result.period).distinct(),
        _col(Result.framework_id) == framework_id,
        within_regions(Result.region_code, who.region_prefixes),
    )
    found = [p for (p,) in (await session.execute(query)).all()]
    return max(found, key=periods.sort_key) if found else None


async def series(session: AsyncSession, framework_id: uuid.UUID, subject_id: uuid.UUID) -> Sequence[Result]:
    query = select(Result).where(_col(Result.framework_id) == framework_id, _col(Result.subject_id) == subject_id)
    return (await session.execute(query)).scalars().all()


async def peers(
    session: AsyncSession, who: Principal, framework_id: uuid.UUID, *, period: str, peer_group: str | None
) -> Sequence[float]:
    query = _where(
        select(Result.value).join(Subject, _col(Subject.id) == _col(Result.subject_id)),
        _col(Result.framework_id) == framework_id,
        _col(Result.period) == period,
        _col(Result.value).is_not(None),
        within_regions(Result.region_code, who.region_prefixes),
        _col(Subject.peer_group) == peer_group if peer_group else None,
    )
    return [v for (v,) in (await session.execute(query)).all()]


async def entered_units(
    session: AsyncSession, framework_id: uuid.UUID, period: str, subject_id: uuid.UUID
) -> dict[str, str | None]:
    """Per body: the unit that entered its sheet for this subject and period."""
    query = (
        select(Score.rater, Score.entered_unit)
        .where(
            _col(Score.framework_id) == framework_id,
            _col(Score.period) == period,
            _col(Score.subject_id) == subject_id,
        )
        .distinct()
    )
    return {rater: unit for rater, unit in (await session.execute(query)).all()}


# --- evaluating bodies' units, closures -------------------------------------------------------


async def bodies_of_unit(session: AsyncSession, unit_uscc: str, region_code: str) -> set[str]:
    """The bodies ``unit_uscc`` is registered as for a region (registered there or above)."""
    query = select(Rater.body).where(
        _col(Rater.unit_uscc) == unit_uscc, _col(Rater.region_code).in_(_ancestors(region_code))
    )
    return set((await session.execute(query)).scalars())


async def rater(session: AsyncSession, rater_id: uuid.UUID) -> Rater | None:
    return await session.get(Rater, rater_id)


async def rater_exists(session: AsyncSession, body: str, region_code: str, unit_uscc: str) -> bool:
    query = select(Rater.id).where(
        _col(Rater.body) == body, _col(Rater.region_code) == region_code, _col(Rater.unit_uscc) == unit_uscc
    )
    return (await session.execute(query)).first() is not None


async def raters(
    session: AsyncSession, who: Principal, *, region_code: str | None, body: str | None, unit_uscc: str | None
) -> Sequence[Rater]:
    query = _where(
        select(Rater),
        within_regions(Rater.region_code, who.region_prefixes),
        _within(Rater.region_code, region_code),
        _col(Rater.body) == body if body else None,
        _col(Rater.unit_uscc) == unit_uscc if unit_uscc else None,
    ).order_by(_col(Rater.region_code), _col(Rater.body), _col(Rater.unit_uscc))
    return (await session.execute(query)).scalars().all()


async def closures(session: AsyncSession, framework_id: uuid.UUID, *, period: str | None = None) -> Sequence[Closure]:
    query = _where(
        select(Closure), _col(Closure.framework_id) == framework_id, _col(Closure.period) == period if period else None
    ).order_by(_col(Closure.closed_at), _col(Closure.id))
    return (await session.execute(query)).scalars().all()


# --- per-unit, per-month aggregates -----------------------------------------------------------


async def bump_unit(session: AsyncSession, unit_uscc: str, month: str, region_code: str, **counts: int) -> None:
    """Add ``counts`` to the unit's month in ``region_code`` (insert or update in one statement, safe under
    concurrency). Each region keeps its own row: a count belongs to the region it was reported in."""
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    table = UnitMonth.__table__  # type: ignore[attr-defined]
    statement = insert(table).values(unit_uscc=unit_uscc, month=month, region_code=region_code, **counts)
    statement = statement.on_conflict_do_update(
        index_elements=["unit_uscc", "month", "region_code"],
        set_={k: table.c[k] + statement.excluded[k] for k in counts},
    )
    await session.execute(statement)


FIGURES = (
    "warnings_blue",
    "warnings_orange",
    "warnings_red",
    "funds_warnings",
    "complaints",
    "cases_concluded",
    "cases_on_time",
)


async def unit_figures(
    session: AsyncSession, wanted: Iterable[tuple[str, str]], months: Sequence[str]
) -> dict[tuple[str, str], dict[str, int]]:
    """Per (unit, region): the sums of the unit's figures over ``months`` reported in that region or below it
    (figures of the same unit elsewhere are another region's). A pair nothing was reported about is absent,
    never zeros: zeros would score as a clean record."""
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    columns = [func.sum(getattr(UnitMonth, f)).label(f) for f in FIGURES]
    query = _where(
        select(UnitMonth.unit_uscc, UnitMonth.region_code, *columns),
        _col(UnitMonth.unit_uscc).in_(sorted({unit for unit, _ in pairs})),
        _col(UnitMonth.month).in_(list(months)),
        within_regions(UnitMonth.region_code, {region_prefix(region) for _, region in pairs}),
    ).group_by(UnitMonth.unit_uscc, UnitMonth.region_code)
    rows = (await session.execute(query)).all()
    out: dict[tuple[str, str], dict[str, int]] = {}
    for unit, region in pairs:
        mine = [r for r in rows if r.unit_uscc == unit and region_contains(region, r.region_code)]
        if mine:
            out[(unit, region)] = {f: sum(int(r._mapping[f] or 0) for r in mine) for f in FIGURES}
    return out


async def unit_totals(
    session: AsyncSession, unit_uscc: str, months: Sequence[str], prefixes: Iterable[str]
) -> dict[str, int]:
    """The sums of a unit's figures over ``months`` reported within the regions of ``prefixes``."""
    columns = [func.sum(getattr(UnitMonth, f)).label(f) for f in FIGURES]
    query = select(*columns).where(
        _col(UnitMonth.unit_uscc) == unit_uscc,
        _col(UnitMonth.month).in_(list(months)),
        within_regions(UnitMonth.region_code, prefixes),
    )
    row = (await session.execute(query)).one()
    return {f: int(row._mapping[f] or 0) for f in FIGURES}


async def unit_regions(session: AsyncSession, unit_uscc: str, prefixes: Iterable[str]) -> list[str]:
    """The regions (among ``prefixes``, ``Principal.region_prefixes``) where something was reported about a unit."""
    query = (
        select(UnitMonth.region_code)
        .where(_col(UnitMonth.unit_uscc) == unit_uscc, within_regions(UnitMonth.region_code, prefixes))
        .distinct()
    )
    return sorted((await session.execute(query)).scalars().all())
