"""One router module per resource."""

from funds.api import movements, programmes

routers = [programmes.router, movements.router]
