"""Assessments (测评): the evaluating bodies' scores of the rated indicators."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page, page_sorted

from integrity import assessments
from integrity.deps import IdempotencyKeyDep, IntegrityReader, IntegrityWriter, NowDep, PageDep, SessionDep
from integrity.errors import InvalidScore, NotEvaluatingBody, OneUnitOneBody, PeriodClosed, SubjectKindMismatch
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.assessments import AssessmentIn, AssessmentOut, ScoreOut

router = APIRouter(prefix="/v1/integrity/assessments", tags=["integrity index"])


@router.post(
    "",
    operation_id="enterIntegrityAssessment",
    status_code=201,
    summary="Enter one evaluating body's sheet for a subject and period",
    responses=problem_responses(
        NotFound, InvalidScore, SubjectKindMismatch, NotEvaluatingBody, OneUnitOneBody, PeriodClosed
    ),
)
async def enter_assessment(
    body: AssessmentIn, session: SessionDep, who: IntegrityWriter, key: IdempotencyKeyDep, now: NowDep
) -> AssessmentOut:
    """Only a principal of the body enters its sheet: the token's unit must be registered as that body for
    the subject's region (``/v1/integrity/evaluating-bodies``), and a unit rates a subject as one body only.
    Every score must be on the framework's scale, for a rated indicator the body may rate; a sheet entered
    again replaces that body's earlier scores of the same indicators. A closed period takes no sheets."""
    return await assessments.enter_assessment(session, who, body, now=now, key=key)


@router.get(
    "",
    operation_id="listIntegrityAssessments",
    summary="The scores a subject received in a period",
    responses=problem_responses(NotFound),
)
async def list_scores(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    framework: Annotated[str, Query(max_length=40)],
    period: Annotated[str, Query(pattern=PERIOD)],
    subject_id: uuid.UUID,
) -> Page[ScoreOut]:
    """By evaluating body, then indicator (a subject has one score per body and indicator in a period, so
    pages never skip or repeat; a score entered again replaces its value in place)."""
    scores = await assessments.list_scores(session, who, framework_code=framework, period=period, subject_id=subject_id)
    return page_sorted(scores, page, lambda s: (s.rater, s.indicator), lambda s: s, (str, str))
