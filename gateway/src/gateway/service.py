"""Gateway use cases: token grants, clients and users. Each commits once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.codes import NATIONWIDE, region_contains
from sunlight.crypto import FieldCipher
from sunlight.db import utcnow
from sunlight.errors import Conflict, NotFound
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, decode_after, make_page

from gateway import repository
from gateway.errors import (
    AccountBeyondOwn,
    DuplicateClient,
    GrantBeyondOwn,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    PublicClientOnly,
    UnknownScope,
    WeakPassword,
)
from gateway.keys import KeyStore
from gateway.models import Client, RefreshToken, User
from gateway.passwords import hash_secret, new_secret, password_problem, verify_secret
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

SECRET_CONTEXT = "idempotency_key.response.client_secret"  # noqa: S105 - a cipher context, not a secret

NO_SECRET = "!public-client"  # noqa: S105 - not a hash: no secret verifies against it (a public client has none)


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
    if client is None or not ok or not client.active or client.public:
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
    session_seconds: int,
) -> TokenOut:
    client = await _public_client(session, client_id)
    user = await repository.user(session, username)
    ok = await verify_secret(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise InvalidGrant("unknown user or wrong password")
    scopes = _narrow(scope, [s for s in user.scopes if s in client.scopes])
    out = await _user_tokens(
        session,
        issuer,
        user,
        scopes,
        client.client_id,
        family=uuid.uuid4(),
        expires_at=utcnow() + timedelta(seconds=refresh_seconds),
        session_expires_at=utcnow() + timedelta(seconds=session_seconds),
    )
    await session.commit()
    return out


async def _public_client(session: AsyncSession, client_id: str) -> Client:
    """The registered, active public client ``client_id`` — people sign in only through one of these."""
    client = await repository.client(session, client_id)
    if client is None or not client.public or not client.active:
        raise PublicClientOnly(f"{client_id!r} is not a registered public client")
    return client


async def refresh_grant(
    session: AsyncSession,
    issuer: TokenIssuer,
    *,
    token: str,
    scope: str | None,
    client_id: str,
    refresh_seconds: int,
    session_seconds: int,
) -> TokenOut:
    stored = await repository.refresh_token(session, refresh_hash(token))
    now = utcnow()
    if stored is None:
        raise InvalidGrant("unknown refresh token")
    if stored.revoked_at is not None and stored.used_at is None:
        raise InvalidGrant("this sign-in was ended (new password, account disabled or client removed); sign in again")
    if stored.used_at is not None or stored.revoked_at is not None:
        # a used token presented again: it was stolen or replayed — revoke the whole family
        await repository.revoke_family(session, stored.family_id)
        await session.commit()
        raise InvalidGrant("this refresh token was already used; sign in again")
    session_end = stored.session_expires_at or stored.created_at + timedelta(seconds=session_seconds)
    if stored.expires_at <= now or session_end <= now:
        raise InvalidGrant("the sign-in session has expired; sign in again")
    if stored.client_id is not None and stored.client_id != client_id:
        raise InvalidGrant("the refresh token was issued to another client")  # RFC 6749 §6
    client = await repository.client(session, stored.client_id or client_id)
    if client is None or not client.public or not client.active:
        raise InvalidGrant("the client this session was issued to is gone")
    user = await repository.user_by_id(session, stored.user_id)
    if user is None or not user.active:
        raise InvalidGrant("the account is disabled")
    scopes = _narrow(scope, [s for s in stored.scopes if s in user.scopes and s in client.scopes])
    stored.used_at = now
    out = await _user_tokens(
        session,
        issuer,
        user,
        scopes,
        client.client_id,
        family=stored.family_id,
        expires_at=min(now + timedelta(seconds=refresh_seconds), session_end),
        session_expires_at=session_end,
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
    expires_at: datetime,
    session_expires_at: datetime,
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
            client_id=client_id,
            scopes=scopes,
            expires_at=expires_at,
            session_expires_at=session_expires_at,
        )
    )
    return TokenOut(access_token=access, expires_in=issuer.lifetime, scope=" ".join(scopes), refresh_token=refresh)


# --- administration ---------------------------------------------------------------------------
#
# An administrator manages only accounts whose scopes and regions are within its own — for every
# operation (change, new secret or password, disable, delete), not only when granting: otherwise a
# regional administrator could set the password of a registrar who may read reporters' identities
# and sign in as them. Accounts outside its regions do not exist for it (404); accounts inside its
# regions that hold a scope it does not hold are refused (403 account-beyond-own).


def _within_regions(who: Principal, regions: Sequence[str]) -> bool:
    return all(any(region_contains(own, r) for own in who.regions) for r in regions)


def _check_grant(who: Principal, scopes: Sequence[str], regions: Sequence[str]) -> None:
    unknown = set(scopes) - ALL_SCOPES
    if unknown:
        raise UnknownScope(f"unknown scopes: {' '.join(sorted(unknown))}", field="scopes")
    beyond = [s for s in scopes if s not in who.scopes]
    if beyond:
        raise GrantBeyondOwn(f"you do not hold: {' '.join(beyond)}", field="scopes")
    outside = [r for r in regions if not _within_regions(who, [r])]
    if outside:
        raise GrantBeyondOwn(f"outside your regions: {' '.join(outside)}", field="regions")


def _check_manageable(who: Principal, account: Client | User, what: str) -> None:
    if not _within_regions(who, account.regions):
        raise NotFound(f"no such {what}")
    beyond = sorted(s for s in account.scopes if s not in who.scopes)
    if beyond:
        raise AccountBeyondOwn(f"this {what} holds scopes you do not: {' '.join(beyond)}")


async def _check_id_free(session: AsyncSession, account_id: str, field: str) -> None:
    """Client ids and usernames share one namespace (both directions)."""
    if await repository.client(session, account_id) or await repository.user(session, account_id):
        raise DuplicateClient(f"a client or user named {account_id} exists", field=field)


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise WeakPassword(problem, field="password")


async def create_client(
    session: AsyncSession, who: Principal, body: ClientIn, *, cipher: FieldCipher, key: IdempotencyKey | None = None
) -> ClientCreated:
    """A retry with the same Idempotency-Key replays the first answer, secret included: the stored answer
    keeps the secret sealed with the gateway's cipher, never in clear."""
    _check_grant(who, body.scopes, body.regions)
    try:
        await idempotency.begin(session, who, key)
    except idempotency.Replay as replay:
        if isinstance(replay.body, dict) and replay.body.get("client_secret"):
            replay.body["client_secret"] = cipher.decrypt(replay.body["client_secret"], context=SECRET_CONTEXT)
        raise
    await _check_id_free(session, body.client_id, "client_id")
    secret = None if body.public else new_secret()
    client = Client(
        client_id=body.client_id,
        secret_hash=await hash_secret(secret) if secret else NO_SECRET,
        name=body.name,
        scopes=sorted(set(body.scopes)),
        regions=sorted(set(body.regions)),
        unit_uscc=body.unit_uscc,
        public=body.public,
        created_by=who.subject,
    )
    session.add(client)
    await session.flush()
    out = ClientCreated(**ClientOut.model_validate(client).model_dump(), client_secret=secret)
    stored = out.model_dump(mode="json")
    if secret:
        stored["client_secret"] = cipher.encrypt(secret, context=SECRET_CONTEXT)
    await idempotency.complete(session, who, key, 201, stored)
    await session.commit()
    return out


def _visible(who: Principal, regions: Sequence[str]) -> bool:
    return _within_regions(who, regions)


async def list_clients(session: AsyncSession, who: Principal, page: PageParams) -> Page[ClientOut]:
    after = decode_after(page, str)
    shown = [c for c in await repository.clients(session, after[0] if after else None) if _visible(who, c.regions)]
    return make_page(shown[: page.limit + 1], page, lambda c: [c.client_id], ClientOut.model_validate)


async def _own_client(session: AsyncSession, who: Principal, client_id: str) -> Client:
    client = await repository.client(session, client_id)
    if client is None:
        raise NotFound("no such client")
    _check_manageable(who, client, "client")
    return client


async def update_client(session: AsyncSession, who: Principal, client_id: str, body: ClientUpdate) -> ClientOut:
    client = await _own_client(session, who, client_id)
    _check_grant(who, body.scopes or [], body.regions or [])
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(client, name, sorted(set(value)) if isinstance(value, list) else value)
    if not client.active:
        await repository.revoke_client_tokens(session, client.client_id)
        await repository.revoke_access(session, client.client_id)
    await session.commit()
    return ClientOut.model_validate(client)


async def rotate_client_secret(session: AsyncSession, who: Principal, client_id: str) -> ClientCreated:
    client = await _own_client(session, who, client_id)
    if client.public:
        raise Conflict("a public client has no secret")
    secret = new_secret()
    client.secret_hash = await hash_secret(secret)
    await repository.revoke_access(session, client.client_id)  # a leaked secret's tokens end with it
    await session.commit()
    return ClientCreated(**ClientOut.model_validate(client).model_dump(), client_secret=secret)


async def delete_client(session: AsyncSession, who: Principal, client_id: str) -> None:
    """Remove a client; sign-ins made through it (a public client's refresh tokens) end with it."""
    client = await _own_client(session, who, client_id)
    await repository.revoke_client_tokens(session, client.client_id)
    await repository.revoke_access(session, client.client_id)
    await session.delete(client)
    await session.commit()


async def create_user(
    session: AsyncSession, who: Principal, body: UserIn, *, key: IdempotencyKey | None = None
) -> UserOut:
    _check_grant(who, body.scopes, body.regions)
    await idempotency.begin(session, who, key)
    await _check_id_free(session, body.username, "username")
    _check_password(body.password, body.username)
    user = User(
        username=body.username,
        password_hash=await hash_secret(body.password),
        scopes=sorted(set(body.scopes)),
        regions=sorted(set(body.regions)),
        unit_uscc=body.unit_uscc,
        created_by=who.subject,
    )
    session.add(user)
    await session.flush()
    out = UserOut.model_validate(user)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def list_users(session: AsyncSession, who: Principal, page: PageParams) -> Page[UserOut]:
    after = decode_after(page, str)
    shown = [u for u in await repository.users(session, after[0] if after else None) if _visible(who, u.regions)]
    return make_page(shown[: page.limit + 1], page, lambda u: [u.username], UserOut.model_validate)


async def _own_user(session: AsyncSession, who: Principal, username: str) -> User:
    user = await repository.user(session, username)
    if user is None:
        raise NotFound("no such user")
    _check_manageable(who, user, "user")
    return user


async def update_user(session: AsyncSession, who: Principal, username: str, body: UserUpdate) -> UserOut:
    user = await _own_user(session, who, username)
    _check_grant(who, body.scopes or [], body.regions or [])
    values = body.model_dump(exclude_unset=True)
    if "password" in values:
        password = values.pop("password")
        _check_password(password, user.username)
        user.password_hash = await hash_secret(password)
        await repository.revoke_user_tokens(session, user.id)  # every sign-in ends with the old password
        await repository.revoke_access(session, f"user:{user.username}")
    for name, value in values.items():
        setattr(user, name, sorted(set(value)) if isinstance(value, list) else value)
    if not user.active:
        await repository.revoke_user_tokens(session, user.id)
        await repository.revoke_access(session, f"user:{user.username}")
    await session.commit()
    return UserOut.model_validate(user)


async def delete_user(session: AsyncSession, who: Principal, username: str) -> None:
    user = await _own_user(session, who, username)
    await repository.delete_user_tokens(session, user.id)
    await repository.revoke_access(session, f"user:{user.username}")
    await session.delete(user)
    await session.commit()


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


async def bootstrap_public_client(session: AsyncSession, *, client_id: str) -> str:
    """Make the frontend's public client exist (people sign in through it). Nationwide, so only a
    nationwide administrator manages it; all scopes, so it narrows no one's. ``created`` or ``unchanged``."""
    if await repository.client(session, client_id) is not None:
        return "unchanged"
    session.add(
        Client(
            client_id=client_id,
            secret_hash=NO_SECRET,
            name="Sunlight frontend and Swagger UI (public client)",
            scopes=sorted(ALL_SCOPES),
            regions=[NATIONWIDE],
            public=True,
            created_by="bootstrap",
        )
    )
    await session.commit()
    return "created"
