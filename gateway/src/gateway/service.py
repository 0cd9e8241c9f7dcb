"""Gateway use cases: token grants, clients and users. Each commits once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import NATIONWIDE, region_contains
from sunlight.db import utcnow
from sunlight.errors import NotFound

from gateway import repository
from gateway.errors import (
    DuplicateClient,
    GrantBeyondOwn,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    UnknownScope,
)
from gateway.keys import KeyStore
from gateway.models import Client, RefreshToken, User
from gateway.passwords import hash_secret, new_secret, verify_secret
from gateway.schemas import (
    ClientCreated,
    ClientIn,
    ClientOut,
    ClientUpdate,
    TokenOut,
    UserIn,
    UserOut,
    UserUpdate,
)
from gateway.scopes import ALL_SCOPES
from gateway.tokens import TokenIssuer, new_refresh_token, refresh_hash


def _narrow(requested: str | None, allowed: Sequence[str]) -> list[str]:
    """RFC 6749 §3.3: the requested scopes must be a subset of the allowed; none asked → all allowed."""
    if not requested:
        return sorted(allowed)
    asked = set(requested.split())
    extra = asked - set(allowed)
    if extra:
        raise InvalidScope(f"not allowed: {' '.join(sorted(extra))}")
    return sorted(asked)


async def client_credentials(
    session: AsyncSession, issuer: TokenIssuer, *, client_id: str, secret: str, scope: str | None
) -> TokenOut:
    client = await repository.client(session, client_id)
    ok = await verify_secret(client.secret_hash if client else None, secret)
    if client is None or not ok or not client.active:
        raise InvalidClient("unknown client or wrong secret")
    scopes = _narrow(scope, client.scopes)
    token = await issuer.access_token(
        subject=client.client_id,
        client_id=client.client_id,
        kind="client",
        scopes=scopes,
        regions=client.regions,
        unit=client.unit_uscc,
    )
    return TokenOut(access_token=token, expires_in=issuer.lifetime, scope=" ".join(scopes))


async def password_grant(
    session: AsyncSession,
    issuer: TokenIssuer,
    *,
    username: str,
    password: str,
    scope: str | None,
    client_id: str,
    refresh_seconds: int,
) -> TokenOut:
    user = await repository.user(session, username)
    ok = await verify_secret(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise InvalidGrant("unknown user or wrong password")
    scopes = _narrow(scope, user.scopes)
    out = await _user_tokens(
        session, issuer, user, scopes, client_id, family=uuid.uuid4(), refresh_seconds=refresh_seconds
    )
    await session.commit()
    return out


async def refresh_grant(
    session: AsyncSession, issuer: TokenIssuer, *, token: str, scope: str | None, client_id: str, refresh_seconds: int
) -> TokenOut:
    stored = await repository.refresh_token(session, refresh_hash(token))
    now = utcnow()
    if stored is None:
        raise InvalidGrant("unknown refresh token")
    if stored.used_at is not None or stored.revoked_at is not None:
        # a used token presented again: it was stolen or replayed — revoke the whole family
        await repository.revoke_family(session, stored.family_id)
        await session.commit()
        raise InvalidGrant("this refresh token was already used; sign in again")
    if stored.expires_at <= now:
        raise InvalidGrant("the refresh token has expired")
    user = await repository.user_by_id(session, stored.user_id)
    if user is None or not user.active:
        raise InvalidGrant("the account is disabled")
    scopes = _narrow(scope, [s for s in stored.scopes if s in user.scopes])
    stored.used_at = now
    out = await _user_tokens(
        session, issuer, user, scopes, client_id, family=stored.family_id, refresh_seconds=refresh_seconds
    )
    await session.commit()
    return out


async def _user_tokens(
    session: AsyncSession,
    issuer: TokenIssuer,
    user: User,
    scopes: list[str],
    client_id: str,
    *,
    family: uuid.UUID,
    refresh_seconds: int,
) -> TokenOut:
    access = await issuer.access_token(
        subject=f"user:{user.username}",
        client_id=client_id,
        kind="user",
        scopes=scopes,
        regions=user.regions,
        unit=user.unit_uscc,
    )
    refresh, digest = new_refresh_token()
    session.add(
        RefreshToken(
            token_hash=digest,
            family_id=family,
            user_id=user.id,
            scopes=scopes,
            expires_at=utcnow() + timedelta(seconds=refresh_seconds),
        )
    )
    return TokenOut(access_token=access, expires_in=issuer.lifetime, scope=" ".join(scopes), refresh_token=refresh)


# --- administration ---------------------------------------------------------------------------


def _check_grant(who: Principal, scopes: Sequence[str], regions: Sequence[str]) -> None:
    unknown = set(scopes) - ALL_SCOPES
    if unknown:
        raise UnknownScope(f"unknown scopes: {' '.join(sorted(unknown))}", field="scopes")
    beyond = [s for s in scopes if s not in who.scopes]
    if beyond:
        raise GrantBeyondOwn(f"you do not hold: {' '.join(beyond)}", field="scopes")
    outside = [r for r in regions if not any(region_contains(own, r) for own in who.regions)]
    if outside:
        raise GrantBeyondOwn(f"outside your regions: {' '.join(outside)}", field="regions")


async def create_client(session: AsyncSession, who: Principal, body: ClientIn) -> ClientCreated:
    _check_grant(who, body.scopes, body.regions)
    if await repository.client(session, body.client_id):
        raise DuplicateClient(f"client {body.client_id} exists", field="client_id")
    secret = new_secret()
    client = Client(
        client_id=body.client_id,
        secret_hash=await hash_secret(secret),
        name=body.name,
        scopes=sorted(set(body.scopes)),
        regions=sorted(set(body.regions)),
        unit_uscc=body.unit_uscc,
        created_by=who.subject,
    )
    session.add(client)
    await session.commit()
    return ClientCreated(**ClientOut.model_validate(client).model_dump(), client_secret=secret)


def _visible(who: Principal, regions: Sequence[str]) -> bool:
    return all(any(region_contains(own, r) for own in who.regions) for r in regions)


async def list_clients(session: AsyncSession, who: Principal) -> list[ClientOut]:
    return [ClientOut.model_validate(c) for c in await repository.clients(session) if _visible(who, c.regions)]


async def _own_client(session: AsyncSession, who: Principal, client_id: str) -> Client:
    client = await repository.client(session, client_id)
    if client is None or not _visible(who, client.regions):
        raise NotFound("no such client")
    return client


async def update_client(session: AsyncSession, who: Principal, client_id: str, body: ClientUpdate) -> ClientOut:
    client = await _own_client(session, who, client_id)
    _check_grant(who, body.scopes or [], body.regions or [])
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(client, name, sorted(set(value)) if isinstance(value, list) else value)
    await session.commit()
    return ClientOut.model_validate(client)


async def rotate_client_secret(session: AsyncSession, who: Principal, client_id: str) -> ClientCreated:
    client = await _own_client(session, who, client_id)
    secret = new_secret()
    client.secret_hash = await hash_secret(secret)
    await session.commit()
    return ClientCreated(**ClientOut.model_validate(client).model_dump(), client_secret=secret)


async def create_user(session: AsyncSession, who: Principal, body: UserIn) -> UserOut:
    _check_grant(who, body.scopes, body.regions)
    if await repository.user(session, body.username):
        raise DuplicateClient(f"user {body.username} exists", field="username")
    user = User(
        username=body.username,
        password_hash=await hash_secret(body.password),
        scopes=sorted(set(body.scopes)),
        regions=sorted(set(body.regions)),
        unit_uscc=body.unit_uscc,
        created_by=who.subject,
    )
    session.add(user)
    await session.commit()
    return UserOut.model_validate(user)


async def list_users(session: AsyncSession, who: Principal) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in await repository.users(session) if _visible(who, u.regions)]


async def update_user(session: AsyncSession, who: Principal, username: str, body: UserUpdate) -> UserOut:
    user = await repository.user(session, username)
    if user is None or not _visible(who, user.regions):
        raise NotFound("no such user")
    _check_grant(who, body.scopes or [], body.regions or [])
    values = body.model_dump(exclude_unset=True)
    if "password" in values:
        user.password_hash = await hash_secret(values.pop("password"))
    for name, value in values.items():
        setattr(user, name, sorted(set(value)) if isinstance(value, list) else value)
    await session.commit()
    return UserOut.model_validate(user)


async def rotate_keys(keys: KeyStore, who: Principal) -> str:
    who.ensure_nationwide("rotating the signing keys")
    return await keys.rotate()


async def bootstrap_admin(session: AsyncSession, *, client_id: str, secret: str) -> str:
    """Make the configured admin client exist with the configured secret, all scopes, nationwide.

    Returns ``created``, ``updated`` (the secret in the settings changed) or ``unchanged``.
    """
    client = await repository.client(session, client_id)
    if client is None:
        session.add(
            Client(
                client_id=client_id,
                secret_hash=await hash_secret(secret),
                name="bootstrap administrator",
                scopes=sorted(ALL_SCOPES),
                regions=[NATIONWIDE],
                created_by="bootstrap",
            )
        )
        await session.commit()
        return "created"
    if await verify_secret(client.secret_hash, secret) and set(client.scopes) >= ALL_SCOPES and client.active:
        return "unchanged"
    client.secret_hash = await hash_secret(secret)
    client.scopes = sorted(ALL_SCOPES)
    client.regions = [NATIONWIDE]
    client.active = True
    await session.commit()
    return "updated"
