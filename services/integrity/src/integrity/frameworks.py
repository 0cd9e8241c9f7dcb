"""Frameworks of the integrity index (指标体系): the default ones, reading and replacing them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight import idempotency
from sunlight.auth import Principal
from sunlight.errors import NotFound
from sunlight.idempotency import IdempotencyKey

from integrity import index, templates
from integrity.errors import (
    FrameworkExists,
)
from integrity.models import (
    Framework,
)
from integrity.repository import assessments as assessments_repo
from integrity.schemas.assessments import FrameworkIn, FrameworkOut, FrameworkReplace

# --- the integrity index: frameworks ----------------------------------------------------------


def framework_out(framework: Framework) -> FrameworkOut:
    definition = index.Definition.model_validate(framework.definition)
    return FrameworkOut(
        id=framework.id,
        code=framework.code,
        name=framework.name,
        target=framework.target,
        version=framework.version,
        first_level=len(definition.indicators),
        second_level=sum(1 for _ in definition.second_level()),
        bodies=len(definition.bodies),
        definition=definition,
        updated_at=framework.updated_at,
    )


async def ensure_default_frameworks(session: AsyncSession) -> None:
    """Create the default "323" frameworks when missing (at start-up; several replicas may race)."""
    for code, (name, target, build) in templates.DEFAULTS.items():
        if await assessments_repo.framework_by_code(session, code) is not None:
            continue
        session.add(Framework(code=code, name=name, target=target, definition=build().model_dump(mode="json")))
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()  # another replica created it first


async def list_frameworks(session: AsyncSession) -> list[FrameworkOut]:
    return [framework_out(f) for f in await assessments_repo.frameworks(session)]


async def find_framework(
    session: AsyncSession, code: str, *, for_update: bool = False, for_share: bool = False
) -> Framework:
    found = await assessments_repo.framework_by_code(session, code, for_update=for_update, for_share=for_share)
    if found is None:
        raise NotFound(f"no framework {code}", field="framework")
    return found


async def get_framework(session: AsyncSession, code: str) -> FrameworkOut:
    return framework_out(await find_framework(session, code))


async def create_framework(
    session: AsyncSession, who: Principal, body: FrameworkIn, *, now: datetime, key: IdempotencyKey | None = None
) -> FrameworkOut:
    await idempotency.begin(session, who, key)
    if await assessments_repo.framework_by_code(session, body.code):
        raise FrameworkExists(f"framework {body.code} exists", field="code")
    framework = Framework(
        code=body.code,
        name=body.name,
        target=body.target,
        definition=body.definition.model_dump(mode="json"),
        created_at=now,
        updated_at=now,
    )
    session.add(framework)
    await session.flush()
    out = framework_out(framework)
    await idempotency.complete(session, who, key, 201, out)
    await session.commit()
    return out


async def replace_framework(
    session: AsyncSession, who: Principal, code: str, body: FrameworkReplace, *, now: datetime
) -> FrameworkOut:
    """Replace a framework's definition (a new version; earlier results keep the version they used)."""
    framework = await find_framework(session, code, for_update=True)
    framework.name = body.name
    framework.definition = body.definition.model_dump(mode="json")
    framework.version += 1
    framework.updated_at = now
    out = framework_out(framework)
    await session.commit()
    return out
