"""Periodic jobs (scans, sweeps, pruning) run once per period across replicas, not once per replica."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from funds.app import MIGRATIONS
from sunlight.app import claim_period
from sunlight.db import Database
from sunlight.testing import Backend


async def test_one_replica_claims_each_period(backend: Backend):
    db = Database(await backend.database("funds", MIGRATIONS))
    try:
        now = datetime(2026, 11, 30, 10, 0, 30, tzinfo=UTC)
        # ten replicas wake in the same hourly period at once: one runs the scan
        claims = await asyncio.gather(*(claim_period(db, "scan", 3600, now) for _ in range(10)))
        assert sorted(claims) == [False] * 9 + [True]
        assert await claim_period(db, "scan", 3600, now + timedelta(minutes=20)) is False  # same period, later
        assert await claim_period(db, "scan", 3600, now + timedelta(hours=1)) is True  # the next period
        assert await claim_period(db, "prune", 3600, now) is True  # another job has its own periods
    finally:
        await db.dispose()
