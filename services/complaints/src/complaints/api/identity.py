"""The reporter's identity: requested with a reason, approved by a second registrar, every read logged."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import NotFound, problem_responses
from sunlight.pagination import Page

from complaints import identity
from complaints.deps import ComplaintsRegistrar, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from complaints.errors import Destroyed, NoIdentity, NotApproved, SameRegistrar, WrongState
from complaints.schemas.reports import (
    IdentityAccessOut,
    IdentityDecisionIn,
    IdentityOut,
    IdentityRequestIn,
    IdentityRequestOut,
)

router = APIRouter(prefix="/v1/complaints", tags=["identity"])


@router.post(
    "/reports/{report_id}/identity-requests",
    status_code=201,
    operation_id="requestReporterIdentity",
    summary="Ask to see the reporter's identity, with a reason",
    responses=problem_responses(NotFound, NoIdentity),
)
async def request_identity(
    report_id: uuid.UUID,
    body: IdentityRequestIn,
    session: SessionDep,
    who: ComplaintsRegistrar,
    key: IdempotencyKeyDep,
) -> IdentityRequestOut:
    return await identity.request(session, who, report_id, body, key=key)


@router.get(
    "/reports/{report_id}/identity-requests",
    operation_id="listReporterIdentityRequests",
    summary="The identity requests of a report",
    responses=problem_responses(NotFound),
)
async def list_requests(
    report_id: uuid.UUID, session: SessionDep, who: ComplaintsRegistrar, page: PageDep
) -> Page[IdentityRequestOut]:
    return await identity.list_requests(session, who, report_id, page)


@router.post(
    "/identity-requests/{request_id}/decision",
    operation_id="decideReporterIdentityRequest",
    summary="Approve or deny an identity request (a second registrar)",
    responses=problem_responses(NotFound, SameRegistrar, WrongState),
)
async def decide_request(
    request_id: uuid.UUID,
    body: IdentityDecisionIn,
    session: SessionDep,
    who: ComplaintsRegistrar,
    key: IdempotencyKeyDep,
) -> IdentityRequestOut:
    return await identity.decide(session, who, request_id, body, key=key)


@router.post(
    "/identity-requests/{request_id}/identity",
    operation_id="readReporterIdentity",
    summary="Read the identity (the registrar who asked, once approved); the read is logged",
    responses=problem_responses(NotFound, NotApproved, NoIdentity, Destroyed),
)
async def read_identity(
    request_id: uuid.UUID, session: SessionDep, who: ComplaintsRegistrar, settings: SettingsDep
) -> IdentityOut:
    """A POST, not a GET: every read writes a row of the access log."""
    return await identity.read(session, settings, who, request_id)


@router.get(
    "/reports/{report_id}/identity-accesses",
    operation_id="listReporterIdentityAccesses",
    summary="Who read the reporter's identity, when and why (never the identity)",
    responses=problem_responses(NotFound),
)
async def list_accesses(
    report_id: uuid.UUID, session: SessionDep, who: ComplaintsRegistrar, page: PageDep
) -> Page[IdentityAccessOut]:
    return await identity.list_accesses(session, who, report_id, page)
