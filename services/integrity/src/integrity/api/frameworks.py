"""Integrity index frameworks (廉情指数指标体系), their computation and results."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NationwideOnly, NotFound, problem_responses
from sunlight.pagination import Page, page_sorted

from integrity import frameworks, results
from integrity.deps import (
    IdempotencyKeyDep,
    IntegrityNationalAdmin,
    IntegrityReader,
    IntegrityWriter,
    NowDep,
    PageDep,
    SessionDep,
    SettingsDep,
)
from integrity.errors import FrameworkExists
from integrity.periods import PATTERN as PERIOD
from integrity.schemas.assessments import (
    ComputationIn,
    ComputationOut,
    FrameworkIn,
    FrameworkOut,
    FrameworkReplace,
    ResultOut,
)

router = APIRouter(prefix="/v1/integrity/frameworks", tags=["integrity index"])


@router.get(
    "",
    operation_id="listIntegrityFrameworks",
    summary="The frameworks (the default 323-team and 323-individual included)",
)
async def list_frameworks(session: SessionDep, _who: IntegrityReader, page: PageDep) -> Page[FrameworkOut]:
    """By ``code`` (unique and never changed: pages never skip or repeat)."""
    return page_sorted(await frameworks.list_frameworks(session), page, lambda f: (f.code,), lambda f: f, (str,))


@router.post(
    "",
    operation_id="createIntegrityFramework",
    status_code=201,
    summary="Create a framework",
    responses=problem_responses(FrameworkExists, NationwideOnly),
)
async def create_framework(
    body: FrameworkIn, session: SessionDep, who: IntegrityNationalAdmin, key: IdempotencyKeyDep, now: NowDep
) -> FrameworkOut:
    """A framework (weights, bodies, cut-offs, baseline period) is deployment-wide: ``integrity:admin`` on a
    nationwide token (region ``000000``)."""
    return await frameworks.create_framework(session, who, body, now=now, key=key)


@router.get(
    "/{code}",
    operation_id="getIntegrityFramework",
    summary="One framework with its indicators, bodies, weights and cut-offs",
)
async def get_framework(code: str, session: SessionDep, _who: IntegrityReader) -> FrameworkOut:
    return await frameworks.get_framework(session, code)


@router.put(
    "/{code}",
    operation_id="replaceIntegrityFramework",
    summary="Replace a framework's definition (a new version)",
    responses=problem_responses(NotFound, NationwideOnly),
)
async def replace_framework(
    code: str, body: FrameworkReplace, session: SessionDep, who: IntegrityNationalAdmin, now: NowDep
) -> FrameworkOut:
    """Weights, templates and the baseline period apply to every region: ``integrity:admin`` on a nationwide
    token (region ``000000``)."""
    return await frameworks.replace_framework(session, who, code, body, now=now)


@router.post(
    "/{code}/computations",
    operation_id="computeIntegrityIndex",
    status_code=201,
    summary="Compute the index of every subject in the caller's regions for a period",
    responses=problem_responses(NotFound),
)
async def compute(
    code: str,
    body: ComputationIn,
    session: SessionDep,
    who: IntegrityWriter,
    key: IdempotencyKeyDep,
    settings: SettingsDep,
    now: NowDep,
) -> ComputationOut:
    """An absolute index: the bodies' scores on 0–100 (optionally corrected for leniency against a closed
    baseline), indicators need ``min_raters`` bodies, values aggregate level by level; a subject with too
    little is not assessed. Each result is announced as ``integrity.index.computed.v1``, and a newly
    graded subject (below a cut-off) raises INTEGRITY-INDEX-A/B/C. Closed regions keep their results."""
    return await results.compute_index(session, who, code, body, settings=settings, now=now, key=key)


@router.get(
    "/{code}/results",
    operation_id="listIntegrityIndexResults",
    summary="Results of a period, lowest index first",
    responses=problem_responses(NotFound),
)
async def list_results(
    code: str,
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    period: Annotated[str, Query(pattern=PERIOD, examples=["2026"])],
    grade: Literal["A", "B", "C"] | None = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
) -> Page[ResultOut]:
    return await results.list_results(session, who, code, page, period=period, grade=grade, region_code=region_code)
