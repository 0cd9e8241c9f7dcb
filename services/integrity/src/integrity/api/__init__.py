"""One router module per resource."""

from integrity.api import warnings

routers = [warnings.router]
