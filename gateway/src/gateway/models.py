"""Gateway tables: clients, users, signing keys, refresh tokens, access revocations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sunlight.db import UTCDateTime, make_registry, utcnow
from sunlight.reencrypt import Sealed

registry = make_registry()


class Base(SQLModel, registry=registry):
    pass


metadata = Base.metadata


class Client(Base, table=True):
    """A bureau system (OAuth2 confidential client, client-credentials grant), or a public client
    (the frontend, Swagger UI: no secret) through which people use the password grant."""

    __tablename__ = "client"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: str = Field(max_length=100, unique=True)
    secret_hash: str = Field(max_length=200)
    name: str = Field(max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    regions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    unit_uscc: str | None = Field(default=None, max_length=18)
    active: bool = True
    public: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(Base, table=True):
    """A person (inspector, registrar, bureau officer) using the frontend or Swagger UI."""

    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=200)
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    regions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    unit_uscc: str | None = Field(default=None, max_length=18)
    active: bool = True
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class KeyState(StrEnum):
    NEXT = "next"  # published, not yet signing (verifiers learn it before it is used)
    CURRENT = "current"  # signs new tokens
    PREVIOUS = "previous"  # published until the tokens it signed have expired
    RETIRED = "retired"  # no longer published


class SigningKey(Base, table=True):
    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    alg: str = Field(max_length=10)
    private_key: str = Field(sa_type=sa.Text, description="PEM, encrypted with the field cipher")
    public_jwk: dict[str, Any] = Field(sa_type=sa.JSON)
    state: KeyState = Field(sa_type=sa.String(10), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RefreshToken(Base, table=True):
    """A refresh token (stored as a hash); rotation on use, reuse revokes the whole family."""

    __tablename__ = "refresh_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    client_id: str | None = Field(default=None, max_length=100, index=True)  # the public client it was issued to
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    session_expires_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="end of the sign-in session (absolute, not renewed)"
    )
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Revocation(Base, table=True):
    """Access tokens of ``subject`` (a client id, or ``user:<name>``) issued at or before ``revoked_at`` are
    refused: the account was disabled or deleted, or its secret or password changed. Kept only as long as
    such a token could still be alive; published in the JWKS document (keyed hashes, see ``keys.py``)."""

    __tablename__ = "revocation"

    subject: str = Field(primary_key=True, max_length=120)
    revoked_at: datetime = Field(sa_type=UTCDateTime, index=True)


# sealed with the field cipher (``sunlight-gateway reencrypt`` after a rotation): the signing keys' private halves
ENCRYPTED = [Sealed("signing_key", "private_key", "gateway.signing_key", key="kid")]
