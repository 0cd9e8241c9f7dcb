"""Dispositions (处置): reminder talks, inquiries, supervision recommendations, direct reviews and cases."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.codes import RegionCode
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import ORDER_DESCRIPTION, Page, SortOrder

from integrity import dispositions
from integrity.deps import IdempotencyKeyDep, IntegrityReader, IntegrityWriter, NowDep, PageDep, SessionDep, SettingsDep
from integrity.errors import DispositionConcluded
from integrity.models import DispositionKind, DispositionStatus
from integrity.schemas.dispositions import (
    ConclusionIn,
    DispositionDetail,
    DispositionFilter,
    DispositionOut,
    DispositionSort,
    ResponseIn,
    StepOut,
)

router = APIRouter(prefix="/v1/integrity/dispositions", tags=["dispositions"])


@router.get("", operation_id="listIntegrityDispositions", summary="Dispositions in the caller's regions, newest first")
async def list_dispositions(
    session: SessionDep,
    who: IntegrityReader,
    page: PageDep,
    settings: SettingsDep,
    now: NowDep,
    status: DispositionStatus | None = None,
    kind: DispositionKind | None = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    region_code: Annotated[RegionCode | None, Query(description="this region and everything below it")] = None,
    warning_id: uuid.UUID | None = None,
    overdue: Annotated[bool | None, Query(description="active and past the deadline")] = None,
    sort: Annotated[DispositionSort, Query(description="the key pages are sorted by (then the id)")] = (
        DispositionSort.OPENED_AT
    ),
    order: Annotated[SortOrder, Query(description=ORDER_DESCRIPTION)] = SortOrder.DESC,
) -> Page[DispositionOut]:
    """Sorted by ``sort`` in ``order``, then by id; every sort key is one a disposition never changes (``deadline``
    is set when it opens), so paging never skips or repeats, and the cursor carries the sort (400 under another).
    ``status=open&sort=deadline&order=asc`` is the work queue, the most urgent first."""
    where = DispositionFilter(
        sort=sort,
        order=order,
        status=status,
        kind=kind,
        assignee=assignee,
        region_code=region_code,
        warning_id=warning_id,
        overdue=overdue,
    )
    return await dispositions.list_dispositions(session, who, where, page, settings=settings, now=now)


@router.get(
    "/{disposition_id}",
    operation_id="getIntegrityDisposition",
    summary="One disposition with its history (the latest 100 steps)",
    responses=problem_responses(NotFound),
)
async def get_disposition(
    session: SessionDep, who: IntegrityReader, settings: SettingsDep, disposition_id: uuid.UUID
) -> DispositionDetail:
    return await dispositions.get_disposition(session, who, disposition_id, settings=settings)


@router.get(
    "/{disposition_id}/steps",
    operation_id="listIntegrityDispositionSteps",
    summary="A disposition's history (处置步骤): who did what and when, oldest first",
    responses=problem_responses(NotFound),
)
async def list_steps(
    session: SessionDep, who: IntegrityReader, page: PageDep, settings: SettingsDep, disposition_id: uuid.UUID
) -> Page[StepOut]:
    """Opened, every response, each overdue escalation, the conclusion; texts are shown decrypted."""
    return await dispositions.list_steps(session, who, disposition_id, page, settings=settings)


@router.post(
    "/{disposition_id}/response",
    operation_id="respondToIntegrityDisposition",
    summary="Record the subject's answer (回复/说明); the disposition is then in progress",
    description="Each answer is a step of the history; the disposition shows the latest. "
    "A concluded disposition takes no more (409 disposition-concluded).",
    responses=problem_responses(NotFound, DispositionConcluded),
)
async def record_response(
    disposition_id: uuid.UUID, body: ResponseIn, session: SessionDep, who: IntegrityWriter, key: IdempotencyKeyDep,
    settings: SettingsDep, now: NowDep,
) -> DispositionOut:  # fmt: skip
    return await dispositions.record_response(session, who, disposition_id, body, settings=settings, now=now, key=key)


@router.post(
    "/{disposition_id}/conclusion",
    operation_id="concludeIntegrityDisposition",
    summary="Conclude a disposition with its outcome; the source service hears of it",
    responses=problem_responses(NotFound, DispositionConcluded),
)
async def conclude(
    disposition_id: uuid.UUID, body: ConclusionIn, session: SessionDep, who: IntegrityWriter, key: IdempotencyKeyDep,
    settings: SettingsDep, now: NowDep,
) -> DispositionOut:  # fmt: skip
    """The warning closes (outcome ``escalated``: it reopens for a stronger disposition), and so does the
    disposition's overdue warning if it had one. ``warnings.disposed.v1`` carries the outcome, with ``freeze``
    released unless ``keep_hold``."""
    return await dispositions.conclude(session, who, disposition_id, body, settings=settings, now=now, key=key)
