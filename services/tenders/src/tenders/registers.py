"""The three registers (企业库、人员库、项目库): enterprises with qualifications and debarments, persons
(ID numbers as keyed hashes; names, phones and addresses encrypted, phones and addresses hashed for
matching), and projects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.crypto import mask_name, mask_tail
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey
from sunlight.pagination import Page, PageParams, make_page

from tenders import repository
from tenders.errors import DuplicateCode, UnknownEnterprise
from tenders.models import Debarment, Enterprise, EnterpriseLink, LinkRole, Person, Project, Qualification
from tenders.schemas.registers import (
    DebarmentIn,
    DebarmentOut,
    EnterpriseIn,
    EnterpriseOut,
    PersonIn,
    PersonLinkOut,
    PersonOut,
    ProjectIn,
    ProjectOut,
    QualificationIn,
    QualificationOut,
)
from tenders.settings import TendersSettings


def stamp_key(row: object) -> list[str]:
    """The cursor key of rows listed newest first by their creation time."""
    stamp = next(getattr(row, f) for f in ("recorded_at", "created_at") if hasattr(row, f))
    return [stamp.isoformat(), str(row.id)]  # type: ignore[attr-defined]


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def phone_hash(settings: TendersSettings, phone: str) -> str:
    return settings.hasher.hash(_digits(phone)[-11:], purpose="tenders.phone")


def address_hash(settings: TendersSettings, address: str) -> str:
    return settings.hasher.hash(address, purpose="tenders.address")


def id_hash(settings: TendersSettings, resident_id: str) -> str:
    return settings.hasher.hash(resident_id, purpose="tenders.resident_id")


# --- enterprises -------------------------------------------------------------------------------------------


async def enterprise_out(session: AsyncSession, enterprise: Enterprise) -> EnterpriseOut:
    qualifications = await repository.qualifications_of(session, [enterprise.id])
    debarments = await repository.debarments_of(session, "enterprise", [enterprise.id])
    return EnterpriseOut(
        id=enterprise.id,
        uscc=enterprise.uscc,
        name=enterprise.name,
        region_code=enterprise.region_code,
        has_phone=enterprise.phone_hash is not None,
        has_address=enterprise.address_hash is not None,
        qualifications=[QualificationOut.model_validate(q) for q in qualifications],
        debarments=[DebarmentOut.model_validate(d) for d in debarments],
        created_at=enterprise.created_at,
    )


async def create_enterprise(
    session: AsyncSession, settings: TendersSettings, who: Principal, body: EnterpriseIn, *, key: IdempotencyKey | None
) -> EnterpriseOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await repository.enterprise_by_uscc(session, body.uscc):
        raise DuplicateCode(f"enterprise {body.uscc} is registered", field="uscc")
    enterprise = Enterprise(
        uscc=body.uscc,
        name=body.name,
        region_code=body.region_code,
        phone_cipher=settings.cipher.encrypt(body.phone, context="enterprise.phone") if body.phone else None,
        phone_hash=phone_hash(settings, body.phone) if body.phone else None,
        address_cipher=settings.cipher.encrypt(body.address, context="enterprise.address") if body.address else None,
        address_hash=address_hash(settings, body.address) if body.address else None,
        created_by=who.subject,
    )
    session.add(enterprise)
    await session.flush()
    out = await enterprise_out(session, enterprise)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_enterprise(session: AsyncSession, who: Principal, enterprise_id: uuid.UUID) -> Enterprise:
    return who.visible(await repository.enterprise(session, enterprise_id), "enterprise")


async def read_enterprise(session: AsyncSession, who: Principal, enterprise_id: uuid.UUID) -> EnterpriseOut:
    return await enterprise_out(session, await get_enterprise(session, who, enterprise_id))


async def list_enterprises(session: AsyncSession, who: Principal, page: PageParams) -> Page[EnterpriseOut]:
    rows = await repository.enterprises(session, who.region_prefixes, page)
    quals = await repository.qualifications_of(session, [e.id for e in rows])
    bars = await repository.debarments_of(session, "enterprise", [e.id for e in rows])

    def convert(e: Enterprise) -> EnterpriseOut:
        return EnterpriseOut(
            id=e.id,
            uscc=e.uscc,
            name=e.name,
            region_code=e.region_code,
            has_phone=e.phone_hash is not None,
            has_address=e.address_hash is not None,
            qualifications=[QualificationOut.model_validate(q) for q in quals if q.enterprise_id == e.id],
            debarments=[DebarmentOut.model_validate(d) for d in bars if d.subject_id == e.id],
            created_at=e.created_at,
        )

    return make_page(rows, page, stamp_key, convert)


async def add_qualification(
    session: AsyncSession,
    who: Principal,
    enterprise_id: uuid.UUID,
    body: QualificationIn,
    *,
    key: IdempotencyKey | None,
) -> QualificationOut:
    enterprise = await get_enterprise(session, who, enterprise_id)
    await idempotency.begin(session, who, key)
    row = Qualification(enterprise_id=enterprise.id, **body.model_dump())
    session.add(row)
    await session.flush()
    out = QualificationOut.model_validate(row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def add_debarment(
    session: AsyncSession,
    who: Principal,
    kind: str,
    subject_id: uuid.UUID,
    body: DebarmentIn,
    *,
    key: IdempotencyKey | None,
) -> DebarmentOut:
    if kind == "enterprise":
        await get_enterprise(session, who, subject_id)
    else:
        await get_person(session, who, subject_id)
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    row = Debarment(subject_kind=kind, subject_id=subject_id, created_by=who.subject, **body.model_dump())
    session.add(row)
    await session.flush()
    out = DebarmentOut.model_validate(row)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


# --- persons ---------------------------------------------------------------------------------------------


def person_out(
    person: Person, links: Sequence[EnterpriseLink], usccs: dict[uuid.UUID, str], bars: Sequence[Debarment]
) -> PersonOut:
    return PersonOut(
        id=person.id,
        name_masked=person.name_masked,
        phone_masked=mask_tail(person.phone_tail, 4).rjust(11, "*") if person.phone_tail else None,
        region_code=person.region_code,
        specialties=list(person.specialties),
        expert=bool(person.specialties),
        employer_id=person.employer_id,
        links=[
            PersonLinkOut(enterprise_id=link.enterprise_id, uscc=usccs[link.enterprise_id], role=link.role)
            for link in links
        ],
        debarments=[DebarmentOut.model_validate(d) for d in bars],
        created_at=person.created_at,
    )


async def _person_out(session: AsyncSession, person: Person) -> PersonOut:
    links = await repository.links_of_persons(session, [person.id])
    found = await repository.enterprises_by_ids(session, {link.enterprise_id for link in links})
    bars = await repository.debarments_of(session, "person", [person.id])
    return person_out(person, links, {k: e.uscc for k, e in found.items()}, bars)


async def _enterprise_named(session: AsyncSession, uscc: str, field: str) -> Enterprise:
    found = await repository.enterprise_by_uscc(session, uscc)
    if found is None:
        raise UnknownEnterprise(f"register enterprise {uscc} first", field=field)
    return found


async def create_person(
    session: AsyncSession, settings: TendersSettings, who: Principal, body: PersonIn, *, key: IdempotencyKey | None
) -> PersonOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    hashed = id_hash(settings, body.resident_id)
    if await repository.person_by_hash(session, hashed):
        raise DuplicateCode("a person with this ID number is registered", field="resident_id")
    employer = await _enterprise_named(session, body.employer_uscc, "employer_uscc") if body.employer_uscc else None
    digits = _digits(body.phone) if body.phone else None
    person = Person(
        id_hash=hashed,
        name_cipher=settings.cipher.encrypt(body.name, context="person.name"),
        name_masked=mask_name(body.name),
        phone_cipher=settings.cipher.encrypt(body.phone, context="person.phone") if body.phone else None,
        phone_hash=phone_hash(settings, body.phone) if body.phone else None,
        phone_tail=digits[-4:] if digits else None,
        address_cipher=settings.cipher.encrypt(body.address, context="person.address") if body.address else None,
        address_hash=address_hash(settings, body.address) if body.address else None,
        region_code=body.region_code,
        specialties=list(body.specialties),
        employer_id=employer.id if employer else None,
        created_by=who.subject,
    )
    session.add(person)
    await session.flush()
    seen: set[tuple[uuid.UUID, LinkRole]] = set()
    for index, link in enumerate(body.links):
        enterprise = await _enterprise_named(session, link.uscc, f"/links/{index}/uscc")
        if (enterprise.id, link.role) not in seen:
            seen.add((enterprise.id, link.role))
            session.add(EnterpriseLink(enterprise_id=enterprise.id, person_id=person.id, role=link.role))
    if employer is not None and (employer.id, LinkRole.EMPLOYEE) not in seen:
        session.add(EnterpriseLink(enterprise_id=employer.id, person_id=person.id, role=LinkRole.EMPLOYEE))
    await session.flush()
    out = await _person_out(session, person)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_person(session: AsyncSession, who: Principal, person_id: uuid.UUID) -> Person:
    return who.visible(await repository.person(session, person_id), "person")


async def read_person(session: AsyncSession, who: Principal, person_id: uuid.UUID) -> PersonOut:
    return await _person_out(session, await get_person(session, who, person_id))


async def list_persons(session: AsyncSession, who: Principal, page: PageParams) -> Page[PersonOut]:
    rows = await repository.persons(session, who.region_prefixes, page)
    links = await repository.links_of_persons(session, [p.id for p in rows])
    found = await repository.enterprises_by_ids(session, {link.enterprise_id for link in links})
    usccs = {k: e.uscc for k, e in found.items()}
    bars = await repository.debarments_of(session, "person", [p.id for p in rows])
    return make_page(
        rows,
        page,
        stamp_key,
        lambda p: person_out(
            p, [x for x in links if x.person_id == p.id], usccs, [d for d in bars if d.subject_id == p.id]
        ),
    )


# --- projects --------------------------------------------------------------------------------------------


async def create_project(
    session: AsyncSession, who: Principal, body: ProjectIn, *, key: IdempotencyKey | None
) -> ProjectOut:
    who.ensure_can_write(body.region_code)
    await idempotency.begin(session, who, key)
    if await repository.project_by_code(session, body.code):
        raise DuplicateCode(f"project {body.code} is registered", field="code")
    project = Project(**body.model_dump(), created_by=who.subject)
    session.add(project)
    await session.flush()
    out = ProjectOut.model_validate(project)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def get_project(
    session: AsyncSession, who: Principal, project_id: uuid.UUID, *, field: str | None = None
) -> Project:
    """The project, when it exists in the caller's regions; else 404 (``field``: where a body named it)."""
    found = await repository.project(session, project_id)
    if found is None or not who.sees_region(found.region_code):
        raise NotFound("no such project", **({"field": field} if field else {}))
    return found


async def list_projects(session: AsyncSession, who: Principal, page: PageParams) -> Page[ProjectOut]:
    rows = await repository.projects(session, who.region_prefixes, page)
    return make_page(rows, page, stamp_key, ProjectOut.model_validate)
