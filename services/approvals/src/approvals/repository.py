"""Approvals queries. Never commits: the service function owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.codes import parent_region
from sunlight.db import within_regions
from sunlight.pagination import PageParams, keyset

from approvals.models import (
    ApprovalCase,
    ApprovalsWarning,
    CaseStatus,
    CaseStep,
    Department,
    EnforcementPower,
    Item,
    LogImport,
    Officer,
    PenaltyDecision,
    Rating,
    StepBatch,
    Window,
)

T = TypeVar("T", Department, Window, Officer, Item, EnforcementPower)
OPEN = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.SUSPENDED)


def ancestors(region_code: str) -> list[str]:
    """The region and every region above it, most specific first (a city's catalogue serves its districts)."""
    out: list[str] = []
    code: str | None = region_code
    while code is not None:
        out.append(code)
        code = parent_region(code)
    return out


async def by_code(session: AsyncSession, model: type[T], region_code: str, code: str) -> T | None:
    return (
        await session.execute(select(model).where(model.region_code == region_code, model.code == code))  # type: ignore[arg-type]
    ).scalar_one_or_none()


async def listed(session: AsyncSession, model: type[T], prefixes: Iterable[str], page: PageParams) -> Sequence[T]:
    query = select(model).where(within_regions(model.region_code, prefixes))
    return (await session.execute(keyset(query, page, model.created_at, model.id))).scalars().all()  # type: ignore[arg-type]


async def get(session: AsyncSession, model: type[T], id_: uuid.UUID) -> T | None:
    return await session.get(model, id_)


async def items_for(session: AsyncSession, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    """For each (case region, item code), the item of the most specific catalogue that serves the region."""
    wanted = set(pairs)
    if not wanted:
        return {}
    regions = {r for region, _ in wanted for r in ancestors(region)}
    codes = {code for _, code in wanted}
    rows = (await session.execute(select(Item).where(Item.code.in_(codes), Item.region_code.in_(regions)))).scalars()  # type: ignore[attr-defined]
    found: dict[tuple[str, str], Item] = {(i.region_code, i.code): i for i in rows}
    out: dict[tuple[str, str], Item] = {}
    for region, code in wanted:
        for r in ancestors(region):
            if (r, code) in found:
                out[(region, code)] = found[(r, code)]
                break
    return out


async def items_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Item]:
    ids = set(ids)
    if not ids:
        return {}
    return {i.id: i for i in (await session.execute(select(Item).where(Item.id.in_(ids)))).scalars()}  # type: ignore[attr-defined]


async def departments_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Department]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (await session.execute(select(Department).where(Department.id.in_(wanted)))).scalars()  # type: ignore[attr-defined]
    return {d.id: d for d in rows}


async def cases_by_nos(
    session: AsyncSession, keys: Iterable[tuple[str, str]], *, for_update: bool = False
) -> dict[tuple[str, str], ApprovalCase]:
    """Cases by (region, case number), locked in id order when ``for_update``."""
    wanted = set(keys)
    if not wanted:
        return {}
    out: dict[tuple[str, str], ApprovalCase] = {}
    nos = sorted({no for _, no in wanted})
    for start in range(0, len(nos), 500):
        query = select(ApprovalCase).where(ApprovalCase.case_no.in_(nos[start : start + 500]))  # type: ignore[attr-defined]
        if for_update:
            query = query.order_by(ApprovalCase.id).with_for_update()
        for case in (await session.execute(query)).scalars():
            if (case.region_code, case.case_no) in wanted:
                out[(case.region_code, case.case_no)] = case
    return out


async def steps_of(session: AsyncSession, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[CaseStep]]:
    """Each case's steps in the order they happened (occurred_at, then arrival)."""
    ids = sorted(set(case_ids))
    out: dict[uuid.UUID, list[CaseStep]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        query = (
            select(CaseStep)
            .where(CaseStep.case_id.in_(ids[start : start + 500]))  # type: ignore[attr-defined]
            .order_by(CaseStep.case_id, CaseStep.occurred_at, CaseStep.seq)
        )
        for step in (await session.execute(query)).scalars():
            out[step.case_id].append(step)
    return out


async def cases(
    session: AsyncSession,
    prefixes: Iterable[str],
    page: PageParams,
    *,
    item_id: uuid.UUID | None = None,
    window_code: str | None = None,
    officer_code: str | None = None,
    status: str | None = None,
    due_before: date | None = None,
    level: str | None = None,
) -> Sequence[ApprovalCase]:
    query = select(ApprovalCase).where(within_regions(ApprovalCase.region_code, prefixes))
    conditions: list[Any] = []
    if item_id is not None:
        conditions.append(ApprovalCase.item_id == item_id)
    if window_code is not None:
        conditions.append(ApprovalCase.window_code == window_code)
    if officer_code is not None:
        conditions.append(ApprovalCase.officer_code == officer_code)
    if status is not None:
        conditions.append(ApprovalCase.status == status)
    if due_before is not None:
        conditions.append(ApprovalCase.due_on < due_before)  # type: ignore[operator]
    if level is not None:
        conditions.append(ApprovalCase.level == level)
    if conditions:
        query = query.where(*conditions)
    return (await session.execute(keyset(query, page, ApprovalCase.created_at, ApprovalCase.id))).scalars().all()


async def open_case_ids(session: AsyncSession) -> list[uuid.UUID]:
    query = (
        select(ApprovalCase.id)
        .where(or_(ApprovalCase.status.in_(OPEN), ApprovalCase.certificate_pending))  # type: ignore[attr-defined]
        .order_by(ApprovalCase.id)
    )
    return list((await session.execute(query)).scalars())


async def cases_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ApprovalCase]:
    out: list[ApprovalCase] = []
    for start in range(0, len(ids), 500):
        query = select(ApprovalCase).where(ApprovalCase.id.in_(ids[start : start + 500]))  # type: ignore[attr-defined]
        out.extend((await session.execute(query)).scalars())
    return out


async def warnings_by_keys(session: AsyncSession, keys: set[str]) -> dict[str, ApprovalsWarning]:
    out: dict[str, ApprovalsWarning] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        query = select(ApprovalsWarning).where(ApprovalsWarning.dedupe_key.in_(ordered[start : start + 500]))  # type: ignore[attr-defined]
        out.update({w.dedupe_key: w for w in (await session.execute(query)).scalars()})
    return out


async def warnings_of_cases(session: AsyncSession, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The levels of each case's warnings not yet closed or dismissed (open or in disposition)."""
    ids = sorted(set(case_ids))
    out: dict[uuid.UUID, list[str]] = {}
    for start in range(0, len(ids), 500):
        query = select(ApprovalsWarning.case_id, ApprovalsWarning.level).where(
            ApprovalsWarning.case_id.in_(ids[start : start + 500]),  # type: ignore[union-attr]
            ApprovalsWarning.status.not_in(["closed", "dismissed"]),  # type: ignore[attr-defined]
        )
        for case_id, level in (await session.execute(query)).all():
            out.setdefault(case_id, []).append(level)
    return out


async def warnings(
    session: AsyncSession,
    prefixes: Iterable[str],
    page: PageParams,
    *,
    rule_id: str | None,
    level: str | None,
    case_id: uuid.UUID | None,
) -> Sequence[ApprovalsWarning]:
    query = select(ApprovalsWarning).where(within_regions(ApprovalsWarning.region_code, prefixes))
    if rule_id is not None:
        query = query.where(ApprovalsWarning.rule_id == rule_id)
    if level is not None:
        query = query.where(ApprovalsWarning.level == level)
    if case_id is not None:
        query = query.where(ApprovalsWarning.case_id == case_id)
    return (
        (await session.execute(keyset(query, page, ApprovalsWarning.last_raised_at, ApprovalsWarning.id)))
        .scalars()
        .all()
    )


async def batch(session: AsyncSession, client_id: str, batch_key: str) -> StepBatch | None:
    query = select(StepBatch).where(StepBatch.client_id == client_id, StepBatch.batch_key == batch_key)
    return (await session.execute(query)).scalar_one_or_none()


# --- enforcement ------------------------------------------------------------------------------------------


async def powers_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> list[EnforcementPower]:
    wanted = list(ids)
    if not wanted:
        return []
    return list((await session.execute(select(EnforcementPower).where(EnforcementPower.id.in_(wanted)))).scalars())  # type: ignore[attr-defined]


async def penalties_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PenaltyDecision]:
    wanted = list(ids)
    if not wanted:
        return {}
    query = select(PenaltyDecision).where(PenaltyDecision.id.in_(wanted))  # type: ignore[attr-defined]
    return {d.id: d for d in (await session.execute(query)).scalars()}


async def warnings_past_correction(
    session: AsyncSession, *, rule_ids: Iterable[str], dispositions: Iterable[str], today: date
) -> list[ApprovalsWarning]:
    """Warnings of these rules under one of these dispositions, still active, whose correction deadline passed."""
    query = select(ApprovalsWarning).where(
        ApprovalsWarning.rule_id.in_(list(rule_ids)),  # type: ignore[attr-defined]
        ApprovalsWarning.disposition.in_(list(dispositions)),  # type: ignore[union-attr]
        ApprovalsWarning.status.not_in(["concluded", "dismissed", "closed"]),  # type: ignore[attr-defined]
        ApprovalsWarning.correct_by < today,  # type: ignore[operator]
    )
    return list((await session.execute(query)).scalars())


# --- performance ------------------------------------------------------------------------------------------


async def cases_concluded_between(
    session: AsyncSession, prefixes: Iterable[str], start: datetime, end: datetime
) -> list[tuple[ApprovalCase, Item]]:
    """Cases accepted and concluded (granted or refused) in [start, end), with their items."""
    query = (
        select(ApprovalCase, Item)
        .join(Item, Item.id == ApprovalCase.item_id)  # type: ignore[arg-type]
        .where(
            within_regions(ApprovalCase.region_code, prefixes),
            ApprovalCase.accepted_at.is_not(None),  # type: ignore[union-attr]
            ApprovalCase.concluded_at >= start,  # type: ignore[operator]
            ApprovalCase.concluded_at < end,  # type: ignore[operator]
        )
    )
    return [(c, i) for c, i in (await session.execute(query)).all()]


async def ratings_between(
    session: AsyncSession, prefixes: Iterable[str], start: datetime, end: datetime
) -> list[tuple[Rating, ApprovalCase, Item]]:
    """Ratings made in [start, end), except those whose appeal was upheld, with their cases and items."""
    query = (
        select(Rating, ApprovalCase, Item)
        .join(ApprovalCase, ApprovalCase.id == Rating.case_id)  # type: ignore[arg-type]
        .join(Item, Item.id == ApprovalCase.item_id)  # type: ignore[arg-type]
        .where(
            within_regions(Rating.region_code, prefixes),
            Rating.rated_at >= start,  # type: ignore[operator]
            Rating.rated_at < end,  # type: ignore[operator]
            or_(Rating.appeal.is_(None), Rating.appeal != "upheld"),  # type: ignore[union-attr]
        )
    )
    return [(r, c, i) for r, c, i in (await session.execute(query)).all()]


async def warnings_raised_between(
    session: AsyncSession, prefixes: Iterable[str], start: datetime, end: datetime
) -> list[ApprovalsWarning]:
    """Warnings first raised in [start, end), except those integrity dismissed."""
    query = select(ApprovalsWarning).where(
        within_regions(ApprovalsWarning.region_code, prefixes),
        ApprovalsWarning.first_raised_at >= start,  # type: ignore[operator]
        ApprovalsWarning.first_raised_at < end,  # type: ignore[operator]
        ApprovalsWarning.status != "dismissed",
    )
    return list((await session.execute(query)).scalars())


async def cases_with_items(session: AsyncSession, ids: Iterable[uuid.UUID]) -> list[tuple[ApprovalCase, Item]]:
    wanted = sorted(ids)
    out: list[tuple[ApprovalCase, Item]] = []
    for start in range(0, len(wanted), 500):
        query = (
            select(ApprovalCase, Item)
            .join(Item, Item.id == ApprovalCase.item_id)  # type: ignore[arg-type]
            .where(ApprovalCase.id.in_(wanted[start : start + 500]))  # type: ignore[attr-defined]
        )
        out.extend((c, i) for c, i in (await session.execute(query)).all())
    return out


async def listed_imports(session: AsyncSession, prefixes: Iterable[str], page: PageParams) -> Sequence[LogImport]:
    query = select(LogImport).where(within_regions(LogImport.region_code, prefixes))
    return (await session.execute(keyset(query, page, LogImport.created_at, LogImport.id))).scalars().all()
