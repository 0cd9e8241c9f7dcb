"""Enforcement (行政执法): powers with their discretion bands, and penalty decisions checked against them.

A decision is **recorded and flagged, never refused** for lying outside its band: the penalty is the bureau's
legal act, made already and served on a party; refusing to record it would leave supervision blind to exactly
the decisions it exists to see (as steps out of order are kept, not lost). Supervision warns — a red or orange
APPROVALS-PENALTY-OUTSIDE-BAND with the band, the penalty and how it departs — and integrity, which owns the
warning, disposes of it; the bureau corrects by a later decision that names the earlier one (``corrects``).
What is refused is what cannot be checked: an unknown power or band (422 with ``field``), another region (403).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow, within_regions
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, keyset, make_page
from sunlight.warnings import Level

from approvals import alerts, catalogue, repository
from approvals import rules_enforcement as rules
from approvals.errors import CorrectionMismatch, DuplicateCode, UnknownBand, UnknownPower
from approvals.models import EnforcementPower, PenaltyDecision
from approvals.schemas.enforcement import BandOut, EnforcementPowerIn, EnforcementPowerOut, PenaltyIn, PenaltyOut
from approvals.settings import ApprovalsSettings


def power_out(p: EnforcementPower) -> EnforcementPowerOut:
    return EnforcementPowerOut(
        id=p.id, code=p.code, name=p.name, region_code=p.region_code, department_id=p.department_id,
        legal_basis=p.legal_basis, bands=[BandOut(**b) for b in p.bands], created_at=p.created_at,
    )  # fmt: skip


async def create_power(
    session: AsyncSession, who: Principal, body: EnforcementPowerIn, *, key: IdempotencyKey | None
) -> EnforcementPowerOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    department_id = await catalogue.resolve_department(session, body.region_code, body.department_code)
    row = EnforcementPower(
        region_code=body.region_code, code=body.code, name=body.name, department_id=department_id,
        legal_basis=body.legal_basis, bands=[b.model_dump(mode="json") for b in body.bands],
    )  # fmt: skip
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        what = f"an enforcement power {body.code} exists in region {body.region_code}"
        raise DuplicateCode(what, field="/code") from None
    out = power_out(row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_power(session: AsyncSession, who: Principal, power_id: uuid.UUID) -> EnforcementPowerOut:
    return power_out(who.visible(await session.get(EnforcementPower, power_id), "enforcement power"))


async def list_powers(session: AsyncSession, who: Principal, page: PageParams) -> Page[EnforcementPowerOut]:
    rows = await repository.listed(session, EnforcementPower, who.region_prefixes, page)
    return make_page(rows, page, lambda p: [p.created_at.isoformat(), str(p.id)], power_out)


async def _power(session: AsyncSession, region_code: str, code: str) -> EnforcementPower:
    """The power of this code in the decision's region or the nearest region above it."""
    for region in repository.ancestors(region_code):
        found = await repository.by_code(session, EnforcementPower, region, code)
        if found is not None:
            return found
    raise UnknownPower(f"no enforcement power {code} in region {region_code} or above it", field="/power_code")


def outside_level(departures: list[str], reason: str | None) -> Level | None:
    if not departures:
        return None
    return Level.ORANGE if reason else Level.RED


def penalty_findings(
    settings: ApprovalsSettings, decision: PenaltyDecision, power: EnforcementPower
) -> list[alerts.Finding]:
    """The findings of one decision: outside its band, decided late."""
    decided_on = decision.decided_at.astimezone(settings.zone).date()
    out: list[alerts.Finding] = []
    level = outside_level(decision.departures, decision.reason)
    common: dict[str, Any] = {"case_id": None, "case_no": decision.decision_no, "region_code": decision.region_code,
                              "subject_kind": "penalty", "subject_id": str(decision.id)}  # fmt: skip
    if level is not None:
        band = decision.band
        out.append(
            alerts.Finding(
                rule=rules.PENALTY_OUTSIDE_BAND, level=level,
                dedupe_key=f"{rules.PENALTY_OUTSIDE_BAND.id}:penalty:{decision.id}",
                evidence={
                    "decision_no": decision.decision_no, "power_code": power.code, "band_code": decision.band_code,
                    "circumstance": band.get("circumstance"), "kinds": decision.kinds,
                    "allowed_kinds": band.get("kinds"), "fine_fen": decision.fine_fen, "min_fen": band.get("min_fen"),
                    "max_fen": band.get("max_fen"), "departures": decision.departures,
                    "reason_given": decision.reason is not None, "officer_code": decision.officer_code,
                    "decided_on": decided_on.isoformat(), "legal_basis": power.legal_basis,
                },
                **common,
            )
        )  # fmt: skip
    late = rules.decided_late(decision.filed_on, decided_on, limit_days=settings.penalty_decide_days)
    if late:
        assert decision.filed_on is not None
        out.append(
            alerts.Finding(
                rule=rules.PENALTY_LATE,
                dedupe_key=f"{rules.PENALTY_LATE.id}:penalty:{decision.id}",
                evidence={
                    "decision_no": decision.decision_no, "power_code": power.code,
                    "filed_on": decision.filed_on.isoformat(), "decided_on": decided_on.isoformat(),
                    "days": (decided_on - decision.filed_on).days, "penalty_decide_days": settings.penalty_decide_days,
                },
                **common,
            )
        )  # fmt: skip
    return out


def penalty_out(d: PenaltyDecision, power: EnforcementPower, raised: int = 0) -> PenaltyOut:
    level = outside_level(d.departures, d.reason)
    return PenaltyOut(
        id=d.id, decision_no=d.decision_no, region_code=d.region_code, power_id=d.power_id, power_code=power.code,
        band_code=d.band_code, band=BandOut(**d.band), kinds=d.kinds, fine_fen=d.fine_fen,  # type: ignore[arg-type]
        filed_on=d.filed_on, decided_at=d.decided_at, officer_code=d.officer_code, reason=d.reason,
        within_band=not d.departures, departures=d.departures, level=level.value if level else None,  # type: ignore[arg-type]
        corrects=d.corrects_id, corrected_by=d.corrected_by_id, warnings_raised=raised, created_at=d.created_at,
    )  # fmt: skip


async def record_penalty(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, body: PenaltyIn, *, key: IdempotencyKey | None
) -> PenaltyOut:
    """Record the decision, check it against its band, raise what it breaks — in one commit."""
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    power = await _power(session, body.region_code, body.power_code)
    band = next((b for b in power.bands if b["code"] == body.band_code), None)
    if band is None:
        raise UnknownBand(f"the power {power.code} has no band {body.band_code}", field="/band_code")
    earlier = None
    if body.corrects is not None:
        earlier = await session.get(PenaltyDecision, body.corrects, with_for_update=True)
        if earlier is None or not who.sees_region(earlier.region_code):
            raise NotFound("no such decision to correct", field="/corrects")
        if earlier.power_id != power.id or earlier.region_code != body.region_code or earlier.corrected_by_id:
            raise CorrectionMismatch("a correction names an uncorrected decision of the same power and region",
                                     field="/corrects")  # fmt: skip
    kinds = [k.value for k in body.kinds]
    departures = rules.band_departures(band, kinds=kinds, fine_fen=body.fine_fen)
    row = PenaltyDecision(
        region_code=body.region_code, decision_no=body.decision_no, power_id=power.id, band_code=body.band_code,
        kinds=kinds, fine_fen=body.fine_fen, filed_on=body.filed_on, decided_at=body.decided_at,
        officer_code=body.officer_code, reason=body.reason, band=band, corrects_id=body.corrects,
        departures=departures, within_band=not departures, recorded_by=who.subject,
    )  # fmt: skip
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise DuplicateCode(f"decision {body.decision_no} is recorded in region {body.region_code}",
                            field="/decision_no") from None  # fmt: skip
    if earlier is not None:
        earlier.corrected_by_id = row.id
    raised = await alerts.raise_findings(session, penalty_findings(settings, row, power), now=utcnow())
    out = penalty_out(row, power, raised)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_penalty(session: AsyncSession, who: Principal, penalty_id: uuid.UUID) -> PenaltyOut:
    row = who.visible(await session.get(PenaltyDecision, penalty_id), "penalty decision")
    power = await session.get(EnforcementPower, row.power_id)
    assert power is not None
    return penalty_out(row, power)


async def list_penalties(
    session: AsyncSession, who: Principal, page: PageParams, *, power_id: uuid.UUID | None,
    officer_code: str | None, within_band: bool | None,
) -> Page[PenaltyOut]:  # fmt: skip
    query = select(PenaltyDecision).where(within_regions(PenaltyDecision.region_code, who.region_prefixes))
    if power_id is not None:
        query = query.where(PenaltyDecision.power_id == power_id)
    if officer_code is not None:
        query = query.where(PenaltyDecision.officer_code == officer_code)
    if within_band is not None:
        query = query.where(PenaltyDecision.within_band.is_(within_band))  # type: ignore[attr-defined]
    rows = list((await session.execute(keyset(query, page, PenaltyDecision.created_at, PenaltyDecision.id))).scalars())
    powers = {p.id: p for p in await repository.powers_by_ids(session, {r.power_id for r in rows})}
    return make_page(rows, page, lambda d: [d.created_at.isoformat(), str(d.id)],
                     lambda d: penalty_out(d, powers[d.power_id]))  # fmt: skip
