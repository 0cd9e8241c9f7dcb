"""OCDS files imported through the API (``POST /v1/tenders/ocds/imports``), stored for the indicators and export.

The upload is streamed to a temporary file (memory up to 8 MiB, then disk; over ``ocds_import_max_bytes``
refused with 413), then read by ``tenders.ocds`` (sniffed: release or record package, JSON Lines or
concatenated JSON, bare releases, compiled or versioned releases; ijson streaming; releases of one ocid
merged with ocdsmerge). Each contracting process is stored under the import's region as its compiled
release with the ids of the releases it merges. Re-importing the same releases changes nothing
(``unchanged``); a process whose release ids are new is replaced by the file's compilation (``updated``).
All or nothing: one commit, with the import's receipt (counts and what was skipped, and why).

The stored processes join the tender registers' in ``POST /v1/tenders/indicators/run`` and are published
again, as an OCDS release package of the compiled release, at ``GET /v1/tenders/ocds/processes/{ocid}``;
``GET /v1/tenders/ocds/processes`` lists them (newest first, optionally those of one import).
"""

from __future__ import annotations

import asyncio
import codecs
import tempfile
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.errors import NotFound, PayloadTooLarge
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from tenders import repository
from tenders.errors import OcdsMalformed, OcdsNotUtf8, OcdsUnknownEncoding, OcdsUnknownFormat
from tenders.models import OcdsImport, OcdsProcess
from tenders.ocds import MalformedJsonError, NotUtf8Error, OcdsImportError, Outcome, Process, export, import_file
from tenders.schemas.ocds import OcdsImportOut, OcdsProcessOut
from tenders.settings import TendersSettings

BATCH = 500
SPOOL_BYTES = 8 * 1024 * 1024


def _release_ids(process: Process) -> list[str]:
    ids = {r["id"] for r in process.releases if isinstance(r.get("id"), str)}
    if not ids and isinstance(process.compiled.get("id"), str):
        ids = {process.compiled["id"]}
    return sorted(ids)


def _problem(exc: OcdsImportError) -> Exception:
    if isinstance(exc, NotUtf8Error):
        return OcdsNotUtf8(exc.detail)
    if isinstance(exc, MalformedJsonError):
        return OcdsMalformed(exc.detail)
    return OcdsUnknownFormat(exc.detail)


async def import_ocds(
    session: AsyncSession,
    settings: TendersSettings,
    who: Principal,
    chunks: AsyncIterator[bytes],
    *,
    region_code: str,
    encoding: str | None,
    key: IdempotencyKey | None,
) -> OcdsImportOut:
    who.ensure_can_write(region_code)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise OcdsUnknownEncoding(f"no such encoding: {encoding}", field="encoding") from None
    await idempotency.begin(session, who, key)
    receipt = OcdsImport(region_code=region_code, status="completed", created_by=who.subject)
    counts = {"bytes": 0, "releases": 0, "records": 0, "processes": 0, "created": 0, "updated": 0, "unchanged": 0}
    outcome = Outcome()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        async for chunk in chunks:
            counts["bytes"] += len(chunk)
            if counts["bytes"] > settings.ocds_import_max_bytes:
                raise PayloadTooLarge(f"an OCDS upload is at most {settings.ocds_import_max_bytes} bytes")
            spool.write(chunk)
        spool.seek(0)
        try:
            _, processes = import_file(spool, encoding=encoding, outcome=outcome)  # type: ignore[arg-type]
            batch: list[Process] = []
            for process in processes:
                batch.append(process)
                if len(batch) == BATCH:
                    await _store(session, region_code, receipt.id, batch, counts)
                    batch.clear()
                    await asyncio.sleep(0)  # let other requests run between batches
            await _store(session, region_code, receipt.id, batch, counts)
        except OcdsImportError as exc:
            raise _problem(exc) from None
    counts.update(releases=outcome.releases, records=outcome.records, processes=outcome.processes)
    receipt.counts = counts
    receipt.skipped = [{"ocid": s.ocid, "reason": s.reason} for s in outcome.skipped[:1000]]
    session.add(receipt)
    await session.flush()
    out = OcdsImportOut.of(receipt)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def _store(
    session: AsyncSession, region_code: str, import_id: uuid.UUID, batch: list[Process], counts: dict[str, int]
) -> None:
    if not batch:
        return
    stored = await repository.ocds_processes(session, region_code, [p.ocid for p in batch])
    now = utcnow()
    for process in batch:
        ids = _release_ids(process)
        row = stored.get(process.ocid)
        if row is None:
            row = OcdsProcess(region_code=region_code, ocid=process.ocid, import_id=import_id, updated_at=now)
            session.add(row)
            stored[process.ocid] = row
            counts["created"] += 1
        elif set(ids) <= set(row.release_ids):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        row.release_ids, row.compiled, row.import_id, row.updated_at = ids, process.compiled, import_id, now
    await session.flush()


async def read_import(session: AsyncSession, who: Principal, import_id: uuid.UUID) -> OcdsImportOut:
    return OcdsImportOut.of(who.visible(await repository.ocds_import(session, import_id), "import"))


async def list_processes(
    session: AsyncSession, who: Principal, page: PageParams, *, import_id: uuid.UUID | None = None
) -> Page[OcdsProcessOut]:
    rows = await repository.ocds_processes_page(session, who.region_prefixes, page, import_id=import_id)
    return make_page(rows, page, lambda p: [p.updated_at.isoformat(), str(p.id)], OcdsProcessOut.of)


async def process_package(session: AsyncSession, who: Principal, ocid: str, *, uri: str) -> dict[str, Any]:
    """An imported process as an OCDS release package of its compiled release."""
    row = await repository.ocds_process_by_ocid(session, who.region_prefixes, ocid)
    if row is None:
        raise NotFound("no such contracting process")
    return export.release_package([row.compiled], uri=uri, published_date=row.updated_at.isoformat())
