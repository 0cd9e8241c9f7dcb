"""Cross-checks a county office misses (issue 9): one person paid under programmes that exclude each other
(一人多领, FUNDS-MULTI-PROGRAMME) and many beneficiaries paid into one bank account (FUNDS-SHARED-ACCOUNT), with
the history of every payee's bank accounts they rest on.

Called by ``screening.screen_payments`` for the payments of one call (one movement or one batch), before they
are written; payments earlier in the call count for later ones. A finding never carries a payment outside its
region: shared accounts are compared within the paying region; a person's payments under exclusive programmes
of two regions go to the smallest region holding both.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.auth import Principal
from sunlight.codes import NATIONWIDE, parent_region, region_contains
from sunlight.errors import NotFound
from sunlight.pagination import Page, PageParams, page_sorted
from sunlight.warnings import Level

from funds import checks, payees, rules
from funds.alerts import Finding
from funds.models import Movement, PayeeAccount, PayeeKind
from funds.repository import payees as payees_repo
from funds.repository import programmes as programmes_repo
from funds.repository import supervision as supervision_repo
from funds.repository import watchlist as watchlist_repo
from funds.schemas.movements import PayeeAccountOut
from funds.settings import FundsSettings

if TYPE_CHECKING:
    from funds.ledger import Draft, Entry

Pairs = Sequence[tuple["Draft", "Entry"]]


def record_accounts(session: AsyncSession, settings: FundsSettings, pays: Pairs) -> None:
    """Keep the account each payment names: a payee's first account, and every change, become history rows
    (dated on the payment that brought them); the payee row holds the current one (encrypted and hashed)."""
    for draft, entry in pays:
        given = draft.body.payee
        payee = draft.payee
        if given is None or payee is None or not given.bank_account:
            continue
        digest = payees.account_hash(settings, given.bank_account)
        if payee.account_hash == digest:
            continue
        previous = payee.account_tail if payee.account_cipher else None
        cipher = settings.cipher.encrypt(given.bank_account, context="payee.account")
        payee.account_cipher, payee.account_tail, payee.account_hash = cipher, given.bank_account[-4:], digest
        session.add(
            PayeeAccount(
                payee_id=payee.id,
                account_hash=digest,
                account_cipher=cipher,
                account_tail=given.bank_account[-4:],
                changed_on=entry.occurred_on,
                previous_tail=previous,
                recorded_by=entry.recorded_by,
            )
        )


def enclosing(a: str, b: str) -> str:
    """The smallest region containing both ``a`` and ``b``."""
    region: str | None = a
    while region is not None and not region_contains(region, b):
        region = parent_region(region)
    return region or NATIONWIDE


def _finding(rule: rules.Rule, draft: Draft, entry: Entry, *, region_code: str | None = None, **kw: object) -> Finding:
    from funds.screening import payment_label

    assert draft.source is not None
    return Finding(
        rule=rule,
        subject_kind="movement",
        subject_id=str(entry.id),
        label=payment_label(entry, draft.programme),
        region_code=region_code or entry.region_code,
        unit_uscc=draft.source.unit_uscc,
        programme_id=draft.programme.id,
        **kw,  # type: ignore[arg-type]
    )


async def multi_programme(session: AsyncSession, settings: FundsSettings, pays: Pairs) -> list[Finding]:
    """FUNDS-MULTI-PROGRAMME for the persons paid by these payments."""
    groups = settings.exclusive_programme_categories
    wanted = {c for g in groups for c in g}
    persons = [
        (d, m)
        for d, m in pays
        if d.payee is not None and d.payee.kind == PayeeKind.PERSON and d.programme.category in wanted
    ]
    if not persons:
        return []
    earlier: Sequence[Movement] = await watchlist_repo.payments_to(session, {d.payee.id for d, _ in persons})  # type: ignore[union-attr]
    programmes = await programmes_repo.programmes_by_ids(session, {m.programme_id for m in earlier})
    for d, _ in persons:
        programmes[d.programme.id] = d.programme
    seen: dict[uuid.UUID, list[checks.BenefitFact]] = defaultdict(list)

    def benefit(m: Movement | Entry) -> checks.BenefitFact:
        p = programmes[m.programme_id]
        return checks.BenefitFact(str(m.id), str(p.id), p.category, p.fiscal_year, m.occurred_on, m.region_code)

    for m in earlier:
        if m.amount_fen > m.refunded_fen:  # a payment paid back in full was not received
            seen[m.payee_id].append(benefit(m))  # type: ignore[index]
    findings: list[Finding] = []
    for draft, entry in persons:
        assert draft.payee is not None
        history = seen[draft.payee.id]
        new = benefit(entry)
        overlaps = checks.exclusive_overlaps(new, history, groups)
        history.append(new)
        if not overlaps:
            continue
        region = entry.region_code  # the smallest region holding every payment of the finding
        for p in overlaps:
            region = enclosing(region, p.region_code)
        partners = {c for g in groups if new.category in g for c in g}
        months: dict[str, set[str]] = defaultdict(set)
        for p in history:
            if p.fiscal_year == new.fiscal_year and p.category in partners and region_contains(region, p.region_code):
                months[p.occurred_on.strftime("%Y-%m")].add(p.programme_id)
        overlapping = sorted(month for month, ids in months.items() if len(ids) > 1)
        group = [new, *overlaps]
        level = Level.RED if len(overlapping) >= settings.multi_programme_red_months else Level.ORANGE
        findings.append(
            _finding(
                rules.MULTI_PROGRAMME,
                draft,
                entry,
                level=level,
                evidence={
                    "payee_id": str(draft.payee.id),
                    "fiscal_year": new.fiscal_year,
                    "categories": sorted({p.category for p in group}),
                    "programme_ids": sorted({p.programme_id for p in group}),
                    "payment_ids": [p.id for p in group],
                    "months": overlapping,
                    "exclusive_programme_categories": [list(g) for g in groups if new.category in g],
                },
                dedupe_key=f"FUNDS-MULTI-PROGRAMME:payee:{draft.payee.id}:{new.fiscal_year}",
                region_code=region,
            )
        )
    return findings


async def shared_accounts(session: AsyncSession, settings: FundsSettings, pays: Pairs) -> list[Finding]:
    """FUNDS-SHARED-ACCOUNT for payments to persons whose account other persons paid in the region share."""
    persons = [(d, m) for d, m in pays if d.payee is not None and d.payee.kind == PayeeKind.PERSON]
    hashes = {d.payee.account_hash for d, _ in persons if d.payee and d.payee.account_hash}
    if not hashes:
        return []
    holders = await supervision_repo.persons_on_accounts(session, hashes)
    regions = await supervision_repo.regions_paying(session, {p.id for p in holders})
    sharers: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
    for p in holders:
        for region in regions.get(p.id, set()):
            sharers[(p.account_hash or "", region)].add(p.id)
    changes: dict[str, list[checks.AccountChange]] = defaultdict(list)
    for row in await supervision_repo.accounts_sharing(session, hashes):
        changes[row.account_hash].append(checks.AccountChange(str(row.payee_id), row.changed_on, row.previous_tail))
    findings: list[Finding] = []
    for draft, entry in persons:
        assert draft.payee is not None
        digest = draft.payee.account_hash
        if not digest:
            continue
        group = sharers[(digest, entry.region_code)]
        group.add(draft.payee.id)
        if len(group) < settings.shared_account_min_payees:
            continue
        in_group = {str(i) for i in group}
        recent = checks.recent_account_changes(
            [c for c in changes[digest] if c.payee_id in in_group],
            on=entry.occurred_on,
            days=settings.account_change_days,
        )
        findings.append(
            _finding(
                rules.SHARED_ACCOUNT,
                draft,
                entry,
                level=Level.RED if recent else Level.ORANGE,
                evidence={
                    "payment_id": str(entry.id),
                    "account": f"****{draft.payee.account_tail}",
                    "payee_ids": sorted(in_group),
                    "payees": len(group),
                    "min_payees": settings.shared_account_min_payees,
                    "recent_changes": [
                        {
                            "payee_id": c.payee_id,
                            "changed_on": c.changed_on.isoformat(),
                            "from": f"****{c.previous_tail}",
                        }
                        for c in recent
                    ],
                    "account_change_days": settings.account_change_days,
                },
                # the account is named by a digest of its keyed hash: stable, and no account number in events
                dedupe_key=f"FUNDS-SHARED-ACCOUNT:account:{hashlib.sha256(digest.encode()).hexdigest()[:20]}",
            )
        )
    return findings


async def screen(session: AsyncSession, settings: FundsSettings, pays: Pairs) -> list[Finding]:
    """Record the accounts these payments name, then the two cross-checks."""
    record_accounts(session, settings, pays)
    await session.flush()  # the accounts just recorded count in the queries below
    return [*await multi_programme(session, settings, pays), *await shared_accounts(session, settings, pays)]


async def account_history(
    session: AsyncSession, who: Principal, payee_id: uuid.UUID, page: PageParams
) -> Page[PayeeAccountOut]:
    """Every account a payee was paid into, oldest first (masked), to callers who see a payment made to it."""
    payee = await payees_repo.payee(session, payee_id)
    if payee is None or not any(
        who.sees_region(m.region_code) for m in await watchlist_repo.payments_to(session, [payee_id])
    ):
        raise NotFound("no such payee")
    return page_sorted(
        await supervision_repo.account_history(session, [payee_id]),
        page,
        lambda row: (row.recorded_at, row.id),
        lambda row: PayeeAccountOut(
            account=f"****{row.account_tail}",
            previous=f"****{row.previous_tail}" if row.previous_tail else None,
            changed_on=row.changed_on,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            current=row.account_hash == payee.account_hash,
        ),
        (datetime, uuid.UUID),
    )
