"""Dependency aliases of the complaints routes."""

from __future__ import annotations

from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

ComplaintsReader = scoped("complaints:read")
ComplaintsWriter = scoped("complaints:write")

__all__ = ["ComplaintsReader", "ComplaintsWriter", "IdempotencyKeyDep", "PageDep", "SessionDep"]
