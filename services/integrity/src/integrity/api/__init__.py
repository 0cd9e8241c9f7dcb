"""One router module per resource."""

from integrity.api import (
    assessments,
    closures,
    dispositions,
    frameworks,
    overview,
    raters,
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
    raters.router,
    closures.router,
    units.router,
    overview.router,
]
