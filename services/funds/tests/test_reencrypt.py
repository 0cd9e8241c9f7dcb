"""After an encryption key rotation, `sunlight-funds reencrypt` moves every sealed payee value to the new key,
so the old key can be dropped without losing a name or an account number."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from funds.app import MIGRATIONS
from funds.models import ENCRYPTED
from funds.settings import FundsSettings
from sunlight.crypto import DecryptionError, FieldCipher
from sunlight.db import Database
from sunlight.reencrypt import reencrypt
from sunlight.testing import ServiceHarness

from .conftest import person

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


@pytest.fixture
async def funds_settings(harness: ServiceHarness) -> FundsSettings:
    return await harness.settings(FundsSettings, MIGRATIONS, encryption_keys=OLD)


async def sealed(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as session:
        rows = await session.execute(sa.text("SELECT name_cipher, account_cipher FROM payee"))
        return [(r[0], r[1]) for r in rows]


async def test_a_rotation_rewrites_every_payee_under_the_new_key(funds_settings, make):
    tree = await make.tree()
    await make.down(tree, 10_000)
    await make.pay(tree.town, 1_000, person(1, name="张三丰", account="6222020200112233"))
    await make.pay(tree.town, 1_000, person(2, name="李四", account="6222020200445566"))

    db = Database(funds_settings.effective_database_url())
    try:
        before = await sealed(db)
        assert len(before) == 2 and all(n.startswith("v1.old.") and a.startswith("v1.old.") for n, a in before)

        rotated = FieldCipher.from_setting(f"{NEW},{OLD}")  # the new key first, the old one still readable
        moved = {"payee.name_cipher": 2, "payee.account_cipher": 2, "payee_account.account_cipher": 2}
        assert await reencrypt(db, rotated, ENCRYPTED, batch=1) == moved  # the account history too
        assert await reencrypt(db, rotated, ENCRYPTED) == dict.fromkeys(moved, 0)

        only_new = FieldCipher.from_setting(NEW)  # the old key removed from the setting
        after = await sealed(db)
        names = {only_new.decrypt(n, context="payee.name") for n, _ in after}
        accounts = {only_new.decrypt(a, context="payee.account") for _, a in after}
        assert names == {"张三丰", "李四"} and accounts == {"6222020200112233", "6222020200445566"}
        with pytest.raises(DecryptionError):
            FieldCipher.from_setting(OLD).decrypt(after[0][0], context="payee.name")
    finally:
        await db.dispose()
