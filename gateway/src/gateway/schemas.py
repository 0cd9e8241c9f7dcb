"""API shapes of the gateway."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sunlight.codes import USCC, RegionCode


class TokenRequest(BaseModel):
    """RFC 6749 §4.3, §4.4, §6 token request (application/x-www-form-urlencoded). A missing or malformed
    parameter is 400 ``invalid_request`` (RFC 6749 §5.2), never 422."""

    model_config = ConfigDict(
        title="TokenRequest", json_schema_extra={"required": ["grant_type"], "examples": [
            {"grant_type": "client_credentials", "scope": "funds:read"},
            {"grant_type": "password", "client_id": "sunlight-web", "username": "zhang.wei", "password": "…"},
        ]}
    )  # fmt: skip

    grant_type: str | None = Field(
        default=None,
        max_length=50,
        description="client_credentials, password or refresh_token (another is 400 unsupported_grant_type)",
        examples=["client_credentials"],
    )
    scope: str | None = Field(
        default=None, max_length=2000, description="space-separated scopes (default: all granted)"
    )
    client_id: str | None = Field(default=None, max_length=100)
    client_secret: str | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, max_length=100)
    password: str | None = Field(default=None, max_length=200)
    refresh_token: str | None = Field(default=None, max_length=200)


class TokenOut(BaseModel):
    """RFC 6749 §5.1 token response."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6749 token type, not a secret
    expires_in: int
    scope: str
    refresh_token: str | None = None


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(
        min_length=3, max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$", examples=["finance-bureau-130300"]
    )
    name: str = Field(min_length=1, max_length=200, examples=["秦皇岛市财政局 budget system"])
    scopes: list[str] = Field(min_length=1, examples=[["funds:read", "funds:write"]])
    regions: list[RegionCode] = Field(min_length=1, examples=[["130300"]])
    unit_uscc: USCC | None = None
    public: bool = Field(
        default=False,
        description="a public client (a frontend) has no secret: people sign in through it with the password "
        "grant; its scopes bound what their tokens may carry",
    )


class ClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    scopes: list[str] | None = Field(default=None, min_length=1)
    regions: list[RegionCode] | None = Field(default=None, min_length=1)
    active: bool | None = None


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    client_id: str
    name: str
    scopes: list[str]
    regions: list[str]
    unit_uscc: str | None
    active: bool
    public: bool
    created_at: datetime


class ClientCreated(ClientOut):
    client_secret: str | None = Field(
        description="shown once; store it in the bureau system's secret store (none for a public client)"
    )


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=100, pattern=r"^[a-z0-9][a-z0-9._@-]*$")
    password: str = Field(min_length=12, max_length=200)
    scopes: list[str] = Field(min_length=1)
    regions: list[RegionCode] = Field(min_length=1)
    unit_uscc: USCC | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=12, max_length=200)
    scopes: list[str] | None = Field(default=None, min_length=1)
    regions: list[RegionCode] | None = Field(default=None, min_length=1)
    active: bool | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    scopes: list[str]
    regions: list[str]
    unit_uscc: str | None
    active: bool
    created_at: datetime


class KeyRotated(BaseModel):
    current_kid: str
