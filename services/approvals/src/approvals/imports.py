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

import asyncio
import hashlib
import logging
import os
import tempfile
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page
from sunlight.workdays import CalendarNotCovered
from sunlight.xes import XesError

from approvals import logimport, repository
from approvals.errors import ImportFormInvalid
from approvals.mapping import Mapping, MappingError, parse_mapping
from approvals.models import LogImport
from approvals.schemas.imports import LogImportOut
from approvals.settings import ApprovalsSettings

log = logging.getLogger("approvals.imports")
GZIP_MAGIC = b"\x1f\x8b"


def import_out(row: LogImport) -> LogImportOut:
    return LogImportOut.model_validate(row, from_attributes=True)


def _spool(upload: UploadFile) -> tuple[str, int, bool, str]:
    """Copy the uploaded log to a file of our own (the request's spool goes with the request); its size, whether
    it is gzip, and its SHA-256."""
    fd, path = tempfile.mkstemp(prefix="approvals-import-", suffix=".xes")
    digest = hashlib.sha256()
    with os.fdopen(fd, "wb") as target:
        upload.file.seek(0)
        while block := upload.file.read(1024 * 1024):
            digest.update(block)
            target.write(block)
        size = target.tell()
    with open(path, "rb") as source:
        gz = source.read(2) == GZIP_MAGIC
    return path, size, gz, digest.hexdigest()


def fingerprint(region_code: str, mapping_text: str, log_sha256: str) -> str:
    """What makes two uploads the same request: the region, the mapping and the log's bytes (not the form's
    boundary, which a client draws anew on every retry)."""
    mapping_sha256 = hashlib.sha256(mapping_text.encode()).hexdigest()
    return hashlib.sha256(
        f"POST /v1/approvals/imports\n{region_code}\n{mapping_sha256}\n{log_sha256}".encode()
    ).hexdigest()


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
    path, size, gz, log_sha256 = await asyncio.to_thread(_spool, upload)
    try:
        claim = IdempotencyKey(key=key, fingerprint=fingerprint(region_code, mapping_text, log_sha256)) if key else None
        await idempotency.begin(session, who, claim)
        row = LogImport(region_code=region_code, mapping=mapping_text, bytes_received=size, gzip=gz,
                        created_by=who.subject)  # fmt: skip
        session.add(row)
        await session.flush()
        out = import_out(row)
        await idempotency.complete(session, who, claim, 202, out)
        await session.commit()
    except BaseException:
        os.unlink(path)
        raise
    tasks: set[asyncio.Task[Any]] | None = getattr(app.state, "approvals_imports", None)
    if tasks is None:  # the running imports, held so that they are not garbage-collected mid-way
        tasks = app.state.approvals_imports = set()
    task = asyncio.create_task(run(app, row.id, path, mapping, who), name=f"approvals-import-{row.id}")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return out


async def run(app: FastAPI, job_id: uuid.UUID, path: str, mapping: Mapping, who: Principal) -> None:
    """The job: import the log chunk by chunk, its progress committed with each chunk; done or failed."""
    settings: ApprovalsSettings = app.state.settings
    error: str | None = None
    try:
        async with app.state.db.sessions() as session:
            job = await session.get(LogImport, job_id)
            assert job is not None
            job.status, job.started_at = "running", utcnow()
            region_code = job.region_code
            await session.commit()

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

            chunk = settings.import_traces_per_commit
            await logimport.import_log(
                session,
                settings,
                who,
                path,
                mapping,
                region_code=region_code,
                traces_per_commit=chunk,
                progress=progress,
            )
    except (XesError, MappingError, ValueError) as exc:
        error = str(exc).replace(os.path.basename(path), "log")[:2000]  # the server's file name is not the client's
    except CalendarNotCovered as exc:
        error = str(exc.detail)[:2000]
    except Exception:  # a defect: logged with its trace, the job says only that it failed
        log.exception("import %s failed", job_id)
        error = "the import failed on an internal error (logged)"
    finally:
        os.unlink(path)
    async with app.state.db.sessions() as session:
        job = await session.get(LogImport, job_id)
        assert job is not None
        job.status, job.error, job.finished_at = ("failed" if error else "done"), error, utcnow()
        await session.commit()


async def get(session: AsyncSession, who: Principal, import_id: uuid.UUID) -> LogImportOut:
    return import_out(who.visible(await session.get(LogImport, import_id), "import"))


async def list_imports(session: AsyncSession, who: Principal, page: PageParams) -> Page[LogImportOut]:
    rows = await repository.listed_imports(session, who.region_prefixes, page)
    return make_page(rows, page, lambda r: [r.created_at.isoformat(), str(r.id)], import_out)
