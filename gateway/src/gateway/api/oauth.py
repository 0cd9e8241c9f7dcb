"""POST /oauth/token — OAuth2 token endpoint (RFC 6749): client credentials, password, refresh."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from sunlight.errors import problem_responses

from gateway import service
from gateway.deps import SessionDep, StateDep
from gateway.errors import InvalidClient, InvalidGrant, InvalidScope, OAuthRequestInvalid, UnsupportedGrant
from gateway.schemas import TokenOut

router = APIRouter(tags=["oauth"])

PUBLIC_CLIENT = "sunlight-web"  # people signing in (frontend, Swagger UI) without a client secret


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
    summary="Get an access token",
    response_model=TokenOut,
    responses=problem_responses(OAuthRequestInvalid, InvalidClient, InvalidGrant, UnsupportedGrant, InvalidScope),
)
async def token(
    request: Request,
    session: SessionDep,
    state: StateDep,
    grant_type: Annotated[str, Form(description="client_credentials, password or refresh_token")],
    scope: Annotated[str | None, Form(max_length=2000)] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    username: Annotated[str | None, Form(max_length=100)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
) -> JSONResponse:
    """Bureau systems use ``client_credentials`` (HTTP Basic or form fields); people use
    ``password`` and then ``refresh_token`` (refresh tokens rotate; a reused one revokes its family).
    Errors are problem+json that also carry OAuth's ``error`` member."""
    settings = state.settings
    basic = _basic_credentials(request)
    if basic and (client_id or client_secret):
        raise OAuthRequestInvalid("use one client authentication method, not both")
    if basic:
        client_id, client_secret = basic
    ip = request.client.host if request.client else "-"
    await state.limits.token_endpoint(f"{ip}:{client_id or username or '-'}")
    if grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise InvalidClient("client authentication is required")
        out = await service.client_credentials(
            session, state.issuer, client_id=client_id, secret=client_secret, scope=scope
        )
    elif grant_type == "password":
        if not username or not password:
            raise OAuthRequestInvalid("username and password are required")
        out = await service.password_grant(
            session,
            state.issuer,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id or PUBLIC_CLIENT,
            refresh_seconds=settings.refresh_token_seconds,
        )
    elif grant_type == "refresh_token":
        if not refresh_token:
            raise OAuthRequestInvalid("refresh_token is required")
        out = await service.refresh_grant(
            session,
            state.issuer,
            token=refresh_token,
            scope=scope,
            client_id=client_id or PUBLIC_CLIENT,
            refresh_seconds=settings.refresh_token_seconds,
        )
    else:
        raise UnsupportedGrant(f"grant_type {grant_type!r} is not supported")
    return JSONResponse(out.model_dump(exclude_none=True), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
