"""The catalogue: departments, windows, officers and items (事项)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sunlight.errors import ForbiddenRegion, NotFound, problem_responses
from sunlight.pagination import Page

from approvals import catalogue
from approvals.deps import ApprovalsReader, ApprovalsWriter, IdempotencyKeyDep, PageDep, SessionDep, SettingsDep
from approvals.errors import DuplicateCode, UnknownDepartment, UnknownWindow
from approvals.schemas.cases import (
    DepartmentIn,
    DepartmentOut,
    ItemIn,
    ItemOut,
    OfficerIn,
    OfficerOut,
    WindowIn,
    WindowOut,
)

router = APIRouter(prefix="/v1/approvals", tags=["catalogue"])


@router.post(
    "/departments",
    status_code=201,
    operation_id="createApprovalsDepartment",
    summary="Add a department (审批部门) to the catalogue of a region",
    responses=problem_responses(DuplicateCode, ForbiddenRegion),
)
async def create_department(
    body: DepartmentIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep
) -> DepartmentOut:
    return await catalogue.create_department(session, who, body, key=key)


@router.get("/departments", operation_id="listApprovalsDepartments", summary="Departments in the caller's regions")
async def list_departments(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[DepartmentOut]:
    return await catalogue.list_departments(session, who, page)


@router.post(
    "/windows",
    status_code=201,
    operation_id="createApprovalsWindow",
    summary="Add a window (窗口) of the government service centre",
    responses=problem_responses(DuplicateCode, UnknownDepartment, ForbiddenRegion),
)
async def create_window(body: WindowIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep) -> WindowOut:
    return await catalogue.create_window(session, who, body, key=key)


@router.get("/windows", operation_id="listApprovalsWindows", summary="Windows in the caller's regions")
async def list_windows(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[WindowOut]:
    return await catalogue.list_windows(session, who, page)


@router.post(
    "/officers",
    status_code=201,
    operation_id="createApprovalsOfficer",
    summary="Add an officer; steps name officers by their staff code",
    responses=problem_responses(DuplicateCode, UnknownDepartment, UnknownWindow, ForbiddenRegion),
)
async def create_officer(
    body: OfficerIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep
) -> OfficerOut:
    return await catalogue.create_officer(session, who, body, key=key)


@router.get("/officers", operation_id="listApprovalsOfficers", summary="Officers in the caller's regions")
async def list_officers(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[OfficerOut]:
    return await catalogue.list_officers(session, who, page)


@router.post(
    "/items",
    status_code=201,
    operation_id="createApprovalsItem",
    summary="Add an item (审批事项): time limits, required steps, fees, online handling",
    responses=problem_responses(DuplicateCode, UnknownDepartment, ForbiddenRegion),
)
async def create_item(
    body: ItemIn, session: SessionDep, who: ApprovalsWriter, key: IdempotencyKeyDep, settings: SettingsDep
) -> ItemOut:
    """Limits are working days (行政许可法 Art. 82); the legal limit defaults to 20 (Art. 42), the promised one
    to the legal. An item serves its region and every region inside it."""
    return await catalogue.create_item(session, settings, who, body, key=key)


@router.get("/items", operation_id="listApprovalsItems", summary="Items in the caller's regions")
async def list_items(session: SessionDep, who: ApprovalsReader, page: PageDep) -> Page[ItemOut]:
    return await catalogue.list_items(session, who, page)


@router.get(
    "/items/{item_id}", operation_id="getApprovalsItem", summary="One item", responses=problem_responses(NotFound)
)
async def get_item(item_id: uuid.UUID, session: SessionDep, who: ApprovalsReader) -> ItemOut:
    return await catalogue.get_item(session, who, item_id)
