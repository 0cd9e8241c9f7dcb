"""Problem types of the integrity service."""

from __future__ import annotations

from sunlight.errors import Conflict, Forbidden, InvalidInput


class WarningNotActive(Conflict):
    """The warning is closed or dismissed: nothing more can be done with it."""

    slug, title = "warning-not-active", "The warning is no longer active"


class DispositionActive(Conflict):
    slug, title = "disposition-active", "The warning already has an active disposition"


class DispositionConcluded(Conflict):
    slug, title = "disposition-concluded", "The disposition is concluded"


class FrameworkExists(Conflict):
    slug, title = "framework-exists", "A framework with this code exists"


class InvalidFramework(InvalidInput):
    slug, title = "invalid-framework", "The indicator framework is not consistent"


class InvalidPeriod(InvalidInput):
    slug, title = "invalid-period", "Not a period (2026, 2026-H1, 2026-Q2 or 2026-03)"


class InvalidScore(InvalidInput):
    """An assessment names an indicator or evaluating body the framework lacks, or a score off its scale."""

    slug, title = "invalid-score", "The assessment does not fit the framework"


class SubjectExists(Conflict):
    slug, title = "subject-exists", "A subject of this kind with this code exists"


class SubjectKindMismatch(InvalidInput):
    slug, title = "subject-kind-mismatch", "The framework assesses another kind of subject"


class RiskPointExists(Conflict):
    slug, title = "risk-point-exists", "A risk point with this code exists"


class NotEvaluatingBody(Forbidden):
    """A sheet is entered by a principal of the body it belongs to: the token's unit must be registered
    as that evaluating body for the subject's region (``POST /v1/integrity/evaluating-bodies``)."""

    slug, title = "not-evaluating-body", "The caller's unit is not this evaluating body here"


class OneUnitOneBody(Conflict):
    """One unit already entered another body's sheet for this subject and period."""

    slug, title = "one-unit-one-body", "This unit already rated the subject as another evaluating body"


class RaterExists(Conflict):
    slug, title = "rater-exists", "This unit is already registered as this evaluating body here"


class PeriodClosed(Conflict):
    """The period is closed in the subject's region: its results are published and stay as they are."""

    slug, title = "period-closed", "The period is closed in this region"
