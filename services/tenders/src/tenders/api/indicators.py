"""Cardinal's red-flag indicators in batch over the caller's tenders."""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import problem_responses

from tenders import batch
from tenders.deps import SessionDep, SettingsDep, TendersReader
from tenders.errors import IndicatorSettingsInvalid, TooManyTenders
from tenders.schemas.findings import IndicatorRunIn, IndicatorRunOut

router = APIRouter(prefix="/v1/tenders/indicators", tags=["indicators"])


@router.post(
    "/run",
    operation_id="runTenderIndicators",
    summary="Run Cardinal's indicators over the tenders in the caller's regions",
    responses=problem_responses(IndicatorSettingsInvalid, TooManyTenders),
)
async def run_indicators(
    body: IndicatorRunIn, session: SessionDep, who: TendersReader, settings: SettingsDep
) -> IndicatorRunOut:
    """Each tender as its OCDS compiled release; results per OCID (and buyer, procuring entity, tenderer) in
    Cardinal's JSON, with Cardinal's INI settings. Writes nothing."""
    return await batch.run_indicators(session, settings, who, body)
