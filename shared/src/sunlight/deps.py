"""Dependencies every service uses; each service's ``deps.py`` builds its aliases from these."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from sqlalchemy.ext.asyncio import AsyncSession

from sunlight.auth import Principal, authenticate
from sunlight.idempotency import IdempotencyKeyDep
from sunlight.pagination import PageParams, page_params

READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request; the service function commits (once), never this dependency.

    GET and HEAD only read (an API convention: no write behind a GET), so they get a reading session,
    which on SQLite begins deferred and never waits for the write lock."""
    db = request.app.state.db
    factory = db.readers if request.method in READ_METHODS else db.sessions
    async with factory() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
PageDep = Annotated[PageParams, Depends(page_params)]


def scoped(scope: str) -> type[Principal]:
    """``Annotated[Principal, Security(authenticate, scopes=[scope])]`` — a route's caller with ``scope``."""
    return Annotated[Principal, Security(authenticate, scopes=[scope])]  # type: ignore[return-value]


async def _nationwide(request: Request, who: Annotated[Principal, Security(authenticate)]) -> Principal:
    who.ensure_nationwide(f"{request.method} {request.url.path}")
    return who


def nationwide(scope: str) -> type[Principal]:
    """A route's caller with ``scope`` whose regions are the whole country (``Principal.nationwide``):
    deployment-wide settings and operations over every region. Anyone else gets 403 ``…/nationwide-only``."""
    return Annotated[Principal, Security(_nationwide, scopes=[scope])]  # type: ignore[return-value]


__all__ = ["IdempotencyKeyDep", "PageDep", "SessionDep", "get_session", "nationwide", "scoped"]
