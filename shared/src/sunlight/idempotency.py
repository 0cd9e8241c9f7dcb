"""Idempotency-Key for POSTs (draft-ietf-httpapi-idempotency-key-header).

A client that retries a POST with the same ``Idempotency-Key`` gets the first answer
again (errors included, marked ``Idempotent-Replayed: true``) and nothing is written
twice. The key row is inserted at the *start* of the write's transaction and completed
with the response *in* that transaction, so:

- the key and the effect commit together or not at all;
- a concurrent duplicate blocks on the key's primary key and then replays (or gets 409
  while the first is still running on a backend that does not block);
- the same key with a different body gets 422; keys are kept 24 h and belong to the principal
  that sent them — its ``sub``, which the gateway sets, never a claim the caller chooses such as
  ``client_id`` (every person signing in through the frontend shares its client id).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlight.auth import Principal
from sunlight.db import idempotency_table, utcnow
from sunlight.errors import PROBLEM_MEDIA_TYPE, BadRequest, Conflict, InvalidInput, Problem

TTL = timedelta(hours=24)
_KEY = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')  # sf-string, quotes optional


class KeyReused(InvalidInput):
    slug, title = "idempotency-key-reused", "This Idempotency-Key was used with another request"


class KeyInFlight(Conflict):
    slug, title = "idempotency-key-in-flight", "A request with this Idempotency-Key is still being processed"


class Replay(Exception):
    """Raised to answer with the stored response of an earlier request with the same key."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str


async def idempotency_key(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Makes retries of this POST safe: the same key "
            "with the same body replays the first answer for 24 h.",
        ),
    ] = None,
) -> IdempotencyKey | None:
    if idempotency_key is None:
        return None
    match = _KEY.match(idempotency_key.strip())
    if not match:
        raise BadRequest("Idempotency-Key must be 1–255 printable characters", field="Idempotency-Key")
    body = await request.body()
    fingerprint = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).hexdigest()
    return IdempotencyKey(key=match.group(1), fingerprint=fingerprint)


IdempotencyKeyDep = Annotated[IdempotencyKey | None, Depends(idempotency_key)]


async def begin(session: AsyncSession, who: Principal, key: IdempotencyKey | None) -> None:
    """Claim the key at the start of the write's transaction, or replay / refuse."""
    if key is None:
        return
    client_id = who.subject  # the key's namespace (stored in the column named client_id)
    now = utcnow()
    row = (
        await session.execute(
            select(idempotency_table).where(
                idempotency_table.c.client_id == client_id, idempotency_table.c.key == key.key
            )
        )
    ).first()
    if row is not None and row.expires_at <= now:
        await session.execute(
            delete(idempotency_table).where(
                idempotency_table.c.client_id == client_id, idempotency_table.c.key == key.key
            )
        )
        row = None
    if row is None:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(idempotency_table).values(
                        client_id=client_id,
                        key=key.key,
                        fingerprint=key.fingerprint,
                        created_at=now,
                        expires_at=now + TTL,
                    )
                )
            return
        except IntegrityError:
            row = (
                await session.execute(
                    select(idempotency_table).where(
                        idempotency_table.c.client_id == client_id, idempotency_table.c.key == key.key
                    )
                )
            ).first()
            if row is None:  # the other request rolled back: ours may proceed next time
                raise KeyInFlight("retry the request") from None
    if row.fingerprint != key.fingerprint:
        raise KeyReused("use a new Idempotency-Key for a different request")
    if row.status is None:
        raise KeyInFlight("retry once the first request has finished")
    raise Replay(row.status, json.loads(row.response))


async def complete(
    session: AsyncSession,
    who: Principal,
    key: IdempotencyKey | None,
    status: int,
    body: BaseModel | Problem | dict[str, Any],
) -> None:
    """Store the answer in the same transaction as the effect it describes."""
    if key is None:
        return
    client_id = who.subject
    if isinstance(body, BaseModel):
        payload: Any = body.model_dump(mode="json")
    elif isinstance(body, Problem):
        payload = body.to_dict()
    else:
        payload = body
    await session.execute(
        update(idempotency_table)
        .where(idempotency_table.c.client_id == client_id, idempotency_table.c.key == key.key)
        .values(status=status, response=json.dumps(payload, separators=(",", ":")))
    )


async def prune(session: AsyncSession) -> int:
    result = await session.execute(delete(idempotency_table).where(idempotency_table.c.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


async def _on_replay(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Replay)
    body = exc.body
    if exc.status >= 400 and isinstance(body, dict):
        body = {**body, "instance": body.get("instance", request.url.path)}
    return JSONResponse(
        body,
        status_code=exc.status,
        headers={"Idempotent-Replayed": "true"},
        media_type=PROBLEM_MEDIA_TYPE if exc.status >= 400 else "application/json",
    )


def install_replay_handler(app: FastAPI) -> None:
    """Answer a :class:`Replay` with the stored status and body, marked ``Idempotent-Replayed: true``."""
    app.add_exception_handler(Replay, _on_replay)


_BATCH_KEY = re.compile(r"^[\x21-\x7e]{1,120}$")


def batch_key(
    batch_key: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            pattern=r"^[\x21-\x7e]+$",
            description="The batch's own key: sending the same batch again replays its result "
            "(or send it as the `Idempotency-Key` header)",
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="The batch's key, as every other creating POST takes it: the same key with the same "
            "batch replays its result (200, `Idempotent-Replayed: true`); with another batch it is 422.",
        ),
    ] = None,
) -> str:
    """A batch import's key: ``?batch_key=`` or the ``Idempotency-Key`` header (the same key when both are
    given). The batch's own table keeps it (and the batch's fingerprint) for as long as the batch exists."""
    header = idempotency_key.strip().strip('"') if idempotency_key is not None else None
    if header is not None and not _BATCH_KEY.match(header):
        raise BadRequest("Idempotency-Key must be 1–120 printable characters for a batch", field="Idempotency-Key")
    if batch_key and header and batch_key != header:
        raise InvalidInput("batch_key and Idempotency-Key differ; send one", field="Idempotency-Key")
    key = batch_key or header
    if not key:
        raise InvalidInput("a batch needs a key: ?batch_key= or the Idempotency-Key header", field="batch_key")
    return key


BatchKeyDep = Annotated[str, Depends(batch_key)]
