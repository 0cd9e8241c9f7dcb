"""Dependency aliases of the approvals routes."""

from __future__ import annotations

from sunlight.deps import IdempotencyKeyDep, PageDep, SessionDep, scoped

ApprovalsReader = scoped("approvals:read")
ApprovalsWriter = scoped("approvals:write")

__all__ = ["ApprovalsReader", "ApprovalsWriter", "IdempotencyKeyDep", "PageDep", "SessionDep"]
