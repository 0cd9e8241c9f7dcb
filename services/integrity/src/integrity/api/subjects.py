"""Subjects of the integrity index (评估对象): leadership teams and leading officials."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sunlight.codes import USCC, RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from integrity import assessments, results
from integrity.deps import IdempotencyKeyDep, IntegrityReader, IntegrityWriter, NowDep, PageDep, SessionDep
from integrity.errors import SubjectExists
from integrity.models import SubjectKind
from integrity.schemas.assessments import SubjectIn, SubjectOut, TrendOut

router = APIRouter(prefix="/v1/integrity/subjects", tags=["integrity index"])


@router.post(
    "",
    operation_id="createIntegritySubject",
    status_code=201,
    summary="Register a subject",
    responses=problem_responses(SubjectExists),
)
async def create_subject(
    body: SubjectIn, session: SessionDep, who: IntegrityWriter, key: IdempotencyKeyDep, now: NowDep
) -> SubjectOut:
    return await assessments.create_subject(session, who, body, now=now, key=key)


@router.get("", operation_id="listIntegritySubjects", summary="Subjects in the caller's regions")
async def list_subjects(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    kind: SubjectKind | None = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    unit_uscc: USCC | None = None,
) -> Page[SubjectOut]:
    return await assessments.list_subjects(session, who, page, kind=kind, region_code=region_code, unit_uscc=unit_uscc)


@router.get("/{subject_id}", operation_id="getIntegritySubject", summary="One subject")
async def get_subject(subject_id: uuid.UUID, session: SessionDep, who: IntegrityReader) -> SubjectOut:
    return await assessments.get_subject(session, who, subject_id)


@router.get(
    "/{subject_id}/index",
    operation_id="getIntegritySubjectIndexTrend",
    summary="The subject's index over the periods: trend (slope) and comparison with its peers",
    responses=problem_responses(NotFound),
)
async def trend(
    subject_id: uuid.UUID,
    session: SessionDep,
    who: IntegrityReader,
    framework: Annotated[str, Query(max_length=40, examples=["323-team"])],
    granularity: Annotated[
        Literal["year", "half", "quarter", "month"] | None,
        Query(description="periods of this length (default: the longest the subject has results for)"),
    ] = None,
) -> TrendOut:
    return await results.trend(session, who, subject_id, framework_code=framework, granularity=granularity)
