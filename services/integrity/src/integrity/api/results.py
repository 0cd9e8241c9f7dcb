"""One computed integrity index (廉情指数) with its breakdown."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from integrity import results
from integrity.deps import IntegrityReader, SessionDep
from integrity.schemas.assessments import ResultDetail

router = APIRouter(prefix="/v1/integrity/index-results", tags=["integrity index"])


@router.get(
    "/{result_id}", operation_id="getIntegrityIndexResult", summary="A result with its first- and second-level values"
)
async def get_result(result_id: uuid.UUID, session: SessionDep, who: IntegrityReader) -> ResultDetail:
    return await results.get_result(session, who, result_id)
