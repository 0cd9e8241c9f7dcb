"""The gateway's own routes."""

from gateway.api import admin, oauth, wellknown

routers = [oauth.router, wellknown.router, admin.router]
