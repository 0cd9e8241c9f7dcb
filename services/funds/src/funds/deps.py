"""Dependency aliases of the funds routes."""

from __future__ import annotations

from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

FundsReader = scoped("funds:read")
FundsWriter = scoped("funds:write")

__all__ = ["FundsReader", "FundsWriter", "IdempotencyKeyDep", "PageDep", "SessionDep"]
