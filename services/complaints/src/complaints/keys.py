"""Re-wrapping reports' data keys with the key ring's current key (after a rotation)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from complaints import repository, vault
from complaints.schemas.reports import RewrapOut
from complaints.settings import ComplaintsSettings

BATCH = 1000


async def rewrap_all(session: AsyncSession, settings: ComplaintsSettings) -> RewrapOut:
    ring = settings.cipher
    done = 0
    for row in await repository.keys_to_rewrap(session, ring.current, BATCH):
        wrapped = vault.rewrap(row.report_id, row.wrapped, ring)
        if wrapped is not None:
            row.wrapped = wrapped
            done += 1
    await session.commit()
    return RewrapOut(rewrapped=done, current_key_id=ring.current)
