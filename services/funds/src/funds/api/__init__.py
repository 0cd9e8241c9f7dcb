"""One router module per resource."""

from funds.api import disclosure, imports, movements, nodes, programmes, records, warnings, watchlist

routers = [
    programmes.router,
    nodes.router,
    movements.router,
    records.router,
    warnings.router,
    watchlist.router,
    imports.router,
    disclosure.router,
]
