"""Running the periodic rules now, and re-wrapping data keys after a key-ring rotation."""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import NationwideOnly, problem_responses

from complaints import keys, scans
from complaints.deps import ComplaintsNationalAdmin, SessionDep, SettingsDep
from complaints.errors import FutureScan
from complaints.schemas.reports import RewrapOut, ScanIn, ScanOut

router = APIRouter(prefix="/v1/complaints", tags=["operations"])


@router.post(
    "/scans",
    operation_id="runComplaintsScans",
    summary="Run the periodic rules now (late acceptance, late conclusion, retention)",
    responses=problem_responses(FutureScan, NationwideOnly),
)
async def run_scans(body: ScanIn, session: SessionDep, who: ComplaintsNationalAdmin, settings: SettingsDep) -> ScanOut:
    """The scan the service runs every ``scan_every_seconds``, over every region; ``as_of`` may lie in the
    past. Needs ``complaints:admin`` on a nationwide token (region ``000000``)."""
    return await scans.scan_now(session, settings, as_of=body.as_of)


@router.post(
    "/keys/rewrap",
    operation_id="rewrapComplaintsKeys",
    summary="Re-wrap reports' data keys with the key ring's current key",
    responses=problem_responses(NationwideOnly),
)
async def rewrap(session: SessionDep, who: ComplaintsNationalAdmin, settings: SettingsDep) -> RewrapOut:
    """After a new key is put first in ``SUNLIGHT_ENCRYPTION_KEYS``: up to 1,000 keys per call; call again
    until ``rewrapped`` is 0, then the old key may be removed."""
    return await keys.rewrap_all(session, settings)
