"""The registers: enterprises (企业库), persons (人员库) and projects (项目库)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from tenders import registers
from tenders.deps import IdempotencyKeyDep, PageDep, SessionDep, SettingsDep, TendersReader, TendersWriter
from tenders.errors import DuplicateCode, UnknownEnterprise
from tenders.schemas.registers import (
    DebarmentIn,
    DebarmentOut,
    EnterpriseIn,
    EnterpriseOut,
    PersonIn,
    PersonOut,
    ProjectIn,
    ProjectOut,
    QualificationIn,
    QualificationOut,
)

router = APIRouter(prefix="/v1/tenders", tags=["registers"])


@router.post(
    "/enterprises",
    status_code=201,
    operation_id="createTenderEnterprise",
    summary="Register an enterprise",
    responses=problem_responses(DuplicateCode, ForbiddenRegion),
)
async def create_enterprise(
    body: EnterpriseIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> EnterpriseOut:
    """An enterprise by its USCC; its phone and address are kept encrypted and as keyed hashes (to find bidders
    sharing them), never shown back."""
    return await registers.create_enterprise(session, settings, who, body, key=key)


@router.get("/enterprises", operation_id="listTenderEnterprises", summary="Enterprises in the caller's regions")
async def list_enterprises(session: SessionDep, who: TendersReader, page: PageDep) -> Page[EnterpriseOut]:
    """Newest first, with their qualifications and debarments."""
    return await registers.list_enterprises(session, who, page)


@router.get(
    "/enterprises/{enterprise_id}",
    operation_id="getTenderEnterprise",
    summary="One enterprise",
    responses=problem_responses(NotFound),
)
async def get_enterprise(enterprise_id: uuid.UUID, session: SessionDep, who: TendersReader) -> EnterpriseOut:
    """The enterprise with its qualifications and debarments."""
    return await registers.read_enterprise(session, who, enterprise_id)


@router.post(
    "/enterprises/{enterprise_id}/qualifications",
    status_code=201,
    operation_id="createTenderEnterpriseQualification",
    summary="Add a qualification (资质) to an enterprise",
    responses=problem_responses(NotFound),
)
async def add_qualification(
    enterprise_id: uuid.UUID, body: QualificationIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> QualificationOut:
    """A kind at a grade (0 = 特级, 1 = 一级 …), valid for a period; tenders requiring it check the deadline."""
    return await registers.add_qualification(session, who, enterprise_id, body, key=key)


@router.post(
    "/enterprises/{enterprise_id}/debarments",
    status_code=201,
    operation_id="createTenderEnterpriseDebarment",
    summary="Debar an enterprise for a period",
    responses=problem_responses(NotFound, ForbiddenRegion),
)
async def debar_enterprise(
    enterprise_id: uuid.UUID, body: DebarmentIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> DebarmentOut:
    """Its bids in the region (and below) during the period raise TENDERS-INELIGIBLE-BIDDER."""
    return await registers.add_debarment(session, who, "enterprise", enterprise_id, body, key=key)


@router.post(
    "/persons",
    status_code=201,
    operation_id="createTenderPerson",
    summary="Register a person (engineer, project manager, expert, legal representative, shareholder)",
    responses=problem_responses(DuplicateCode, UnknownEnterprise, ForbiddenRegion),
)
async def create_person(
    body: PersonIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> PersonOut:
    """The ID number is kept only as a keyed hash; name, phone and address encrypted. Specialties put the person
    in the expert pool; ``links`` name their roles at registered enterprises."""
    return await registers.create_person(session, settings, who, body, key=key)


@router.get("/persons", operation_id="listTenderPersons", summary="Persons in the caller's regions (masked)")
async def list_persons(session: SessionDep, who: TendersReader, page: PageDep) -> Page[PersonOut]:
    """Newest first; names and phones masked."""
    return await registers.list_persons(session, who, page)


@router.get(
    "/persons/{person_id}",
    operation_id="getTenderPerson",
    summary="One person (masked)",
    responses=problem_responses(NotFound),
)
async def get_person(person_id: uuid.UUID, session: SessionDep, who: TendersReader) -> PersonOut:
    """Masked name and phone, specialties, roles and debarments."""
    return await registers.read_person(session, who, person_id)


@router.post(
    "/persons/{person_id}/debarments",
    status_code=201,
    operation_id="createTenderPersonDebarment",
    summary="Debar a person (e.g. an expert) for a period",
    responses=problem_responses(NotFound, ForbiddenRegion),
)
async def debar_person(
    person_id: uuid.UUID, body: DebarmentIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> DebarmentOut:
    """A debarred expert is excluded from draws in the region during the period."""
    return await registers.add_debarment(session, who, "person", person_id, body, key=key)


@router.post(
    "/projects",
    status_code=201,
    operation_id="createTenderProject",
    summary="Register a project",
    responses=problem_responses(DuplicateCode, ForbiddenRegion),
)
async def create_project(
    body: ProjectIn, session: SessionDep, who: TendersWriter, key: IdempotencyKeyDep
) -> ProjectOut:
    """Owner, estimate, location, funding source and region; the funding source decides whether its contracts must
    be tendered (NDRC Order No. 16 of 2018)."""
    return await registers.create_project(session, who, body, key=key)


@router.get("/projects", operation_id="listTenderProjects", summary="Projects in the caller's regions")
async def list_projects(session: SessionDep, who: TendersReader, page: PageDep) -> Page[ProjectOut]:
    """Newest first."""
    return await registers.list_projects(session, who, page)


@router.get(
    "/projects/{project_id}",
    operation_id="getTenderProject",
    summary="One project",
    responses=problem_responses(NotFound),
)
async def get_project(project_id: uuid.UUID, session: SessionDep, who: TendersReader) -> ProjectOut:
    """The project."""
    return ProjectOut.model_validate(await registers.get_project(session, who, project_id))
