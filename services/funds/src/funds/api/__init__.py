"""One router module per resource."""

from funds.api import (
    disclosure,
    imports,
    movements,
    nodes,
    payees,
    programmes,
    records,
    thresholds,
    warnings,
    watchlist,
)

routers = [
    programmes.router,
    nodes.router,
    movements.router,
    payees.router,
    records.router,
    thresholds.router,
    warnings.router,
    watchlist.router,
    imports.router,
    disclosure.router,
]
