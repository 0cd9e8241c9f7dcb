"""Satisfaction ratings (好差评) with rectification of bad ones and appeals, and the error-correction library (纠错库).

A case is rated once (一事一评), 1–5. A bad rating (1–2) is rectified within ``rating_rectify_days`` working
days; one not rectified in time is APPROVALS-BAD-RATING-UNRECTIFIED (found by the sweep, or when a late
rectification arrives). A rating appealed as mistaken or malicious is held while the appeal is pending and
cleared when it is upheld. An error recorded against a window that the same window made
``errors_repeat_count`` times within ``errors_window_days`` is APPROVALS-REPEATED-ERRORS.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.db import utcnow, within_regions
from sunlight.errors import Conflict, NotFound
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, keyset, make_page

from approvals import alerts, rules
from approvals.alerts import Finding
from approvals.models import ApprovalCase, CaseError, Rating
from approvals.schemas.cases import (
    AppealDecisionIn,
    AppealIn,
    ErrorIn,
    ErrorOut,
    RatingIn,
    RatingOut,
    RectificationIn,
)
from approvals.settings import ApprovalsSettings


class RatingExists(Conflict):
    slug, title = "rating-exists", "The case has been rated (one rating per case)"


class NoAppeal(Conflict):
    slug, title = "no-appeal", "The rating has no pending appeal"


def rating_out(r: Rating, raised: int = 0) -> RatingOut:
    return RatingOut(
        id=r.id,
        case_id=r.case_id,
        region_code=r.region_code,
        score=r.score,
        rated_at=r.rated_at,
        rectify_by=r.rectify_by,
        rectified_at=r.rectified_at,
        rectification=r.rectification,
        appeal=r.appeal,
        appeal_reason=r.appeal_reason,
        warnings_raised=raised,
    )


def rating_findings(
    settings: ApprovalsSettings, pairs: Sequence[tuple[Rating, ApprovalCase]], today: date
) -> list[Finding]:
    zone = settings.zone
    out: list[Finding] = []
    for rating, case in pairs:
        rectified_on = rating.rectified_at.astimezone(zone).date() if rating.rectified_at else None
        late = rules.rating_overdue(
            score=rating.score,
            rectify_by=rating.rectify_by,
            rectified_on=rectified_on,
            today=today,
            appeal=rating.appeal,
        )
        if not late:
            continue
        assert rating.rectify_by is not None
        out.append(
            Finding(
                rule=rules.BAD_RATING_UNRECTIFIED,
                case_id=case.id,
                case_no=case.case_no,
                region_code=case.region_code,
                dedupe_key=f"{rules.BAD_RATING_UNRECTIFIED.id}:case:{case.id}",
                evidence={
                    "case_no": case.case_no,
                    "score": rating.score,
                    "rated_on": rating.rated_at.astimezone(zone).date().isoformat(),
                    "rectify_by": rating.rectify_by.isoformat(),
                    "rectified_on": rectified_on.isoformat() if rectified_on else None,
                    "days_late": late,
                    "rating_rectify_days": settings.rating_rectify_days,
                },
            )
        )
    return out


async def overdue_ratings(session: AsyncSession, today: date) -> list[tuple[Rating, ApprovalCase]]:
    query = (
        select(Rating, ApprovalCase)
        .join(ApprovalCase, ApprovalCase.id == Rating.case_id)  # type: ignore[arg-type]
        .where(Rating.rectify_by < today, Rating.rectified_at.is_(None))  # type: ignore[operator, union-attr]
    )
    return [(r, c) for r, c in (await session.execute(query)).all()]


async def _case(session: AsyncSession, who: Principal, case_id: uuid.UUID) -> ApprovalCase:
    return who.visible(await session.get(ApprovalCase, case_id), "case")


async def _rating(
    session: AsyncSession, who: Principal, case_id: uuid.UUID, lock: bool = False
) -> tuple[Rating, ApprovalCase]:
    case = await _case(session, who, case_id)
    query = select(Rating).where(Rating.case_id == case.id)
    if lock:
        query = query.with_for_update()
    rating = (await session.execute(query)).scalar_one_or_none()
    if rating is None:
        raise NotFound("the case has no rating")
    return rating, case


async def rate(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, case_id: uuid.UUID, body: RatingIn,
    *, key: IdempotencyKey | None,
) -> RatingOut:  # fmt: skip
    case = await _case(session, who, case_id)
    await idempotency.begin(session, who, key)
    rated_on = body.rated_at.astimezone(settings.zone).date()
    rectify_by = settings.calendar.add_workdays(rated_on, settings.rating_rectify_days) if body.score <= 2 else None
    rating = Rating(case_id=case.id, region_code=case.region_code, score=body.score, rated_at=body.rated_at,
                    rectify_by=rectify_by)  # fmt: skip
    session.add(rating)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise RatingExists("this case has been rated; a case is rated once") from None
    out = rating_out(rating)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_rating(session: AsyncSession, who: Principal, case_id: uuid.UUID) -> RatingOut:
    rating, _ = await _rating(session, who, case_id)
    return rating_out(rating)


async def rectify(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, case_id: uuid.UUID, body: RectificationIn
) -> RatingOut:
    """Record the rectification; one that came after the deadline raises the warning it would have in the sweep."""
    rating, case = await _rating(session, who, case_id, lock=True)
    who.ensure_can_write(case.region_code)
    rating.rectified_at, rating.rectification = body.rectified_at, body.rectification
    today = body.rectified_at.astimezone(settings.zone).date()
    raised = await alerts.raise_findings(session, rating_findings(settings, [(rating, case)], today), now=utcnow())
    out = rating_out(rating, raised)
    await session.commit()
    return out


async def appeal(session: AsyncSession, who: Principal, case_id: uuid.UUID, body: AppealIn) -> RatingOut:
    rating, case = await _rating(session, who, case_id, lock=True)
    who.ensure_can_write(case.region_code)
    if rating.appeal is not None:
        raise Conflict(f"the rating was appealed already ({rating.appeal})")
    rating.appeal, rating.appeal_reason = "pending", body.reason
    out = rating_out(rating)
    await session.commit()
    return out


async def decide_appeal(session: AsyncSession, who: Principal, case_id: uuid.UUID, body: AppealDecisionIn) -> RatingOut:
    rating, case = await _rating(session, who, case_id, lock=True)
    who.ensure_can_write(case.region_code)
    if rating.appeal != "pending":
        raise NoAppeal("only a pending appeal is decided")
    rating.appeal = body.outcome.value
    out = rating_out(rating)
    await session.commit()
    return out


# --- the error-correction library ----------------------------------------------------------------------


def error_out(e: CaseError, raised: int = 0) -> ErrorOut:
    return ErrorOut(
        id=e.id,
        region_code=e.region_code,
        case_id=e.case_id,
        window_code=e.window_code,
        officer_code=e.officer_code,
        error_code=e.error_code,
        description=e.description,
        correction=e.correction,
        found_on=e.found_on,
        created_at=e.created_at,
        warnings_raised=raised,
    )


async def error_findings(
    session: AsyncSession, settings: ApprovalsSettings, region_code: str, window_code: str, error_code: str
) -> list[Finding]:
    since_query = select(CaseError.id, CaseError.found_on).where(
        CaseError.region_code == region_code, CaseError.window_code == window_code, CaseError.error_code == error_code
    )
    rows = (await session.execute(since_query)).all()
    run = rules.repeated(
        [d for _, d in rows], count=settings.errors_repeat_count, window_days=settings.errors_window_days
    )
    if run is None:
        return []
    ids = sorted(str(i) for i, d in rows if run[0] <= d <= run[-1])
    return [
        Finding(
            rule=rules.REPEATED_ERRORS,
            case_id=None,
            case_no=window_code,
            region_code=region_code,
            subject_kind="window",
            subject_id=window_code,
            dedupe_key=f"{rules.REPEATED_ERRORS.id}:window:{window_code}:{error_code}",
            evidence={
                "window_code": window_code,
                "error_code": error_code,
                "count": len(run),
                "first_on": run[0].isoformat(),
                "last_on": run[-1].isoformat(),
                "error_ids": ids[:50],
                "errors_window_days": settings.errors_window_days,
            },
            signature=alerts.signature(len(run)),
        )
    ]


async def record_error(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, body: ErrorIn, *, key: IdempotencyKey | None
) -> ErrorOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if body.case_id is not None:
        case = await session.get(ApprovalCase, body.case_id)
        if case is None or not who.sees_region(case.region_code):
            raise NotFound("no such case", field="case_id")
    row = CaseError(**body.model_dump())
    session.add(row)
    await session.flush()
    findings = await error_findings(session, settings, body.region_code, body.window_code, body.error_code)
    raised = await alerts.raise_findings(session, findings, now=utcnow())
    out = error_out(row, raised)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_errors(
    session: AsyncSession, who: Principal, page: PageParams, *, window_code: str | None, error_code: str | None
) -> Page[ErrorOut]:
    query = select(CaseError).where(within_regions(CaseError.region_code, who.region_prefixes))
    if window_code is not None:
        query = query.where(CaseError.window_code == window_code)
    if error_code is not None:
        query = query.where(CaseError.error_code == error_code)
    rows = (await session.execute(keyset(query, page, CaseError.created_at, CaseError.id))).scalars().all()
    return make_page(rows, page, lambda e: [e.created_at.isoformat(), str(e.id)], error_out)
