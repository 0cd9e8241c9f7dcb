"""Related reports are grouped so one matter is handled once (归并).

A new report joins the group of the earliest report filed within ``group_window_days`` that is about the
same subject (same fund / tender / approval id, same unit, same official — by keyed hash), or whose text is
a near-duplicate (estimated Jaccard similarity of character shingles ≥ ``similarity_threshold``; LSH bands
find the candidates in the same city, see ``similarity.py``). The reason is kept on the ``grouped`` step
(same subject, similarity), so a handler sees why; a handler can split a wrong grouping, and a split report
is never grouped again automatically. A group reaching ``repeat_min_reports`` raises COMPLAINTS-REPEATED.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal

from complaints import alerts, events, repository, rules, similarity
from complaints.models import Report, ReportBand, StepKind
from complaints.schemas.reports import GroupMemberOut, GroupOut
from complaints.service import add_step, vault_of, visible_report
from complaints.settings import ComplaintsSettings

ACTOR = "system"


async def add_bands(session: AsyncSession, report: Report) -> None:
    """Store the report's LSH bands (one statement for all of them)."""
    if report.signature is None:
        return
    rows = [
        {"report_id": report.id, "position": position, "band": band, "filed_at": report.filed_at}
        for position, band in enumerate(similarity.bands(report.signature))
    ]
    await session.execute(insert(ReportBand), rows)


async def place(
    session: AsyncSession, settings: ComplaintsSettings, report: Report, *, now: datetime
) -> alerts.Finding | None:
    """Put ``report`` (added and flushed) into a group; returns the COMPLAINTS-REPEATED finding, if any.

    Text is compared with the first report of each candidate group (LSH band matches), so a comparison
    costs one signature per group, not per report."""
    report.group_id = report.id
    since = report.filed_at - timedelta(days=settings.group_window_days)
    # (filed_at, id, group, similarity, same subject) of each match; the earliest wins
    matches: list[tuple[datetime, str, uuid.UUID, float | None, bool]] = []
    if report.subject_key:
        other = await repository.first_on_subject(session, report.subject_key, since, exclude=report.id)
        if other is not None:
            matches.append((other.filed_at, str(other.id), other.group_id or other.id, None, True))
    if report.signature:
        bands = similarity.bands(report.signature)
        heads = await repository.band_heads(session, bands, since, report.region_code[:4], exclude=report.id)
        for head_id, filed_at, signature in heads:
            score = similarity.similarity(report.signature, signature)
            if score >= settings.similarity_threshold:
                matches.append((filed_at, str(head_id), head_id, round(score, 3), False))
                break  # ordered by filing: the first is the earliest
    if not matches:
        return None
    _, other_id, group, score, same = min(matches, key=lambda m: (m[0], m[1]))
    report.group_id = group
    add_step(
        session,
        report,
        StepKind.GROUPED,
        ACTOR,
        details={"group_id": str(group), "with_report": other_id, "same_subject": same, "similarity": score},
        now=now,
    )
    await session.flush()
    size = await repository.group_size(session, group)
    if not rules.repeated(settings, reports_in_group=size):
        return None
    head = await repository.report(session, group)
    subject = events.linked_subject(report) or alerts.report_subject(group)
    key = report.subject_key if report.subject_key and not report.subject_key.startswith("official:") else None
    return alerts.Finding(
        rule=rules.REPEATED,
        subject=subject,
        region_code=head.region_code if head is not None else report.region_code,
        evidence={
            "group_id": str(group),
            "reports": size,
            "report_id": str(report.id),
            "window_days": settings.group_window_days,
            "subject_kind": report.subject_kind,
        },
        dedupe_key=f"{rules.REPEATED.id}:{key or f'group:{group}'}",
        report_id=group,
        unit_uscc=report.subject_unit_uscc,
    )


async def group_of(session: AsyncSession, who: Principal, report_id: uuid.UUID) -> GroupOut:
    report = await visible_report(session, who, report_id)
    group = report.group_id or report.id
    members = [m for m in await repository.group_members(session, group) if who.sees_region(m.region_code)]
    head = next((m for m in members if m.id == group), None)
    out = []
    for m in members:
        score = None
        if head is not None and head.signature and m.signature:
            score = round(similarity.similarity(head.signature, m.signature), 3)
        same = head is not None and m.subject_key is not None and m.subject_key == head.subject_key
        out.append(GroupMemberOut(id=m.id, status=m.status, filed_at=m.filed_at, similarity=score, same_subject=same))
    return GroupOut(group_id=group, members=out)


async def split(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    report_id: uuid.UUID,
    reason: str,
    *,
    now: datetime,
) -> uuid.UUID:
    """Take the report out of its group (it becomes its own); returns the group the others stay in."""
    report = await visible_report(session, who, report_id, for_update=True)
    old = report.group_id or report.id
    others = [m for m in await repository.group_members(session, old) if m.id != report.id]
    remaining = old
    if report.id == old and others:  # the first report leaves: the next one heads the others
        remaining = others[0].id
        for m in others:
            m.group_id = remaining
    report.group_id = report.id
    report.group_locked = True
    vault = await vault_of(session, settings, report)
    add_step(
        session,
        report,
        StepKind.SPLIT,
        who.subject,
        vault=vault,
        note=reason,
        details={"from_group": str(old)},
        now=now,
    )
    return remaining
