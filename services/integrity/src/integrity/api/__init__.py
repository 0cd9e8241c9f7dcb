"""One router module per resource."""

from integrity.api import (
    assessments,
    dispositions,
    frameworks,
    overview,
    results,
    risk_points,
    subjects,
    units,
    warnings,
)

routers = [
    warnings.router,
    dispositions.router,
    risk_points.router,
    frameworks.router,
    results.router,
    subjects.router,
    assessments.router,
    units.router,
    overview.router,
]
