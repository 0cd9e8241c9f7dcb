"""Reading a streamed upload (a batch's raw body is read by ``sunlight.batches.read_body``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from approvals.errors import ImportFormInvalid, ImportTooLarge, UnsupportedImportFormat

MAPPING_MAX = 256 * 1024  # a mapping is a page of TOML


async def _bounded(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    async for chunk in request.stream():
        limit -= len(chunk)
        if limit < 0:
            raise ImportTooLarge("the upload exceeds the import limit")
        yield chunk


async def read_upload(request: Request, limit: int) -> tuple[str, UploadFile]:
    """A ``multipart/form-data`` upload of a ``mapping`` (TOML text) and a ``log`` (file), parsed as it streams in:
    the log part is spooled to a temporary file (on disk past 1 MiB), the whole refused past ``limit`` bytes."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedImportFormat(f"send multipart/form-data, not {media or 'no content type'}")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ImportTooLarge(f"the upload exceeds {limit} bytes", max_bytes=limit)
    parser = MultiPartParser(
        request.headers, _bounded(request, limit), max_files=1, max_fields=1, max_part_size=MAPPING_MAX
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ImportFormInvalid(str(exc)) from None
    mapping, log = form.get("mapping"), form.get("log")
    if not isinstance(mapping, str) or not mapping.strip():
        raise ImportFormInvalid("the form has no mapping (a TOML text field)", field="/mapping")
    if not isinstance(log, UploadFile):
        raise ImportFormInvalid("the form has no log (a file field)", field="/log")
    return mapping, log
