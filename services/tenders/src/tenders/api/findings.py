"""The findings tenders sent to integrity (integrity owns the warnings' state)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sunlight.pagination import Page

from tenders import findings
from tenders.deps import PageDep, SessionDep, TendersReader
from tenders.schemas.findings import FindingOut

router = APIRouter(prefix="/v1/tenders", tags=["findings"])


@router.get("/findings", operation_id="listTenderFindings", summary="Red flags raised, in the caller's regions")
async def list_findings(
    session: SessionDep,
    who: TendersReader,
    page: PageDep,
    tender_id: uuid.UUID | None = None,
    rule_id: Annotated[str | None, Query(max_length=64, pattern=r"^TENDERS-[A-Z0-9-]+$")] = None,
) -> Page[FindingOut]:
    """Each finding as sent to integrity (``warnings.raised.v1``), newest first, with its evidence and how many times
    it was found; its disposition lives in integrity's register."""
    return await findings.list_findings(session, who, page, tender_id=tender_id, rule_id=rule_id)
