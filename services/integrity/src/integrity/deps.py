"""Dependency aliases of the integrity routes."""

from __future__ import annotations

from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

IntegrityReader = scoped("integrity:read")
IntegrityWriter = scoped("integrity:write")

__all__ = ["IdempotencyKeyDep", "IntegrityReader", "IntegrityWriter", "PageDep", "SessionDep"]
