"""The catalogue (事项目录): departments, windows, officers and items, created and read per region."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.errors import InvalidInput
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from approvals import repository
from approvals.errors import DuplicateCode, UnknownDepartment, UnknownWindow
from approvals.models import Department, Item, Officer, Window
from approvals.schemas.cases import (
    DepartmentIn,
    DepartmentOut,
    FeeIn,
    ItemIn,
    ItemOut,
    OfficerIn,
    OfficerOut,
    WindowIn,
    WindowOut,
)
from approvals.settings import ApprovalsSettings


def _key(row: Any) -> list[str]:
    return [row.created_at.isoformat(), str(row.id)]


async def resolve_department(session: AsyncSession, region_code: str, code: str | None) -> uuid.UUID | None:
    """The department of this code in the region or a region above it (a city bureau has district windows)."""
    if code is None:
        return None
    for region in repository.ancestors(region_code):
        found = await repository.by_code(session, Department, region, code)
        if found is not None:
            return found.id
    raise UnknownDepartment(f"no department {code} in region {region_code} or above it", field="department_code")


async def _create(
    session: AsyncSession, who: Principal, key: IdempotencyKey | None, row: Any, out: Any, what: str
) -> Any:
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise DuplicateCode(f"a {what} with code {row.code} exists in region {row.region_code}", field="code") from None
    result = out(row)
    await idempotency.complete(session, who, key, 201, result)
    await session.commit()
    return result


def department_out(d: Department) -> DepartmentOut:
    return DepartmentOut(
        id=d.id, code=d.code, name=d.name, region_code=d.region_code, uscc=d.uscc, created_at=d.created_at
    )


async def create_department(
    session: AsyncSession, who: Principal, body: DepartmentIn, *, key: IdempotencyKey | None
) -> DepartmentOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    row = Department(code=body.code, name=body.name, region_code=body.region_code, uscc=body.uscc)
    return await _create(session, who, key, row, department_out, "department")  # type: ignore[no-any-return]


def window_out(w: Window) -> WindowOut:
    return WindowOut(
        id=w.id,
        code=w.code,
        name=w.name,
        region_code=w.region_code,
        department_id=w.department_id,
        created_at=w.created_at,
    )


async def create_window(
    session: AsyncSession, who: Principal, body: WindowIn, *, key: IdempotencyKey | None
) -> WindowOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    department_id = await resolve_department(session, body.region_code, body.department_code)
    row = Window(code=body.code, name=body.name, region_code=body.region_code, department_id=department_id)
    return await _create(session, who, key, row, window_out, "window")  # type: ignore[no-any-return]


def officer_out(o: Officer) -> OfficerOut:
    return OfficerOut(
        id=o.id,
        code=o.code,
        name=o.name,
        region_code=o.region_code,
        department_id=o.department_id,
        window_id=o.window_id,
        created_at=o.created_at,
    )


async def create_officer(
    session: AsyncSession, who: Principal, body: OfficerIn, *, key: IdempotencyKey | None
) -> OfficerOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    department_id = await resolve_department(session, body.region_code, body.department_code)
    window_id = None
    if body.window_code is not None:
        window = await repository.by_code(session, Window, body.region_code, body.window_code)
        if window is None:
            raise UnknownWindow(f"no window {body.window_code} in region {body.region_code}", field="window_code")
        window_id = window.id
    row = Officer(
        code=body.code, name=body.name, region_code=body.region_code, department_id=department_id, window_id=window_id
    )
    return await _create(session, who, key, row, officer_out, "officer")  # type: ignore[no-any-return]


def item_out(i: Item) -> ItemOut:
    return ItemOut(
        id=i.id,
        code=i.code,
        name=i.name,
        region_code=i.region_code,
        department_id=i.department_id,
        legal_days=i.legal_days,
        promised_days=i.promised_days,
        required_steps=i.required_steps,  # type: ignore[arg-type]
        four_eyes=i.four_eyes,  # type: ignore[arg-type]
        fees=[FeeIn.model_validate(f) for f in i.fees],
        online_mandatory=i.online_mandatory,
        created_at=i.created_at,
    )


async def create_item(
    session: AsyncSession, settings: ApprovalsSettings, who: Principal, body: ItemIn, *, key: IdempotencyKey | None
) -> ItemOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    department_id = await resolve_department(session, body.region_code, body.department_code)
    legal = body.legal_days if body.legal_days is not None else settings.default_legal_days
    promised = body.promised_days if body.promised_days is not None else legal
    if promised > legal:
        raise InvalidInput(
            f"the promised limit ({promised}) cannot exceed the legal one ({legal})", field="promised_days"
        )
    row = Item(
        code=body.code,
        name=body.name,
        region_code=body.region_code,
        department_id=department_id,
        legal_days=legal,
        promised_days=promised,
        required_steps=[s.value for s in body.required_steps],
        four_eyes=[[a.value, b.value] for a, b in body.four_eyes],
        fees=[f.model_dump(exclude_none=True) for f in body.fees],
        online_mandatory=body.online_mandatory,
    )
    return await _create(session, who, key, row, item_out, "item")  # type: ignore[no-any-return]


async def get_item(session: AsyncSession, who: Principal, item_id: uuid.UUID) -> ItemOut:
    return item_out(who.visible(await repository.get(session, Item, item_id), "item"))


async def list_departments(session: AsyncSession, who: Principal, page: PageParams) -> Page[DepartmentOut]:
    rows = await repository.listed(session, Department, who.region_prefixes, page)
    return make_page(rows, page, _key, department_out)


async def list_windows(session: AsyncSession, who: Principal, page: PageParams) -> Page[WindowOut]:
    rows = await repository.listed(session, Window, who.region_prefixes, page)
    return make_page(rows, page, _key, window_out)


async def list_officers(session: AsyncSession, who: Principal, page: PageParams) -> Page[OfficerOut]:
    rows = await repository.listed(session, Officer, who.region_prefixes, page)
    return make_page(rows, page, _key, officer_out)


async def list_items(session: AsyncSession, who: Principal, page: PageParams) -> Page[ItemOut]:
    rows = await repository.listed(session, Item, who.region_prefixes, page)
    return make_page(rows, page, _key, item_out)
