"""Information disclosure (信息公开): what anyone may read without a token.

Programmes, their allocations down to township level, and the payments with their payees —
organisations by name and USCC, persons by a partly hidden name only; never an ID number,
an account, a warning or a refusal. Beneficiary-tier nodes are not disclosed: no allocation,
and a payment they made shows neither their name nor their id.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.errors import NotFound
from sunlight.pagination import Page, PageParams, SortOrder, make_page, sorted_page

from funds.models import Movement, MovementKind, PayeeKind, Programme, Tier
from funds.repository import movements as movements_repo
from funds.repository import nodes as nodes_repo
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.schemas.disclosure import (
    PublicAllocation,
    PublicPayee,
    PublicPayment,
    PublicProgramme,
    PublicProgrammeDetail,
)
from funds.service import stamp_key

ALL_REGIONS = ("",)
BENEFICIARY_LABEL = "受益对象"  # a beneficiary-tier payer is neither named nor identified in public


def public_programme(programme: Programme) -> PublicProgramme:
    return PublicProgramme.model_validate(programme, from_attributes=True)


async def _programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    programme = await programmes_repo.programme(session, programme_id)
    if programme is None:
        raise NotFound("no such programme")
    return programme


async def list_programmes(
    session: AsyncSession,
    page: PageParams,
    *,
    region_code: str | None = None,
    fiscal_year: int | None = None,
    category: str | None = None,
) -> Page[PublicProgramme]:
    rows = await programmes_repo.programmes(
        session, ALL_REGIONS, page, fiscal_year=fiscal_year, category=category, region_code=region_code
    )
    return make_page(rows, page, stamp_key, public_programme)


async def programme_detail(session: AsyncSession, programme_id: uuid.UUID) -> PublicProgrammeDetail:
    programme = await _programme(session, programme_id)
    nodes = await nodes_repo.nodes_of(session, programme.id)
    return PublicProgrammeDetail(
        programme=public_programme(programme),
        allocations=[
            PublicAllocation(
                node_id=n.id,
                parent_id=n.parent_id,
                tier=n.tier,
                name=n.name,
                region_code=n.region_code,
                received_fen=n.received_fen,
                passed_on_fen=n.passed_on_fen,
                disbursed_in_fen=n.disbursed_in_fen,
                spent_fen=n.spent_fen,
            )
            for n in nodes
            if n.tier != Tier.BENEFICIARY
        ],
    )


async def payments(session: AsyncSession, programme_id: uuid.UUID, page: PageParams) -> Page[PublicPayment]:
    programme = await _programme(session, programme_id)
    rows = await movements_repo.movements(
        session, ALL_REGIONS, page, programme_id=programme.id, kind=MovementKind.EXPEND
    )
    nodes = await nodes_repo.nodes_by_ids(session, {m.from_node_id for m in rows if m.from_node_id})
    found = await payees_repo.payees_by_ids(session, {m.payee_id for m in rows if m.payee_id})

    def convert(movement: Movement) -> PublicPayment:
        payee = found[movement.payee_id] if movement.payee_id else None
        node = nodes.get(movement.from_node_id) if movement.from_node_id else None
        disclosed = node is not None and node.tier != Tier.BENEFICIARY  # as in programme_detail
        return PublicPayment(
            id=movement.id,
            node_id=node.id if node is not None and disclosed else None,
            node_name=node.name if node is not None and disclosed else BENEFICIARY_LABEL,
            occurred_on=movement.occurred_on,
            amount_fen=movement.amount_fen - movement.refunded_fen,
            category=movement.category,
            payee=PublicPayee(
                kind=payee.kind if payee else PayeeKind.ORGANISATION,
                name=payee.label if payee else "",
                uscc=payee.uscc if payee and payee.kind == PayeeKind.ORGANISATION else None,
            ),
        )

    # newest first, as movements_repo.movements reads them by default; the cursor names that sort
    return sorted_page(
        rows, page, "recorded_at", SortOrder.DESC, lambda m: m.recorded_at.isoformat(), lambda m: str(m.id), convert
    )
