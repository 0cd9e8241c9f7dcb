"""Gateway problem types. OAuth errors are problem+json that also carry RFC 6749's ``error``
and ``error_description`` members, so OAuth client libraries understand them too."""

from __future__ import annotations

from typing import Any

from sunlight.errors import BadRequest, Conflict, Forbidden, InvalidInput, Problem, Unauthenticated


class RequestBodyTimeout(Problem):
    slug, title, status = "request-timeout", "The request body did not arrive in time", 408

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["Connection"] = "close"


class OAuthError(Problem):
    slug, title, status = "oauth", "The token request was refused", 400
    error = "invalid_request"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, error=self.error, error_description=detail or self.title, **extensions)
        self.headers["Cache-Control"] = "no-store"


class InvalidClient(OAuthError):
    slug, title, status = "oauth/invalid-client", "Client authentication failed", 401
    error = "invalid_client"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Basic realm="sunlight"'


class InvalidGrant(OAuthError):
    slug, title = "oauth/invalid-grant", "The grant is invalid, expired or revoked"
    error = "invalid_grant"


class UnsupportedGrant(OAuthError):
    slug, title = "oauth/unsupported-grant-type", "This grant type is not supported"
    error = "unsupported_grant_type"


class InvalidScope(OAuthError):
    slug, title = "oauth/invalid-scope", "The requested scope is not allowed for this client"
    error = "invalid_scope"


class OAuthRequestInvalid(OAuthError):
    slug, title = "oauth/invalid-request", "The token request is malformed"
    error = "invalid_request"


class UnknownScope(InvalidInput):
    slug, title = "unknown-scope", "A scope is not one Sunlight knows"


class GrantBeyondOwn(Forbidden):
    slug, title = "grant-beyond-own", "An administrator can only grant scopes and regions they hold"


class AccountBeyondOwn(Forbidden):
    slug, title = (
        "account-beyond-own",
        "An administrator can only manage accounts whose scopes and regions are within their own",
    )


class WeakPassword(InvalidInput):
    slug, title = "weak-password", "The password is too easy to guess"


class PublicClientOnly(InvalidClient):
    slug, title = "oauth/public-client-only", "Only a registered public client may use this grant"


class DuplicateClient(Conflict):
    slug, title = "duplicate-client", "A client or user with this id exists"


__all__ = [
    "AccountBeyondOwn",
    "BadRequest",
    "DuplicateClient",
    "GrantBeyondOwn",
    "InvalidClient",
    "InvalidGrant",
    "InvalidScope",
    "OAuthError",
    "OAuthRequestInvalid",
    "PublicClientOnly",
    "RequestBodyTimeout",
    "Unauthenticated",
    "UnknownScope",
    "UnsupportedGrant",
    "WeakPassword",
]
