"""Uploaded process logs (过程日志导入): ``POST /v1/approvals/imports`` takes an XES log (plain or gzip) and its
mapping, and imports it in the background; the import's row is its status (progress, rule counts, error).

The upload is streamed to a temporary file (never held in memory); the mapping is checked before anything is
stored (422 when wrong). The job then runs ``logimport.import_log`` — each chunk of traces one transaction,
with the job's progress written in the same transaction — as the uploader (its regions bound what it writes).
A job cut short by a restart stays ``running`` (or ``queued``) with its last progress, and the chunks it
committed stay. Send the log again (with a new Idempotency-Key: the old one replays the old job): a step
already stored — same region, case number, step and time — is counted in ``steps_known`` and not added
again, and a case with nothing new is not evaluated again, so the second import completes the first.
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
from sunlight.uploads import ImportFormInvalid

from approvals import logimport, repository
from approvals.mapping import Mapping, MappingError, parse_mapping
from approvals.models import LogImport
from approvals.schemas.imports import LogImportOut
from approvals.settings import ApprovalsSettings

log = logging.getLogger("approvals.imports")


def import_out(row: LogImport) -> LogImportOut:
    return LogImportOut.model_validate(row, from_attributes=True)


async def create(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, app: FastAPI, *,
    region_code: str, mapping_text: str, upload: UploadFile, key: str | None,
) -> LogImportOut:  # fmt: skip
    """Store the upload, queue the job (202), and start it once the row is committed. A retry with the same
    Idempotency-Key and the same region, mapping and log replays the first answer (no second job)."""
    who.ensure_can_write(region_code)
    try:
        mapping = parse_mapping(mapping_text)
    except MappingError as exc:
        raise ImportFormInvalid(f"mapping: {exc}", field="/mapping") from None

    def row(spooled: uploads.Spooled) -> LogImport:
        return LogImport(region_code=region_code, mapping=mapping_text, bytes_received=spooled.size,
                         gzip=spooled.gzip, created_by=who.subject)  # fmt: skip

    async def job(job_id: uuid.UUID, path: str) -> None:
        await run(app, job_id, path, mapping, who)

    out: LogImportOut = await uploads.queue(
        session, who, app, upload, key=key, route="POST /v1/approvals/imports", region_code=region_code,
        options=mapping_text, row=row, out=import_out, job=job,
    )  # fmt: skip
    return out


async def run(app: FastAPI, job_id: uuid.UUID, path: str, mapping: Mapping, who: Principal) -> None:
    """The job: import the log chunk by chunk, its progress committed with each chunk; done or failed."""
    settings: ApprovalsSettings = app.state.settings

    async def work(session: AsyncSession, job: LogImport) -> None:
        async def progress(s: AsyncSession, stats: logimport.ImportStats) -> None:
            row = await s.get(LogImport, job_id)
            assert row is not None
            row.traces, row.events_read, row.cases, row.steps, row.steps_known = (
                stats.traces,
                stats.events_read,
                stats.cases,
                stats.steps,
                stats.steps_known,
            )
            row.warnings_raised, row.findings = stats.warnings_raised, dict(stats.findings)

        await logimport.import_log(
            session,
            settings,
            who,
            path,
            mapping,
            region_code=job.region_code,
            traces_per_commit=settings.import_traces_per_commit,
            progress=progress,
        )

    await uploads.run(app, LogImport, job_id, path, work, expected=(MappingError,), log=log)


async def get(session: AsyncSession, who: Principal, import_id: uuid.UUID) -> LogImportOut:
    return import_out(who.visible(await session.get(LogImport, import_id), "import"))


async def list_imports(session: AsyncSession, who: Principal, page: PageParams) -> Page[LogImportOut]:
    rows = await repository.listed_imports(session, who.region_prefixes, page)
    return make_page(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)], import_out)
