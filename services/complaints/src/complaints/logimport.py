"""Importing a complaint lifecycle log (XES): each case a report with its hand-offs, on the statutory clock.

Every case is written like a hotline record (``imports.write_record``: accepted on receipt, closed when the
log says it was done; COMPLAINTS-CONCLUSION-LATE when done after its deadline or still open past it — orange,
red once ``conclusion_red_after_days`` late), each hand-off between teams is an ``assigned`` step, and a case
handed on more than ``handoff_max`` times raises COMPLAINTS-HANDED-AROUND (orange when also late). A log has
no free text, so its cases are not grouped. Cases already imported (by external id) are skipped; each chunk
of ``per_commit`` cases is one transaction with its events (and the progress, when asked). The XML is parsed
on one thread of its own (``sunlight.xes.on_own_thread``), so the service keeps answering during an import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.warnings import region_key
from sunlight.xes import chunks, on_own_thread

from complaints import alerts, deadlines, imports, repository, rules
from complaints.importers.lifecycle import Lifecycle, lifecycles
from complaints.models import Channel, StepKind
from complaints.service import add_step
from complaints.settings import ComplaintsSettings


@dataclass
class LogStats:
    cases: int = 0
    imported: int = 0
    skipped: int = 0
    handoffs: int = 0
    late: Counter[str] = field(default_factory=Counter)  # level → cases concluded late (or open past the deadline)
    handed_around: Counter[str] = field(default_factory=Counter)  # level → cases handed on too often
    events: int = 0  # warning events sent


Progress = Callable[[AsyncSession, LogStats], Awaitable[None]]


async def _write(
    session: AsyncSession,
    settings: ComplaintsSettings,
    chunk: list[Lifecycle],
    stats: LogStats,
    progress: Progress | None,
) -> None:
    now = utcnow()
    today = deadlines.today(settings, now)
    seen = await repository.external_ids(session, (c.record.external_id for c in chunk))
    findings: dict[str, alerts.Finding] = {}
    for case in chunk:
        stats.cases += 1
        if case.record.external_id in seen:
            stats.skipped += 1
            continue
        seen.add(case.record.external_id)
        report = await imports.write_record(
            session, settings, case.record, findings, today=today, now=now, channel=Channel.OTHER, group=False
        )
        late_key = region_key(report.region_code, f"{rules.CONCLUSION_LATE.id}:report:{report.id}:0")
        late = findings.get(late_key)
        if late is not None:
            stats.late[(late.level or late.rule.level).value] += 1
        for at, team in case.handoffs:
            add_step(session, report, StepKind.ASSIGNED, imports.ACTOR, details={"team": team}, now=at)
        stats.handoffs += len(case.handoffs)
        level = rules.handed_around(settings, handoffs=len(case.handoffs), late=late is not None)
        if level is not None:
            stats.handed_around[level.value] += 1
            teams = sorted({team for _, team in case.handoffs})
            finding = alerts.Finding(
                rule=rules.HANDED_AROUND,
                subject=alerts.report_subject(report.id),
                region_code=report.region_code,
                evidence={
                    "report_id": str(report.id),
                    "external_id": case.record.external_id,
                    "handoffs": len(case.handoffs),
                    "teams": teams[:20],
                    "handoff_max": settings.handoff_max,
                    "late": late is not None,
                },
                dedupe_key=f"{rules.HANDED_AROUND.id}:report:{report.id}",
                report_id=report.id,
                level=level,
            )
            findings[finding.dedupe_key] = finding
        stats.imported += 1
    stats.events += await alerts.raise_findings(session, list(findings.values()), now=now, repeat=True)
    if progress is not None:
        await progress(session, stats)
    await session.commit()


async def import_log(
    session: AsyncSession,
    settings: ComplaintsSettings,
    who: Principal,
    path: str | Path,
    *,
    region_code: str,
    due_days: int | None = None,
    max_traces: int | None = None,
    per_commit: int = 500,
    prefix: str = "xes",
    progress: Progress | None = None,
) -> LogStats:
    """Import the log's cases (the first ``max_traces`` when given) into ``region_code``, which the caller must
    be allowed to write. ``due_days``: the deadline in calendar days from receipt (the log's own service level);
    without it, the statutory ``conclusion_days``. ``progress`` is called in each chunk's transaction."""
    who.ensure_can_write(region_code)
    stats = LogStats()
    cases = lifecycles(Path(path), region_code=region_code, due_days=due_days, prefix=prefix)
    async with on_own_thread(chunks(cases, per_commit, max_traces), "complaints-xes") as next_chunk:
        while (chunk := await next_chunk()) is not None:
            await _write(session, settings, chunk, stats, progress)
    return stats
