"""The random draw of evaluation experts (评标专家随机抽取), verifiable afterwards by anyone.

1. **Commit** (``POST /v1/tenders/tenders/{id}/draws``): a 32-byte seed from ``secrets.token_bytes`` is made and
   kept encrypted; its SHA-256 is published at once. The pool is fixed by the same moment: experts registered
   before the commitment, so whoever knows the seed cannot shape the pool after it.
2. **Draw** (``POST /v1/tenders/draws/{id}/execution``): the eligible experts — of the specialty, registered in
   the pool region, minus the exclusions (employer is a bidder or the owner; drawn for this owner
   ``draw_owner_max`` times or more within ``draw_owner_window_days``; debarred) — sorted by id, are shuffled by
   the seed (``ALGORITHM``); the first ``count`` are the committee, the rest the reserve in order. The seed is
   published.
3. **Replacements** take the next expert of the reserve, with the reason recorded.
4. **Verify** (``GET /v1/tenders/draws/{id}/verification``): SHA-256(seed) equals the commitment, the seed
   replays the recorded order from the recorded candidates, and every replacement took the next in order.

The shuffle is deterministic from the revealed seed; the randomness is only the seed's.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import region_prefix
from sunlight.db import utcnow
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page

from tenders import flags, lifecycle, repository
from tenders.errors import DrawState, NotAMember, PoolTooSmall
from tenders.models import Draw, DrawStatus, Replacement
from tenders.schemas.draws import DrawIn, DrawOut, ExclusionOut, ReplacementIn, ReplacementOut, VerificationOut
from tenders.settings import TendersSettings

DOMAIN = b"sunlight-draw-v1"
ALGORITHM = (
    "sunlight-draw-v1: block i (i = 0, 1, …) = SHA-256('sunlight-draw-v1' || seed || i as 8 bytes big-endian); the "
    "blocks are read as consecutive 8-byte big-endian words w; an integer below n is w mod n for the first w below "
    "2^64 − (2^64 mod n) (rejection sampling); the candidates (sorted by id) are shuffled by Fisher–Yates from the "
    "last position: for i = len − 1 down to 1, j = next integer below i + 1, swap i and j."
)


def _words(seed: bytes) -> Iterator[int]:
    counter = 0
    while True:
        block = hashlib.sha256(DOMAIN + seed + counter.to_bytes(8, "big")).digest()
        for k in range(0, 32, 8):
            yield int.from_bytes(block[k : k + 8], "big")
        counter += 1


def draw_order(seed: bytes, candidates: Sequence[str]) -> list[str]:
    """The candidates (taken in sorted order) shuffled by the seed, as ``ALGORITHM`` says."""
    order = sorted(candidates)
    words = _words(seed)
    for i in range(len(order) - 1, 0, -1):
        n = i + 1
        limit = 2**64 - (2**64 % n)
        while (w := next(words)) >= limit:
            pass
        j = w % n
        order[i], order[j] = order[j], order[i]
    return order


def follow_replacements(
    order: Sequence[str], count: int, replaced: Sequence[tuple[str, str | None]]
) -> list[str] | None:
    """The committee after the replacements (each (out, in)), when each took the next unused expert in order;
    None when one did not."""
    members = list(order[:count])
    used = set(members)
    reserve = [c for c in order[count:]]
    for out, came in replaced:
        if out not in members:
            return None
        following = next((c for c in reserve if c not in used), None)
        if came != following:
            return None
        if came is None:
            members.remove(out)
        else:
            members[members.index(out)] = came
            used.add(came)
    return members


async def draw_out(session: AsyncSession, row: Draw) -> DrawOut:
    replaced = await repository.replacements_of(session, row.id)
    return DrawOut(
        id=row.id,
        tender_id=row.tender_id,
        specialty=row.specialty,
        pool_region=row.pool_region,
        count=row.count,
        status=row.status,
        seed_sha256=row.seed_sha256,
        seed=row.seed_hex,
        committed_at=row.committed_at,
        drawn_at=row.drawn_at,
        candidates=[uuid.UUID(c) for c in row.candidates],
        exclusions=[ExclusionOut.model_validate(e) for e in row.exclusions],
        order=[uuid.UUID(c) for c in row.order],
        members=[uuid.UUID(c) for c in row.members],
        replacements=[
            ReplacementOut(
                replaced_id=r.replaced_id, replacement_id=r.replacement_id, reason=r.reason, recorded_at=r.recorded_at
            )
            for r in replaced
        ],
        algorithm=ALGORITHM,
    )


async def commit_draw(
    session: AsyncSession, settings: TendersSettings, who: Principal, tender_id: uuid.UUID, body: DrawIn,
    *, key: IdempotencyKey | None,
) -> DrawOut:  # fmt: skip
    tender = await lifecycle.get_tender(session, who, tender_id, for_update=True)
    who.ensure_can_write(tender.region_code)
    who.ensure_can_write(body.pool_region)
    await idempotency.begin(session, who, key)
    lifecycle.require(tender, "draw")
    seed = secrets.token_bytes(32)
    row = Draw(
        tender_id=tender.id,
        specialty=body.specialty,
        pool_region=body.pool_region,
        count=body.count,
        seed_sha256=hashlib.sha256(seed).hexdigest(),
        seed_cipher=settings.cipher.encrypt(seed.hex(), context="draw.seed"),
        committed_at=utcnow(),
        region_code=tender.region_code,
        created_by=who.subject,
    )
    session.add(row)
    await session.flush()
    out = await draw_out(session, row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_draw(session: AsyncSession, who: Principal, draw_id: uuid.UUID, *, for_update: bool = False) -> Draw:
    return who.visible(await repository.draw(session, draw_id, for_update=for_update), "draw")


async def list_draws(session: AsyncSession, who: Principal, tender_id: uuid.UUID) -> Page[DrawOut]:
    """A tender's draws, oldest first (a tender has few draws: one page)."""
    tender = await lifecycle.get_tender(session, who, tender_id)
    rows = await repository.draws_of(session, tender.id)
    return Page[DrawOut](items=[await draw_out(session, r) for r in rows], next_cursor=None)


async def read_draw(session: AsyncSession, who: Principal, draw_id: uuid.UUID) -> DrawOut:
    return await draw_out(session, await get_draw(session, who, draw_id))


async def execute_draw(
    session: AsyncSession, settings: TendersSettings, who: Principal, draw_id: uuid.UUID,
    *, key: IdempotencyKey | None,
) -> DrawOut:  # fmt: skip
    row = await get_draw(session, who, draw_id, for_update=True)
    who.ensure_can_write(row.region_code)
    await idempotency.begin(session, who, key)
    if row.status != DrawStatus.COMMITTED:
        raise DrawState("the draw was already made", draw_status=str(row.status))
    tender = await lifecycle.get_tender(session, who, row.tender_id, for_update=True)
    lifecycle.require(tender, "draw")
    now = utcnow()
    pool = [p for p in await repository.pool(session, region_prefix(row.pool_region), row.committed_at)
            if row.specialty in p.specialties]  # fmt: skip
    employers = await repository.enterprises_by_ids(session, {p.employer_id for p in pool if p.employer_id})
    bidder_ids = {r.enterprise_id for r in await repository.registrations_of(session, tender.id)}
    bidder_ids |= {b.enterprise_id for b in await repository.bids_of(session, tender.id)}
    bidders = {e.uscc for e in (await repository.enterprises_by_ids(session, bidder_ids)).values()}
    counts = await repository.drawn_for_owner(
        session, tender.owner_uscc, now - timedelta(days=settings.draw_owner_window_days)
    )
    bars = await repository.debarments_of(session, "person", [p.id for p in pool])
    exclusions, eligible = [], []
    for person in pool:
        employer = employers.get(person.employer_id) if person.employer_id else None
        facts = [flags.DebarmentFact(str(d.id), d.region_code, d.starts_on, d.ends_on)
                 for d in bars if d.subject_id == person.id]  # fmt: skip
        reasons = flags.expert_conflicts(
            employer_uscc=employer.uscc if employer else None,
            bidder_usccs=bidders,
            owner_uscc=tender.owner_uscc,
            debarred=bool(flags.active_debarments(facts, now.date(), tender.region_code)),
            drawn=True,
        )
        if counts.get(str(person.id), 0) >= settings.draw_owner_max:
            reasons.append("drawn_for_owner_too_often")
        if reasons:
            exclusions.append({"expert_id": str(person.id), "reasons": reasons})
        else:
            eligible.append(str(person.id))
    if len(eligible) < row.count:
        raise PoolTooSmall(f"{len(eligible)} eligible experts, {row.count} needed", eligible=len(eligible))
    seed = bytes.fromhex(settings.cipher.decrypt(row.seed_cipher, context="draw.seed"))
    row.candidates = sorted(eligible)
    row.exclusions = sorted(exclusions, key=lambda e: e["expert_id"])
    row.order = draw_order(seed, row.candidates)
    row.members = row.order[: row.count]
    row.seed_hex = seed.hex()
    row.status = DrawStatus.DRAWN
    row.drawn_at = now
    await session.flush()
    out = await draw_out(session, row)
    await idempotency.complete(session, who, key, 200, out)
    await session.commit()
    return out


async def replace_member(
    session: AsyncSession, who: Principal, draw_id: uuid.UUID, body: ReplacementIn, *, key: IdempotencyKey | None
) -> DrawOut:
    row = await get_draw(session, who, draw_id, for_update=True)
    who.ensure_can_write(row.region_code)
    await idempotency.begin(session, who, key)
    if row.status != DrawStatus.DRAWN:
        raise DrawState("draw first", draw_status=str(row.status))
    out_id = str(body.expert_id)
    if out_id not in row.members:
        raise NotAMember("the expert is not on the committee", field="expert_id")
    used = set(row.members) | {str(r.replaced_id) for r in await repository.replacements_of(session, row.id)}
    following = next((c for c in row.order[row.count :] if c not in used), None)
    if following is None:
        raise PoolTooSmall("the reserve is exhausted: commit a new draw", eligible=0)
    members = list(row.members)
    members[members.index(out_id)] = following
    row.members = members
    session.add(Replacement(draw_id=row.id, replaced_id=body.expert_id, replacement_id=uuid.UUID(following),
                            reason=body.reason, note=body.note, recorded_by=who.subject))  # fmt: skip
    await session.flush()
    out = await draw_out(session, row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def verify(session: AsyncSession, who: Principal, draw_id: uuid.UUID) -> VerificationOut:
    row = await get_draw(session, who, draw_id)
    if row.status != DrawStatus.DRAWN or row.seed_hex is None:
        raise DrawState("the draw is not made yet: only its commitment can be read", draw_status=str(row.status))
    seed = bytes.fromhex(row.seed_hex)
    replayed = draw_order(seed, row.candidates)
    replaced = [(str(r.replaced_id), str(r.replacement_id) if r.replacement_id else None)
                for r in await repository.replacements_of(session, row.id)]  # fmt: skip
    commitment = hashlib.sha256(seed).hexdigest() == row.seed_sha256
    order_ok = replayed == row.order
    members_ok = follow_replacements(replayed, row.count, replaced) == row.members
    return VerificationOut(
        draw_id=row.id,
        verified=commitment and order_ok and members_ok,
        seed_matches_commitment=commitment,
        order_matches=order_ok,
        members_follow_order=members_ok,
        replayed_order=[uuid.UUID(c) for c in replayed],
    )
