"""Dependency aliases of the tenders routes."""

from __future__ import annotations

from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

TendersReader = scoped("tenders:read")
TendersWriter = scoped("tenders:write")

__all__ = ["IdempotencyKeyDep", "PageDep", "SessionDep", "TendersReader", "TendersWriter"]
