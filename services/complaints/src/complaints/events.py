"""The events the complaints service emits, built from its rows: never a text, a name or a receipt.

Warnings (``warnings.raised.v1``) are built in ``alerts.py``.
"""

from __future__ import annotations

from typing import Any

from sunlight.events import Envelope, new_event
from sunlight.events.contracts.common import SubjectRef
from sunlight.events.contracts.complaints import ReportFiled

from complaints.models import Report, SubjectKind

SOURCE = "/sunlight/complaints"


def linked_subject(report: Report) -> SubjectRef | None:
    """The subject as the service that owns it knows it: a fund, tender or approval by its id; a unit (or an
    official's unit) by its USCC. An official's name never leaves complaints."""
    if report.subject_service and report.subject_ref_kind and report.subject_ref_id:
        return SubjectRef(service=report.subject_service, kind=report.subject_ref_kind, id=report.subject_ref_id)
    if report.subject_kind in (SubjectKind.UNIT, SubjectKind.OFFICIAL) and report.subject_unit_uscc:
        return SubjectRef(service="complaints", kind="unit", id=report.subject_unit_uscc)
    return None


def report_filed(report: Report) -> Envelope[Any]:
    return new_event(
        ReportFiled(
            report_id=str(report.id),
            region_code=report.region_code,
            category=report.category,
            subject=linked_subject(report),
            anonymous=report.anonymous,
            filed_at=report.filed_at,
        ),
        source=SOURCE,
        subject=f"report/{report.id}",
    )
