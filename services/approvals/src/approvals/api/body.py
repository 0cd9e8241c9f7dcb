"""Reading a raw request body with a size cap (batches are parsed by the service)."""

from __future__ import annotations

from fastapi import Request

from approvals.errors import BatchTooLarge


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BatchTooLarge(f"the body exceeds {limit} bytes", max_bytes=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BatchTooLarge(f"the body exceeds {limit} bytes", max_bytes=limit)
        chunks.append(chunk)
    return b"".join(chunks)
