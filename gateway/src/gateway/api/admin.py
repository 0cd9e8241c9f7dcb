"""Administration: clients (bureau systems), users (people), signing keys. Scope ``admin``.

An administrator grants only scopes they hold and regions within their own, and manages (changes,
gives a new secret or password, disables, deletes) only accounts whose scopes and regions are within
its own. Client ids and usernames share one namespace.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sunlight.deps import IdempotencyKeyDep, PageDep
from sunlight.errors import Conflict, NotFound, problem_responses
from sunlight.pagination import Page

from gateway import service
from gateway.deps import Admin, SessionDep, StateDep
from gateway.errors import AccountBeyondOwn, DuplicateClient, GrantBeyondOwn, UnknownScope, WeakPassword
from gateway.schemas import (
    ClientCreated,
    ClientIn,
    ClientOut,
    ClientUpdate,
    KeyRotated,
    UserIn,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/v1/admin", tags=["admin"])
GRANT_ERRORS = problem_responses(UnknownScope, GrantBeyondOwn, DuplicateClient)
USER_ERRORS = problem_responses(UnknownScope, GrantBeyondOwn, DuplicateClient, WeakPassword)
MANAGE_ERRORS = problem_responses(NotFound, AccountBeyondOwn, UnknownScope, GrantBeyondOwn)


@router.post(
    "/clients",
    operation_id="createClient",
    status_code=201,
    summary="Register a bureau system (its secret is shown once)",
    responses=GRANT_ERRORS,
)
async def create_client(
    body: ClientIn, session: SessionDep, who: Admin, state: StateDep, key: IdempotencyKeyDep
) -> ClientCreated:
    """A retry with the same ``Idempotency-Key`` answers the first response again (the same secret, which is kept
    sealed for the key's 24 h), and creates nothing."""
    return await service.create_client(session, who, body, cipher=state.keys.cipher, key=key)


@router.get("/clients", operation_id="listClients", summary="Clients within the administrator's regions")
async def list_clients(session: SessionDep, who: Admin, page: PageDep) -> Page[ClientOut]:
    """By ``client_id``; pages never skip or repeat (the key never changes)."""
    return await service.list_clients(session, who, page)


@router.patch(
    "/clients/{client_id}",
    operation_id="updateClient",
    summary="Change a client's scopes, regions or status",
    responses=MANAGE_ERRORS,
)
async def update_client(
    client_id: str, body: ClientUpdate, session: SessionDep, who: Admin, state: StateDep
) -> ClientOut:
    out = await service.update_client(session, who, client_id, body)
    await state.keys.load()  # a revocation holds here at once; other replicas and services within their caches
    return out


@router.post(
    "/clients/{client_id}/secret",
    operation_id="rotateClientSecret",
    summary="Issue a new client secret (the old one stops working)",
    responses=problem_responses(NotFound, AccountBeyondOwn, Conflict),
)
async def rotate_secret(client_id: str, session: SessionDep, who: Admin, state: StateDep) -> ClientCreated:
    out = await service.rotate_client_secret(session, who, client_id)
    await state.keys.load()
    return out


@router.delete(
    "/clients/{client_id}",
    operation_id="deleteClient",
    status_code=204,
    summary="Remove a client (sign-ins made through it end)",
    responses=problem_responses(NotFound, AccountBeyondOwn),
)
async def delete_client(client_id: str, session: SessionDep, who: Admin, state: StateDep) -> Response:
    await service.delete_client(session, who, client_id)
    await state.keys.load()
    return Response(status_code=204)


@router.post(
    "/users", operation_id="createUser", status_code=201, summary="Create a person's account", responses=USER_ERRORS
)
async def create_user(body: UserIn, session: SessionDep, who: Admin, key: IdempotencyKeyDep) -> UserOut:
    """A retry with the same ``Idempotency-Key`` answers the first response again and creates nothing."""
    return await service.create_user(session, who, body, key=key)


@router.get("/users", operation_id="listUsers", summary="Accounts within the administrator's regions")
async def list_users(session: SessionDep, who: Admin, page: PageDep) -> Page[UserOut]:
    """By ``username``; pages never skip or repeat (the key never changes)."""
    return await service.list_users(session, who, page)


@router.patch(
    "/users/{username}",
    operation_id="updateUser",
    summary="Change a person's password, scopes, regions or status (a new password or disabling ends their sign-ins)",
    responses=problem_responses(NotFound, AccountBeyondOwn, UnknownScope, GrantBeyondOwn, WeakPassword),
)
async def update_user(username: str, body: UserUpdate, session: SessionDep, who: Admin, state: StateDep) -> UserOut:
    out = await service.update_user(session, who, username, body)
    await state.keys.load()
    return out


@router.delete(
    "/users/{username}",
    operation_id="deleteUser",
    status_code=204,
    summary="Remove a person's account (their sign-ins end)",
    responses=problem_responses(NotFound, AccountBeyondOwn),
)
async def delete_user(username: str, session: SessionDep, who: Admin, state: StateDep) -> Response:
    await service.delete_user(session, who, username)
    await state.keys.load()
    return Response(status_code=204)


@router.post(
    "/keys/rotate", operation_id="rotateSigningKeys", summary="Rotate the signing key (next → current → previous)"
)
async def rotate_keys(state: StateDep, who: Admin) -> KeyRotated:
    """Only a nationwide administrator rotates: the keys sign every token of the deployment."""
    return KeyRotated(current_kid=await service.rotate_keys(state.keys, who))
