"""Administration: clients (bureau systems), users (people), signing keys. Scope ``admin``.

An administrator grants only scopes they hold and regions within their own.
"""

from __future__ import annotations

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses

from gateway import service
from gateway.deps import Admin, SessionDep, StateDep
from gateway.errors import DuplicateClient, GrantBeyondOwn, UnknownScope
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


@router.post(
    "/clients", status_code=201, summary="Register a bureau system (its secret is shown once)", responses=GRANT_ERRORS
)
async def create_client(body: ClientIn, session: SessionDep, who: Admin) -> ClientCreated:
    return await service.create_client(session, who, body)


@router.get("/clients", summary="Clients within the administrator's regions")
async def list_clients(session: SessionDep, who: Admin) -> list[ClientOut]:
    return await service.list_clients(session, who)


@router.patch(
    "/clients/{client_id}",
    summary="Change a client's scopes, regions or status",
    responses=problem_responses(NotFound, UnknownScope, GrantBeyondOwn),
)
async def update_client(client_id: str, body: ClientUpdate, session: SessionDep, who: Admin) -> ClientOut:
    return await service.update_client(session, who, client_id, body)


@router.post(
    "/clients/{client_id}/secret",
    summary="Issue a new client secret (the old one stops working)",
    responses=problem_responses(NotFound),
)
async def rotate_secret(client_id: str, session: SessionDep, who: Admin) -> ClientCreated:
    return await service.rotate_client_secret(session, who, client_id)


@router.post("/users", status_code=201, summary="Create a person's account", responses=GRANT_ERRORS)
async def create_user(body: UserIn, session: SessionDep, who: Admin) -> UserOut:
    return await service.create_user(session, who, body)


@router.get("/users", summary="Accounts within the administrator's regions")
async def list_users(session: SessionDep, who: Admin) -> list[UserOut]:
    return await service.list_users(session, who)


@router.patch(
    "/users/{username}",
    summary="Change a person's password, scopes, regions or status",
    responses=problem_responses(NotFound, UnknownScope, GrantBeyondOwn),
)
async def update_user(username: str, body: UserUpdate, session: SessionDep, who: Admin) -> UserOut:
    return await service.update_user(session, who, username, body)


@router.post("/keys/rotate", summary="Rotate the signing key (next → current → previous)")
async def rotate_keys(state: StateDep, who: Admin) -> KeyRotated:
    """Only a nationwide administrator rotates: the keys sign every token of the deployment."""
    return KeyRotated(current_kid=await service.rotate_keys(state.keys, who))
