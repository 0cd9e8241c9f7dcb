"""A retried POST with the same Idempotency-Key does not duplicate, refusals included."""

import asyncio

from sqlalchemy import func, select
from sunlight.testing import ServiceHarness, TestKeys

from .conftest import funds_app, funds_settings, programme_with_child


async def _movements(settings) -> int:
    from funds.models import Movement, MovementKind
    from sunlight.db import Database

    db = Database(settings.effective_database_url())
    try:
        async with db.sessions() as session:
            return int(
                (
                    await session.execute(
                        select(func.count()).select_from(Movement).where(Movement.kind == MovementKind.ALLOCATE)
                    )
                ).scalar_one()
            )
    finally:
        await db.dispose()


async def test_the_same_post_twice_creates_one_movement_and_answers_the_same(harness: ServiceHarness, keys: TestKeys):
    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        headers, root, child = await programme_with_child(client, keys)
        body = {"from_node_id": root, "to_node_id": child, "amount_fen": 250_000, "occurred_on": "2026-03-01"}
        keyed = {**headers, "Idempotency-Key": "batch-7f3c9a-0001"}
        first = await client.post("/v1/funds/movements", headers=keyed, json=body)
        second = await client.post("/v1/funds/movements", headers=keyed, json=body)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers.get("idempotent-replayed") == "true"
        assert await _movements(settings) == 1
        nodes = {
            n["id"]: n
            for n in (
                await client.get(f"/v1/funds/programmes/{first.json()['programme_id']}/nodes", headers=headers)
            ).json()["items"]
        }
        assert nodes[root]["passed_on_fen"] == 250_000, "the retry moved no money"

        changed = await client.post("/v1/funds/movements", headers=keyed, json={**body, "amount_fen": 1})
        assert changed.status_code == 422 and changed.json()["type"].endswith("/idempotency-key-reused")


async def test_a_retried_refusal_replays_the_refusal_and_records_one_attempt(harness: ServiceHarness, keys: TestKeys):
    from funds.models import RefusedMovement
    from sunlight.db import Database

    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        headers, root, child = await programme_with_child(client, keys)
        body = {"from_node_id": root, "to_node_id": child, "amount_fen": 5_000_000, "occurred_on": "2026-03-01"}
        keyed = {**headers, "Idempotency-Key": "retry-refusal-1"}
        first = await client.post("/v1/funds/movements", headers=keyed, json=body)
        second = await client.post("/v1/funds/movements", headers=keyed, json=body)
        assert first.status_code == second.status_code == 409
        assert second.json() == first.json() and second.json()["available_fen"] == 1_000_000
    db = Database(settings.effective_database_url())
    try:
        async with db.sessions() as session:
            assert (await session.execute(select(func.count()).select_from(RefusedMovement))).scalar_one() == 1
    finally:
        await db.dispose()


async def test_parallel_duplicates_write_once(harness: ServiceHarness, keys: TestKeys):
    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        headers, root, child = await programme_with_child(client, keys)
        body = {"from_node_id": root, "to_node_id": child, "amount_fen": 1_000, "occurred_on": "2026-03-01"}
        keyed = {**headers, "Idempotency-Key": "parallel-1"}
        answers = await asyncio.gather(
            *(client.post("/v1/funds/movements", headers=keyed, json=body) for _ in range(20))
        )
        statuses = sorted(a.status_code for a in answers)
        assert set(statuses) <= {201, 409}, statuses
        created = [a.json()["id"] for a in answers if a.status_code == 201]
        assert len(set(created)) == 1, "every success is the same movement"
        assert all(a.json()["type"].endswith("/idempotency-key-in-flight") for a in answers if a.status_code == 409)
        assert await _movements(settings) == 1


async def test_keys_are_forgotten_after_their_24_hours(harness: ServiceHarness, keys: TestKeys):
    from datetime import timedelta

    from sqlalchemy import update
    from sunlight.app import prune_idempotency_keys
    from sunlight.db import idempotency_table, utcnow

    settings = await funds_settings(harness)
    app = funds_app(settings)
    async with harness.client(app) as client:
        headers, root, child = await programme_with_child(client, keys)
        body = {"from_node_id": root, "to_node_id": child, "amount_fen": 1_000, "occurred_on": "2026-03-01"}
        for key in ("old-key", "fresh-key"):
            assert (
                await client.post("/v1/funds/movements", headers={**headers, "Idempotency-Key": key}, json=body)
            ).status_code == 201
        async with app.state.db.sessions() as session, session.begin():
            await session.execute(
                update(idempotency_table)
                .where(idempotency_table.c.key == "old-key")
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        await prune_idempotency_keys(app)
        async with app.state.db.sessions() as session:
            left = (await session.execute(select(idempotency_table.c.key))).scalars().all()
        assert "old-key" not in left and "fresh-key" in left


async def test_idempotency_keys_belong_to_the_principal_not_to_a_shared_client_id(
    harness: ServiceHarness, keys: TestKeys
):
    """Two people signed in through the same frontend (one client_id) using the same key: the second
    gets its own answer, never a replay of the first person's."""
    settings = await funds_settings(harness)
    async with harness.client(funds_app(settings)) as client:
        _headers, root, child = await programme_with_child(client, keys)
        body = {"from_node_id": root, "to_node_id": child, "amount_fen": 1_000, "occurred_on": "2026-03-01"}
        people = [
            keys.auth(scopes="funds:read funds:write", regions=["130300"], sub=f"user:{name}", client_id="sunlight-web")
            for name in ("officer.zhao", "officer.qian")
        ]
        first = await client.post("/v1/funds/movements", headers={**people[0], "Idempotency-Key": "k-1"}, json=body)
        second = await client.post("/v1/funds/movements", headers={**people[1], "Idempotency-Key": "k-1"}, json=body)
        assert first.status_code == second.status_code == 201
        assert "idempotent-replayed" not in second.headers
        assert second.json()["id"] != first.json()["id"]
        assert await _movements(settings) == 2
