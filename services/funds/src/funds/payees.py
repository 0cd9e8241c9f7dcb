"""Payees (收款方): identified without keeping what identifies a person.

An organisation is known by its USCC (or, lacking one, by the paying system's own id); a
person by the keyed hash of their resident ID number. A person's name and every bank
account are stored encrypted, the account also as a keyed hash (who shares one); output shows only
the masked name and the last four digits. Every account a payee was paid into is kept
(``PayeeAccount``, ``crosschecks.record_accounts``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sunlight.crypto import mask_name

from funds.models import Payee, PayeeKind
from funds.repository import payees as payees_repo
from funds.schemas.movements import PayeeIn, PayeeOut
from funds.settings import FundsSettings

ID_PURPOSE = "funds.resident_id"  # watch-list entries hash with the same purpose, so they match


def id_hash(settings: FundsSettings, resident_id: str) -> str:
    return settings.hasher.hash(resident_id, purpose=ID_PURPOSE)


def identity(settings: FundsSettings, given: PayeeIn) -> str:
    if given.kind == PayeeKind.PERSON:
        assert given.resident_id is not None  # the schema requires it
        return f"id:{id_hash(settings, given.resident_id)}"
    if given.uscc:
        return f"uscc:{given.uscc}"
    return f"ext:{given.external_id}"


def _new(settings: FundsSettings, given: PayeeIn, key: str) -> Payee:
    payee = Payee(
        kind=given.kind,
        identity=key,
        uscc=given.uscc,
        external_id=given.external_id,
        name_masked=mask_name(given.name) if given.kind == PayeeKind.PERSON else given.name,
    )
    if given.kind == PayeeKind.PERSON:
        payee.id_hash = key.removeprefix("id:")
        payee.name_cipher = settings.cipher.encrypt(given.name, context="payee.name")
    else:
        payee.name = given.name
    return payee


ACCOUNT_PURPOSE = "funds.bank_account"


def account_hash(settings: FundsSettings, account: str) -> str:
    """The keyed hash of a bank account: who shares an account, without the account."""
    return settings.hasher.hash(account, purpose=ACCOUNT_PURPOSE)


async def resolve(
    session: AsyncSession, settings: FundsSettings, given: Sequence[PayeeIn]
) -> tuple[dict[str, Payee], set[uuid.UUID]]:
    """The payee of every input (created when new); returns them by identity and the ids created now."""
    wanted: dict[str, PayeeIn] = {}
    for item in given:
        wanted.setdefault(identity(settings, item), item)
    found = await payees_repo.payees_by_identity(session, list(wanted))
    created: set[uuid.UUID] = set()
    missing = [key for key in wanted if key not in found]
    if missing:
        fresh = [_new(settings, wanted[key], key) for key in missing]
        try:
            async with session.begin_nested():
                session.add_all(fresh)
                await session.flush()
        except IntegrityError:  # a concurrent writer created some of them: take theirs, add the rest one by one
            fresh = []
            for key in missing:
                try:
                    async with session.begin_nested():
                        one = _new(settings, wanted[key], key)
                        session.add(one)
                        await session.flush()
                    fresh.append(one)
                except IntegrityError:
                    pass
            found.update(await payees_repo.payees_by_identity(session, [k for k in missing if k not in found]))
        for payee in fresh:
            found[payee.identity] = payee
            created.add(payee.id)
    # the bank account given with a payment is recorded with the payment (crosschecks.record_accounts): a new
    # account is a change kept in the payee's account history, never a silent overwrite
    return found, created


def payee_out(payee: Payee, *, held: bool = False) -> PayeeOut:
    return PayeeOut(
        id=payee.id,
        kind=payee.kind,
        name=payee.label,
        uscc=payee.uscc,
        external_id=payee.external_id,
        account=f"****{payee.account_tail}" if payee.account_tail else None,
        held=held,
    )


def subject_label(payee: Payee) -> str:
    """A warning's subject label: an organisation's name, never a person's (even masked)."""
    if payee.kind == PayeeKind.ORGANISATION and payee.name:
        return payee.name[:300]
    return f"person payee {str(payee.id)[:8]}"
