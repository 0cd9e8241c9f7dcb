"""Subjects of the integrity index, the evaluating bodies' sheets (测评表) and which unit is which body."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_contains
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from integrity import index
from integrity.errors import (
    InvalidScore,
    NotEvaluatingBody,
    OneUnitOneBody,
    PeriodClosed,
    RaterExists,
    SubjectExists,
    SubjectKindMismatch,
)
from integrity.frameworks import find_framework
from integrity.models import (
    Closure,
    Rater,
    Score,
    Subject,
)
from integrity.repository import assessments as assessments_repo
from integrity.schemas.assessments import (
    AssessmentIn,
    AssessmentOut,
    RaterIn,
    RaterOut,
    ScoreOut,
    SubjectIn,
    SubjectOut,
)

# --- the integrity index: subjects and assessments --------------------------------------------


def closing(closures: Sequence[Closure], region_code: str) -> Closure | None:
    """The closure of a period that covers ``region_code`` (closed there or above), if any."""
    return next((c for c in closures if region_contains(c.region_code, region_code)), None)


async def create_subject(
    session: AsyncSession, who: Principal, body: SubjectIn, *, now: datetime, key: IdempotencyKey | None = None
) -> SubjectOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await assessments_repo.subject_by_code(session, body.kind, body.code):
        raise SubjectExists(f"a {body.kind.value} with code {body.code} exists", field="code")
    subject = Subject(**body.model_dump(), created_at=now, created_by=who.subject)
    session.add(subject)
    await session.flush()
    out = SubjectOut.model_validate(subject)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def visible_subject(session: AsyncSession, who: Principal, subject_id: uuid.UUID) -> Subject:
    return who.visible(await assessments_repo.subject(session, subject_id), "subject")


async def get_subject(session: AsyncSession, who: Principal, subject_id: uuid.UUID) -> SubjectOut:
    return SubjectOut.model_validate(await visible_subject(session, who, subject_id))


async def list_subjects(
    session: AsyncSession,
    who: Principal,
    page: PageParams,
    *,
    kind: Any,
    region_code: str | None,
    unit_uscc: str | None,
) -> Page[SubjectOut]:
    rows = await assessments_repo.subjects(
        session, who, kind=kind, region_code=region_code, unit_uscc=unit_uscc, page=page
    )
    return make_page(rows, page, assessments_repo.subject_cursor, SubjectOut.model_validate)


async def enter_assessment(
    session: AsyncSession, who: Principal, body: AssessmentIn, *, now: datetime, key: IdempotencyKey | None = None
) -> AssessmentOut:
    """Store one evaluating body's sheet (its scores replace the ones it gave before for these indicators).

    Only a principal of that body enters it: the token's unit must be registered as the body for
    the subject's region (or above), and a unit rates a subject as one body only, so the
    framework's ``min_raters`` counts distinct units. A closed period takes no sheets.
    """
    framework = await find_framework(session, body.framework, for_share=True)
    definition = index.Definition.model_validate(framework.definition)
    subject = await assessments_repo.subject(session, body.subject_id)
    if subject is None:
        raise NotFound("no such subject", field="subject_id")
    who.ensure_can_read(subject.region_code, "subject")
    if subject.kind != framework.target:
        raise SubjectKindMismatch(f"{framework.code} assesses {framework.target!s}s", field="subject_id")
    _check_sheet(definition, body)
    if closing(await assessments_repo.closures(session, framework.id, period=body.period), subject.region_code):
        raise PeriodClosed(f"{body.period} is closed for this subject's region", period=body.period)
    unit = (who.unit or "").upper()
    if not unit or body.rater not in await assessments_repo.bodies_of_unit(session, unit, subject.region_code):
        raise NotEvaluatingBody(
            f"only a principal of {body.rater}'s unit for this region enters its sheet", field="rater"
        )
    others = {
        rater
        for rater, entered in (
            await assessments_repo.entered_units(session, framework.id, body.period, subject.id)
        ).items()
        if entered == unit and rater != body.rater
    }
    if others:
        raise OneUnitOneBody(f"this unit rated the subject as {sorted(others)[0]}", rated_as=sorted(others))
    await idempotency.begin(session, who, key)
    existing = {
        s.indicator: s for s in await assessments_repo.sheet(session, framework.id, body.period, subject.id, body.rater)
    }
    for indicator, value in body.scores.items():
        if indicator in existing:
            row = existing[indicator]
            row.score, row.entered_at, row.entered_by, row.entered_unit = value, now, who.subject, unit
        else:
            session.add(
                Score(
                    framework_id=framework.id,
                    period=body.period,
                    subject_id=subject.id,
                    rater=body.rater,
                    indicator=indicator,
                    score=value,
                    entered_by=who.subject,
                    entered_unit=unit,
                    entered_at=now,
                )
            )
    out = AssessmentOut(
        framework=framework.code,
        period=body.period,
        subject_id=subject.id,
        rater=body.rater,
        scores=body.scores,
        entered_at=now,
    )
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


def _check_sheet(definition: index.Definition, body: AssessmentIn) -> None:
    if definition.body(body.rater) is None:
        raise InvalidScore(f"{body.rater} is not an evaluating body of this framework", field="rater")
    for code, value in body.scores.items():
        indicator = definition.indicator(code)
        if indicator is None or indicator.kind != "rated":
            raise InvalidScore(f"{code} is not a rated indicator of this framework", field=f"scores.{code}")
        if indicator.raters is not None and body.rater not in indicator.raters:
            raise InvalidScore(f"{body.rater} does not rate {code}", field=f"scores.{code}")
        if not definition.score_min <= value <= definition.score_max:
            raise InvalidScore(
                f"scores run from {definition.score_min} to {definition.score_max}",
                field=f"scores.{code}",
                score_min=definition.score_min,
                score_max=definition.score_max,
            )


async def list_scores(
    session: AsyncSession, who: Principal, *, framework_code: str, period: str, subject_id: uuid.UUID
) -> list[ScoreOut]:
    framework = await find_framework(session, framework_code)
    subject = await visible_subject(session, who, subject_id)
    rows = await assessments_repo.scores(session, framework.id, period, subject_ids=[subject.id])
    return [ScoreOut.model_validate(r) for r in rows]


# --- the integrity index: evaluating bodies' units --------------------------------------------


async def register_rater(
    session: AsyncSession, who: Principal, body: RaterIn, *, now: datetime, key: IdempotencyKey | None = None
) -> RaterOut:
    """Register a unit as an evaluating body for a region: its principals enter that body's sheets there."""
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await assessments_repo.rater_exists(session, body.body, body.region_code, body.unit_uscc):
        raise RaterExists(f"{body.unit_uscc} is {body.body} in {body.region_code} already", field="unit_uscc")
    rater = Rater(**body.model_dump(), registered_at=now, registered_by=who.subject)
    session.add(rater)
    await session.flush()
    out = RaterOut.model_validate(rater)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_raters(
    session: AsyncSession, who: Principal, *, region_code: str | None, body: str | None, unit_uscc: str | None
) -> list[RaterOut]:
    rows = await assessments_repo.raters(session, who, region_code=region_code, body=body, unit_uscc=unit_uscc)
    return [RaterOut.model_validate(r) for r in rows]


async def remove_rater(session: AsyncSession, who: Principal, rater_id: uuid.UUID) -> None:
    """The unit no longer enters the body's sheets there (the sheets it entered stay)."""
    rater = who.visible(await assessments_repo.rater(session, rater_id), "evaluating body registration")
    await session.delete(rater)
    await session.commit()
