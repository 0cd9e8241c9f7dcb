"""The events the approvals service emits, built from its rows (never with personal data).

Warnings (``warnings.raised.v1``) are built in ``alerts.py`` from the findings of ``checks.py``.
"""

from __future__ import annotations

from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.approvals import CaseConcluded

from approvals.clock import Clock
from approvals.models import ApprovalCase, Item

SOURCE = "/sunlight/approvals"


def case_concluded(case: ApprovalCase, item: Item, clock: Clock, department_uscc: str | None) -> Envelope[Any]:
    """On time means within the promised limit (承诺时限, the public commitment; at most the legal one) — the
    按时办结率 integrity counts per department."""
    assert case.accepted_at is not None and case.concluded_at is not None
    return new_event(
        CaseConcluded(
            case_id=str(case.id),
            item_code=item.code,
            region_code=case.region_code,
            department_uscc=department_uscc,
            accepted_at=case.accepted_at,
            concluded_at=case.concluded_at,
            limit_workdays=clock.promised_days,
            used_workdays=clock.used_days,
            on_time=clock.used_days <= clock.promised_days,
            result=case.result or "approved",
        ),
        source=SOURCE,
        subject=f"case/{case.id}",
    )
