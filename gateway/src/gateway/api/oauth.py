"""POST /oauth/token — OAuth2 token endpoint (RFC 6749): client credentials, password, refresh."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sunlight.errors import RateLimited, problem_responses

from gateway import service
from gateway.clientip import client_ip
from gateway.deps import SessionDep, StateDep
from gateway.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    OAuthRequestInvalid,
    PublicClientOnly,
    UnsupportedGrant,
)
from gateway.schemas import TokenOut, TokenRequest


class OAuthRoute(APIRoute):
    """RFC 6749 §5.2: a token request that does not parse is 400 ``invalid_request``, not 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                where = ", ".join("/".join(str(p) for p in error.get("loc", ())[1:]) for error in exc.errors())
                raise OAuthRequestInvalid(f"malformed parameter: {where}" if where else None) from None

        return handle


router = APIRouter(tags=["oauth"], route_class=OAuthRoute)


def client_address(request: Request) -> str:
    """The caller's address for the token endpoint's limits: the TCP peer, or behind a proxy named in
    ``SUNLIGHT_TRUSTED_PROXIES`` the address it forwarded (the same rule as the proxy path's)."""
    return client_ip(request.scope, request.app.state.gateway.proxy.trusted)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("malformed Basic credentials") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)  # RFC 6749 §2.3.1 form-encodes both


@router.post(
    "/oauth/token",
    operation_id="issueToken",
    summary="Get an access token",
    response_model=TokenOut,
    responses=problem_responses(
        OAuthRequestInvalid, InvalidClient, PublicClientOnly, InvalidGrant, UnsupportedGrant, InvalidScope, RateLimited
    ),
)
async def token(
    request: Request,
    session: SessionDep,
    state: StateDep,
    form: Annotated[TokenRequest, Form()],
) -> JSONResponse:
    """Bureau systems use ``client_credentials`` (HTTP Basic or form fields); people use
    ``password`` through a registered public client (``client_id``, no secret; the frontend's by
    default) and then ``refresh_token`` (refresh tokens rotate; a reused one revokes its family; a
    sign-in lasts at most ``refresh_session_max_seconds``). Requests are limited per address and per
    account, and each failed guess doubles the wait before the next one is checked.
    Errors are problem+json that also carry OAuth's ``error`` member."""
    settings = state.settings
    grant_type, scope, username, password = form.grant_type, form.scope, form.username, form.password
    client_id, client_secret, refresh_token = form.client_id, form.client_secret, form.refresh_token
    if not grant_type:
        raise OAuthRequestInvalid("grant_type is required")
    basic = _basic_credentials(request)
    if basic and (client_id or client_secret):
        raise OAuthRequestInvalid("use one client authentication method, not both")
    if basic:
        client_id, client_secret = basic
    address = client_address(request)
    account = {"client_credentials": client_id, "password": username}.get(grant_type)
    # a person's password can be guessed, a client's 256-bit secret cannot: only people's accounts
    # back off (a client's would only let anyone lock a bureau system out); addresses always do
    guessable = username if grant_type == "password" else None
    await state.limits.token_endpoint(address, account, guessable)
    try:
        if grant_type == "client_credentials":
            if not client_id or not client_secret:
                raise InvalidClient("client authentication is required")
            out = await service.client_credentials(
                session, state.issuer, client_id=client_id, secret=client_secret, scope=scope
            )
        elif grant_type == "password":
            if not username or not password:
                raise OAuthRequestInvalid("username and password are required")
            if client_secret:
                raise PublicClientOnly("the password grant is for public clients, which send no secret")
            out = await service.password_grant(
                session,
                state.issuer,
                username=username,
                password=password,
                scope=scope,
                client_id=client_id or settings.public_client_id,
                refresh_seconds=settings.refresh_token_seconds,
                session_seconds=settings.refresh_session_max_seconds,
            )
        elif grant_type == "refresh_token":
            if not refresh_token:
                raise OAuthRequestInvalid("refresh_token is required")
            out = await service.refresh_grant(
                session,
                state.issuer,
                token=refresh_token,
                scope=scope,
                client_id=client_id or settings.public_client_id,
                refresh_seconds=settings.refresh_token_seconds,
                session_seconds=settings.refresh_session_max_seconds,
            )
        else:
            raise UnsupportedGrant(f"grant_type {grant_type!r} is not supported")
    except (InvalidClient, InvalidGrant):
        await state.limits.token_failed(address, guessable)
        raise
    await state.limits.token_succeeded(guessable)
    return JSONResponse(out.model_dump(exclude_none=True), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
