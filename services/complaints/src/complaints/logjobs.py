"""Uploaded lifecycle logs: ``POST /v1/complaints/imports`` takes an XES log (plain or gzip) and imports it in
the background with ``logimport.import_log``; the import's row is its status (progress, counts, error).

The upload is streamed to a temporary file (``sunlight.uploads``), the job runs as the uploader (its regions
bound what it writes), each chunk of cases one transaction with the job's progress. A job cut short by a
restart stays ``running`` with its last progress and its committed chunks; sending the log again (with a new
Idempotency-Key) skips the cases already imported, so the second import completes the first.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from sunlight import uploads
from sunlight.auth import Principal
from sunlight.pagination import Page, PageParams, make_page

from complaints import logimport, repository
from complaints.models import LogImport
from complaints.schemas.imports import LogImportOut
from complaints.settings import ComplaintsSettings

log = logging.getLogger("complaints.imports")


def import_out(row: LogImport) -> LogImportOut:
    return LogImportOut.model_validate(row, from_attributes=True)


async def create(
    session: AsyncSession, who: Principal, app: FastAPI, *, region_code: str, due_days: int | None,
    upload: UploadFile, key: str | None,
) -> LogImportOut:  # fmt: skip
    """Store the upload, queue the job (202), and start it once the row is committed. A retry with the same
    Idempotency-Key and the same region, ``due_days`` and log replays the first answer (no second job)."""
    who.ensure_can_write(region_code)

    def row(spooled: uploads.Spooled) -> LogImport:
        return LogImport(region_code=region_code, due_days=due_days, bytes_received=spooled.size, gzip=spooled.gzip,
                         created_by=who.subject)  # fmt: skip

    async def job(job_id: uuid.UUID, path: str) -> None:
        await run(app, job_id, path, who)

    out: LogImportOut = await uploads.queue(
        session, who, app, upload, key=key, route="POST /v1/complaints/imports", region_code=region_code,
        options=f"due_days={due_days}", row=row, out=import_out, job=job,
    )  # fmt: skip
    return out


async def run(app: FastAPI, job_id: uuid.UUID, path: str, who: Principal) -> None:
    """The job: import the log chunk by chunk, its progress committed with each chunk; done or failed."""
    settings: ComplaintsSettings = app.state.settings

    async def progress(session: AsyncSession, stats: logimport.LogStats) -> None:
        row = await session.get(LogImport, job_id)
        assert row is not None
        row.cases, row.imported, row.skipped, row.handoffs = stats.cases, stats.imported, stats.skipped, stats.handoffs
        row.late, row.handed_around = dict(stats.late), dict(stats.handed_around)
        row.warnings_raised = stats.events

    async def work(session: AsyncSession, job: LogImport) -> None:
        await logimport.import_log(
            session, settings, who, path, region_code=job.region_code, due_days=job.due_days,
            max_traces=settings.import_max_traces, per_commit=settings.import_traces_per_commit, progress=progress,
        )  # fmt: skip

    await uploads.run(app, LogImport, job_id, path, work, log=log)


async def get(session: AsyncSession, who: Principal, import_id: uuid.UUID) -> LogImportOut:
    return import_out(who.visible(await session.get(LogImport, import_id), "import"))


async def list_imports(session: AsyncSession, who: Principal, page: PageParams) -> Page[LogImportOut]:
    rows = await repository.listed_imports(session, who.region_prefixes, page)
    return make_page(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)], import_out)
