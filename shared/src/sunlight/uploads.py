"""Uploaded files imported in the background (a service's ``POST …/imports``): the streamed multipart form,
the upload's Idempotency-Key, the spooled copy, and the job whose row is its status resource.

A service keeps its own job table (what it counts differs) with the columns ``id``, ``status``, ``error``,
``started_at`` and ``finished_at``; ``queue`` stores the row and starts the job, ``run`` marks it running,
calls the service's work and records ``done`` or ``failed`` with a reason that never names the server's file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import tempfile
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.enums import DescribedEnum
from sunlight.errors import BadRequest, InvalidInput, PayloadTooLarge, Problem
from sunlight.idempotency import IdempotencyKey
from sunlight.workdays import CalendarNotCovered
from sunlight.xes import XesError

GZIP_MAGIC = b"\x1f\x8b"
FIELD_MAX = 256 * 1024  # a text field of the form (a mapping is a page of TOML)
INTERNAL = "the import failed on an internal error (logged)"


class ImportTooLarge(PayloadTooLarge):
    """The uploaded log is larger than ``import_max_bytes``."""

    slug, title = "import-too-large", "The upload exceeds the import limit"


class UnsupportedImportFormat(Problem):
    slug, title, status = "unsupported-import-format", "Send multipart/form-data with the log and its options", 415


class ImportFormInvalid(InvalidInput):
    """The upload is not the form the route takes (its fields and one ``log`` file), or a field is wrong."""

    slug, title = "import-form-invalid", "The upload needs a log and valid options"


class ImportStatus(DescribedEnum):
    """Where an import stands."""

    QUEUED = "queued", "received, not started"
    RUNNING = "running", "being imported (progress is committed chunk by chunk)"
    DONE = "done", "imported"
    FAILED = "failed", "stopped; error says why"


class Job(Protocol):
    id: uuid.UUID
    status: str
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


J = TypeVar("J", bound=Job)
_UPLOAD_KEY = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')


async def upload_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Makes retries of this upload safe: the same key with the same log, options and region "
            "replays the first answer for 24 h.",
        ),
    ] = None,
) -> str | None:
    """The Idempotency-Key of a streamed upload, checked but not fingerprinted: the common dependency reads the
    whole body to fingerprint it (and a multipart body's boundary differs on every retry); the upload is
    fingerprinted by what it carries once it is spooled (``fingerprint``)."""
    if idempotency_key is None:
        return None
    match = _UPLOAD_KEY.match(idempotency_key.strip())
    if not match:
        raise BadRequest("Idempotency-Key must be 1–255 printable characters", field="Idempotency-Key")
    return match.group(1)


UploadKeyDep = Annotated[str | None, Depends(upload_idempotency_key)]


def form_body(**fields: str) -> dict[str, Any]:
    """The route's ``openapi_extra``: a required ``multipart/form-data`` body of a ``log`` file and the text
    ``fields`` (name → description), all required (what ``read_upload`` parses)."""
    properties: dict[str, Any] = {name: {"type": "string", "description": text} for name, text in fields.items()}
    properties["log"] = {"type": "string", "format": "binary", "description": "the XES log, plain or gzip"}
    schema = {"type": "object", "required": [*fields, "log"], "properties": properties}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


async def _bounded(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    async for chunk in request.stream():
        limit -= len(chunk)
        if limit < 0:
            raise ImportTooLarge("the upload exceeds the import limit")
        yield chunk


async def read_upload(
    request: Request, limit: int, *, fields: Sequence[str] = (), required: Sequence[str] = ()
) -> tuple[dict[str, str], UploadFile]:
    """A ``multipart/form-data`` upload of a ``log`` (file) and text ``fields`` (``required`` ones non-blank),
    parsed as it streams in: the log is spooled to a temporary file (on disk past 1 MiB), the whole refused past
    ``limit`` bytes. An unknown field is refused."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedImportFormat(f"send multipart/form-data, not {media or 'no content type'}")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ImportTooLarge(f"the upload exceeds {limit} bytes", max_bytes=limit)
    parser = MultiPartParser(
        request.headers, _bounded(request, limit), max_files=1, max_fields=len(fields), max_part_size=FIELD_MAX
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ImportFormInvalid(str(exc)) from None
    texts: dict[str, str] = {}
    for name, value in form.multi_items():
        if name == "log":
            continue
        if name not in fields or not isinstance(value, str):
            raise ImportFormInvalid(f"the form has no field {name[:40]!r} (it takes {', '.join(fields) or 'none'})")
        texts[name] = value
    for name in required:
        if not texts.get(name, "").strip():
            raise ImportFormInvalid(f"the form has no {name} (a text field)", field=f"/{name}")
    log = form.get("log")
    if not isinstance(log, UploadFile):
        raise ImportFormInvalid("the form has no log (a file field)", field="/log")
    return texts, log


@dataclass(frozen=True, slots=True)
class Spooled:
    path: str
    size: int
    gzip: bool
    sha256: str


def spool(upload: UploadFile, prefix: str) -> Spooled:
    """Copy the uploaded log to a file of our own (the request's spool goes with the request); its size, whether
    it is gzip, and its SHA-256. Blocking: call it with ``asyncio.to_thread``."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".xes")
    digest = hashlib.sha256()
    with os.fdopen(fd, "wb") as target:
        upload.file.seek(0)
        while block := upload.file.read(1024 * 1024):
            digest.update(block)
            target.write(block)
        size = target.tell()
    with open(path, "rb") as source:
        gz = source.read(2) == GZIP_MAGIC
    return Spooled(path, size, gz, digest.hexdigest())


def fingerprint(route: str, region_code: str, options: str, log_sha256: str) -> str:
    """What makes two uploads the same request: the route, the region, the options and the log's bytes (not the
    form's boundary, which a client draws anew on every retry)."""
    options_sha256 = hashlib.sha256(options.encode()).hexdigest()
    return hashlib.sha256(f"{route}\n{region_code}\n{options_sha256}\n{log_sha256}".encode()).hexdigest()


async def queue(
    session: AsyncSession, who: Principal, app: FastAPI, upload: UploadFile, *, key: str | None, route: str,
    region_code: str, options: str, row: Callable[[Spooled], J], out: Callable[[J], BaseModel],
    job: Callable[[uuid.UUID, str], Coroutine[Any, Any, None]],
) -> Any:  # fmt: skip
    """Spool the upload, store the job's ``row`` and commit, then start ``job(id, path)`` (202). A retry with the
    same Idempotency-Key, region, ``options`` and log replays the first answer (no second job). ``route`` is the
    method and path (``POST /v1/approvals/imports``)."""
    who.ensure_can_write(region_code)
    spooled = await asyncio.to_thread(spool, upload, f"{route.split('/')[2]}-import-")
    try:
        fp = fingerprint(route, region_code, options, spooled.sha256)
        claim = IdempotencyKey(key=key, fingerprint=fp) if key else None
        await idempotency.begin(session, who, claim)
        stored = row(spooled)
        session.add(stored)
        await session.flush()
        answer = out(stored)
        await idempotency.complete(session, who, claim, 202, answer)
        await session.commit()
    except BaseException:
        os.unlink(spooled.path)
        raise
    tasks: set[asyncio.Task[Any]] | None = getattr(app.state, "upload_jobs", None)
    if tasks is None:  # the running imports, held so that they are not garbage-collected mid-way
        tasks = app.state.upload_jobs = set()
    task = asyncio.create_task(job(stored.id, spooled.path), name=f"import-{stored.id}")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return answer


async def run(
    app: FastAPI, model: type[J], job_id: uuid.UUID, path: str,
    work: Callable[[AsyncSession, J], Awaitable[None]], *, expected: tuple[type[Exception], ...] = (),
    log: logging.Logger,
) -> None:  # fmt: skip
    """The job: marked running, ``work(session, job)`` (which commits its progress), then done or failed with
    the reason of an ``expected`` error (a broken log, a wrong option) — a defect is logged, not told."""
    error: str | None = None
    told: tuple[type[Exception], ...] = (XesError, ValueError, *expected)
    try:
        async with app.state.db.sessions() as session:
            row = await session.get(model, job_id)
            assert row is not None
            row.status, row.started_at = ImportStatus.RUNNING.value, utcnow()
            await session.commit()
            await work(session, row)
    except CalendarNotCovered as exc:
        error = str(exc.detail)[:2000]
    except told as exc:
        error = str(exc).replace(os.path.basename(path), "log")[:2000]  # the server's file name is not the client's
    except Exception:  # a defect: logged with its trace, the job says only that it failed
        log.exception("import %s failed", job_id)
        error = INTERNAL
    finally:
        os.unlink(path)
    async with app.state.db.sessions() as session:
        row = await session.get(model, job_id)
        assert row is not None
        row.status = (ImportStatus.FAILED if error else ImportStatus.DONE).value
        row.error, row.finished_at = error, utcnow()
        await session.commit()
