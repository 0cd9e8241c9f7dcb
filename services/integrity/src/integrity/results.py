"""Computing the integrity index, closing periods, results and a subject's trend (the arithmetic is index.py)."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_contains, region_prefix
from sunlight.errors import NotFound
from sunlight.events import add_event
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page
from sunlight.warnings import Level

from integrity import events, index, periods
from integrity.assessments import closing, visible_subject
from integrity.errors import (
    PeriodClosed,
)
from integrity.frameworks import find_framework
from integrity.models import (
    Closure,
    Framework,
    Result,
    Subject,
)
from integrity.repository import assessments as assessments_repo
from integrity.repository import units as units_repo
from integrity.schemas.assessments import (
    ClosureIn,
    ClosureOut,
    ComputationIn,
    ComputationOut,
    PeerComparison,
    ResultDetail,
    ResultOut,
    SubjectOut,
    TrendOut,
    TrendPoint,
)
from integrity.settings import IntegritySettings

# --- the integrity index: computation, closures and results -----------------------------------


def _baseline(
    definition: index.Definition, closures: Sequence[Closure], period: str, region_code: str
) -> Closure | None:
    """Leniency correction: the closed period whose frozen leniency applies to a subject of ``region_code`` —
    the framework's ``baseline_period`` or else the latest closed period before ``period``, closed for the
    subject's region (the nearest region first)."""
    before = periods.sort_key(period)
    candidates = [
        c
        for c in closures
        if region_contains(c.region_code, region_code)
        and (
            c.period == definition.baseline_period
            if definition.baseline_period
            else periods.sort_key(c.period) < before
        )
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (periods.sort_key(c.period)[0], len(region_prefix(c.region_code))))


def _offsets(closure: Closure | None) -> dict[str, index.Leniency] | None:
    if closure is None:
        return None
    return {body: index.Leniency(v["offset"], v["subjects"]) for body, v in closure.leniency.items()}


def result_out(result: Result, subject: Subject, framework_code: str, closures: Sequence[Closure]) -> ResultOut:
    return ResultOut(
        id=result.id,
        framework=framework_code,
        period=result.period,
        subject_id=subject.id,
        subject_label=subject.label,
        region_code=result.region_code,
        unit_uscc=result.unit_uscc,
        status="assessed" if result.value is not None else "not_assessed",
        value=result.value,
        se=result.se,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        grade=result.grade,  # type: ignore[arg-type]
        colour=index.COLOURS.get(result.grade) if result.grade else None,
        reliability=result.reliability,
        raters=result.raters,
        raw_value=result.raw_value,
        coverage=result.coverage,
        published=closing([c for c in closures if c.period == result.period], result.region_code) is not None,
        computed_at=result.computed_at,
    )


async def _compute(
    session: AsyncSession,
    who: Principal,
    framework: Framework,
    *,
    period: str,
    region_code: str | None,
    settings: IntegritySettings,
    now: datetime,
) -> ComputationOut:
    """Compute (without committing) the index of every subject of the framework's kind in the caller's regions
    (or ``region_code``) for a period, except where the period is closed; announce the results and warn about
    newly graded subjects."""
    definition = index.Definition.model_validate(framework.definition)
    closures = await assessments_repo.closures(session, framework.id)
    closed_now = [c for c in closures if c.period == period]
    subjects = await assessments_repo.subjects(session, who, kind=framework.target, region_code=region_code)
    published = [s for s in subjects if closing(closed_now, s.region_code)]
    subjects = [s for s in subjects if not closing(closed_now, s.region_code)]
    by_subject: dict[uuid.UUID, list[index.RatedScore]] = defaultdict(list)
    for s in await assessments_repo.scores(session, framework.id, period, subject_ids=[s.id for s in subjects]):
        by_subject[s.subject_id].append((s.rater, s.indicator, s.score))
    units = {(s.unit_uscc, s.region_code) for s in subjects if s.unit_uscc}  # a unit's figures in its region
    figures = await units_repo.unit_figures(session, units, periods.months(period))
    earlier = await assessments_repo.results_of(session, framework.id, period, [s.id for s in subjects])
    outs: list[ResultOut] = []
    graded: dict[str, int] = {g: 0 for g in index.GRADES}
    for subject in subjects:
        # nothing reported about the unit in the period: no figures (never zeros, which would score as clean)
        data = figures.get((subject.unit_uscc, subject.region_code)) if subject.unit_uscc else None
        baseline = (
            _baseline(definition, closures, period, subject.region_code) if definition.leniency_correction else None
        )
        value = index.compute(definition, scores=by_subject[subject.id], data=data, offsets=_offsets(baseline))
        result = earlier.get(subject.id)
        previous_grade = result.grade if result else None
        if result is None:
            result = Result(framework_id=framework.id, period=period, subject_id=subject.id, computed_by="")
            session.add(result)
        result.region_code, result.unit_uscc = subject.region_code, subject.unit_uscc
        result.value, result.se, result.ci_low, result.ci_high = value.value, value.se, value.ci_low, value.ci_high
        result.grade, result.coverage, result.raw_value = value.grade, value.coverage, value.raw_value
        result.reliability, result.raters = value.reliability, value.raters
        result.breakdown = {
            "framework_version": framework.version,
            "baseline_period": baseline.period if baseline else None,
            "leniency": {
                "enabled": definition.leniency_correction,
                "applied": value.corrected,
                "baseline_region": baseline.region_code if baseline else None,
                "offsets": baseline.leniency if baseline else {},
            },
            **value.breakdown(),
        }
        result.computed_at, result.computed_by = now, who.subject
        await session.flush()
        add_event(session, events.index_computed(result, subject, framework))
        if result.grade is not None:
            graded[result.grade] += 1
            if result.grade != previous_grade:
                level = Level(settings.index_grade_levels[result.grade])
                cutoff = getattr(definition.cutoffs, result.grade)
                add_event(session, events.index_warning(result, subject, framework, level=level, cutoff=cutoff, at=now))
        outs.append(result_out(result, subject, framework.code, closures))
    return ComputationOut(
        framework=framework.code,
        period=period,
        computed=len(outs),
        with_value=sum(1 for o in outs if o.value is not None),
        published=len(published),
        graded=graded,
        reliability=index.population_agreement(definition, by_subject),
        results=outs,
    )


async def compute_index(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    body: ComputationIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> ComputationOut:
    """Compute the index of every subject of the framework's kind in the caller's regions (or ``region_code``)
    for a period; store the results, announce them, and warn about newly graded subjects. Subjects whose
    region closed the period keep their published results."""
    framework = await find_framework(session, framework_code, for_share=True)
    if body.region_code:
        who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    out = await _compute(
        session, who, framework, period=body.period, region_code=body.region_code, settings=settings, now=now
    )
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def close_period(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    body: ClosureIn,
    *,
    settings: IntegritySettings,
    now: datetime,
    key: IdempotencyKey | None = None,
) -> ClosureOut:
    """Close a period in a region: compute its results a last time and publish them as they stand. Later
    sheets are refused and later computations leave them alone; the bodies' leniency measured on the
    period's scores in the region is frozen with it (the baseline of later periods)."""
    who.ensure_can_write(body.region_code)
    framework = await find_framework(session, framework_code, for_update=True)
    definition = index.Definition.model_validate(framework.definition)
    await idempotency.begin(session, who, key)
    if covering := closing(
        await assessments_repo.closures(session, framework.id, period=body.period), body.region_code
    ):
        raise PeriodClosed(f"{body.period} is closed in {covering.region_code}", period=body.period)
    await _compute(
        session, who, framework, period=body.period, region_code=body.region_code, settings=settings, now=now
    )
    subjects = await assessments_repo.subjects(session, who, kind=framework.target, region_code=body.region_code)
    sheets: dict[uuid.UUID, list[index.RatedScore]] = defaultdict(list)
    for s in await assessments_repo.scores(session, framework.id, body.period, subject_ids=[s.id for s in subjects]):
        sheets[s.subject_id].append((s.rater, s.indicator, s.score))
    closure = Closure(
        framework_id=framework.id,
        period=body.period,
        region_code=body.region_code,
        framework_version=framework.version,
        subjects=len(sheets),
        leniency={
            b: {"offset": v.offset, "subjects": v.subjects} for b, v in index.leniency(definition, sheets).items()
        },
        closed_at=now,
        closed_by=who.subject,
    )
    session.add(closure)
    await session.flush()
    out = _closure_out(closure, framework.code)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


def _closure_out(closure: Closure, framework_code: str) -> ClosureOut:
    return ClosureOut(
        id=closure.id,
        framework=framework_code,
        period=closure.period,
        region_code=closure.region_code,
        framework_version=closure.framework_version,
        subjects=closure.subjects,
        leniency=closure.leniency,
        closed_at=closure.closed_at,
        closed_by=closure.closed_by,
    )


async def list_closures(session: AsyncSession, who: Principal, framework_code: str) -> list[ClosureOut]:
    """The framework's closed periods in the caller's regions (and the closures above them that cover them)."""
    framework = await find_framework(session, framework_code)
    return [
        _closure_out(c, framework.code)
        for c in await assessments_repo.closures(session, framework.id)
        if who.sees_region(c.region_code) or any(region_contains(c.region_code, own) for own in who.regions)
    ]


async def list_results(
    session: AsyncSession,
    who: Principal,
    framework_code: str,
    page: PageParams,
    *,
    period: str,
    grade: str | None,
    region_code: str | None,
) -> Page[ResultOut]:
    framework = await find_framework(session, framework_code)
    rows = await assessments_repo.results(
        session, who, framework.id, period=period, grade=grade, region_code=region_code, page=page
    )
    closures = await assessments_repo.closures(session, framework.id, period=period)
    return make_page(
        rows, page, assessments_repo.result_cursor, lambda row: result_out(row[0], row[1], framework.code, closures)
    )


async def get_result(session: AsyncSession, who: Principal, result_id: uuid.UUID) -> ResultDetail:
    found = await assessments_repo.result_by_id(session, result_id)
    if found is None:
        raise NotFound("no such result")
    result, subject, framework = found
    who.ensure_can_read(result.region_code, "result")
    breakdown = dict(result.breakdown)
    closures = await assessments_repo.closures(session, framework.id, period=result.period)
    return ResultDetail(
        **result_out(result, subject, framework.code, closures).model_dump(),
        framework_version=breakdown.pop("framework_version", framework.version),
        baseline_period=breakdown.pop("baseline_period", None),
        breakdown=breakdown,
    )


async def trend(
    session: AsyncSession, who: Principal, subject_id: uuid.UUID, *, framework_code: str, granularity: str | None
) -> TrendOut:
    """The subject's own index over periods of one length (``granularity``, default: the longest it has): its
    change and slope in index points, and the gap to its peers' mean in the latest period."""
    subject = await visible_subject(session, who, subject_id)
    framework = await find_framework(session, framework_code)
    definition = index.Definition.model_validate(framework.definition)
    rows = sorted(
        await assessments_repo.series(session, framework.id, subject.id), key=lambda r: periods.sort_key(r.period)
    )
    if granularity is None and rows:
        granularity = min((periods.granularity(r.period) for r in rows), key=periods.GRANULARITIES.index)
    rows = [r for r in rows if periods.granularity(r.period) == granularity]
    points = [
        TrendPoint(
            period=r.period, value=r.value, ci_low=r.ci_low, ci_high=r.ci_high, grade=r.grade, reliability=r.reliability
        )
        for r in rows
    ]
    valued = [r for r in rows if r.value is not None]
    change = beyond = None
    if len(valued) > 1:
        last, before = valued[-1], valued[-2]
        assert last.value is not None and before.value is not None
        change = last.value - before.value
        noise = definition.ci_z * math.sqrt((last.se or 0.0) ** 2 + (before.se or 0.0) ** 2)
        beyond = abs(change) > noise
    comparison = None
    if rows:
        last_row = rows[-1]
        peer_values = await assessments_repo.peers(
            session, who, framework.id, period=last_row.period, peer_group=subject.peer_group
        )
        mean = sum(peer_values) / len(peer_values) if peer_values else None
        comparison = PeerComparison(
            period=last_row.period,
            peer_group=subject.peer_group,
            peers=len(peer_values),
            peer_mean=mean,
            gap=last_row.value - mean if last_row.value is not None and mean is not None else None,
        )
    return TrendOut(
        subject=SubjectOut.model_validate(subject),
        framework=framework.code,
        granularity=granularity,
        points=points,
        slope=index.slope([r.value for r in valued if r.value is not None]),
        change=change,
        change_beyond_noise=beyond,
        peers=comparison,
    )
