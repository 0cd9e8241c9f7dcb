"""Importing a process log into the service: each selected trace becomes a case, each mapped event a step.

The mapping's ``[item.kinds]`` says which activities are which steps (others are not stored); the
item must be in the catalogue of the region (its code = the mapping's ``name``). Traces are read as a
stream and written in chunks (one transaction each), through the same path as pushed steps
(``cases.write_steps``): every case is evaluated and its findings raised. Steps already stored (same
region, case number, step kind and time — the same log sent again after an import was cut short) are
counted in ``steps_known`` and left out, so importing a log twice stores it once. A trace's
``concept:name`` becomes the case number, an event's ``org:resource`` the officer (characters a
code cannot hold become ``_``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.db import utcnow
from sunlight.xes import Trace, chunks, iter_traces, on_own_thread

from approvals import cases
from approvals.mapping import Mapping
from approvals.models import StepKind
from approvals.schemas.cases import StepIn
from approvals.settings import ApprovalsSettings

NOT_CODE = re.compile(r"[^A-Za-z0-9._/:-]")
NEEDS_DETAILS = frozenset({StepKind.REQUEST_CORRECTION, StepKind.SUSPEND, StepKind.CHARGE_FEE})


@dataclass
class ImportStats:
    traces: int = 0
    cases: int = 0
    steps: int = 0
    steps_known: int = 0  # already stored, not added again
    events_read: int = 0
    warnings_raised: int = 0
    findings: Counter[str] = field(default_factory=Counter)  # per rule id


def code(value: str, limit: int = 64) -> str:
    cleaned = NOT_CODE.sub("_", value.strip())[:limit] or "_"
    return cleaned if cleaned[0].isalnum() else "X" + cleaned[: limit - 1]


def records(trace: Trace, mapping: Mapping, region_code: str) -> list[StepIn]:
    """The steps of one trace, in time order; none when no item selects it or none of its events is mapped."""
    item = mapping.item_for(trace.attributes)
    if item is None or not item.kinds or trace.case_id is None:
        return []
    events = [e for e in trace.events if e.activity in item.kinds and e.timestamp is not None]
    events.sort(key=lambda e: e.timestamp)  # type: ignore[arg-type, return-value]
    out: list[StepIn] = []
    for index, event in enumerate(events):
        assert event.timestamp is not None and event.activity is not None
        out.append(
            StepIn(
                case_no=code(trace.case_id, 100),
                region_code=region_code,
                item_code=item.name if index == 0 else None,
                step=item.kinds[event.activity],
                occurred_at=event.timestamp,
                officer_code=code(event.resource) if event.resource else None,
            )
        )
    return out


async def import_log(
    session: AsyncSession,
    settings: ApprovalsSettings,
    who: Principal,
    path: str | Path,
    mapping: Mapping,
    *,
    region_code: str,
    traces_per_commit: int = 200,
    max_traces: int | None = None,
    progress: Callable[[AsyncSession, ImportStats], Awaitable[None]] | None = None,
) -> ImportStats:
    """Import the log's selected traces (the first ``max_traces``, when given) as cases of ``region_code``, which
    the caller must be allowed to write. ``progress`` is called in each chunk's transaction, before its commit."""
    who.ensure_can_write(region_code)
    bad = {k for i in mapping.item for k in i.kinds.values() if k in NEEDS_DETAILS}
    if bad:
        raise ValueError(f"steps a log cannot fill in (their details are not in it): {', '.join(sorted(bad))}")
    stats = ImportStats()
    # the XML is parsed off the event loop, one chunk at a time, on one thread of its own (sunlight.xes)
    async with on_own_thread(chunks(iter_traces(path), traces_per_commit, max_traces), "approvals-xes") as next_chunk:
        while (chunk := await next_chunk()) is not None:
            await _write_chunk(session, settings, who, chunk, mapping, region_code, stats, progress)
    return stats


async def _write_chunk(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, chunk: list[Trace], mapping: Mapping,
    region_code: str, stats: ImportStats, progress: Callable[[AsyncSession, ImportStats], Awaitable[None]] | None,
) -> None:  # fmt: skip
    """One chunk of traces written in one transaction (with the progress, when asked)."""
    bodies: list[StepIn] = []
    for trace in chunk:
        stats.traces += 1
        stats.events_read += len(trace.events)
        bodies.extend(records(trace, mapping, region_code))
    if bodies:
        written, wrong = await cases.write_steps(session, settings, who, bodies, now=utcnow(), skip_stored=True)
        if wrong:
            await session.rollback()
            index, problem = wrong[0]
            raise ValueError(f"case {bodies[index].case_no}: {problem.detail or problem.title}")
        stats.cases += len(written.cases)
        stats.steps += len(written.steps)
        stats.steps_known += written.known
        stats.warnings_raised += written.raised
        stats.findings.update(written.findings)
    if progress is not None:
        await progress(session, stats)
    await session.commit()
