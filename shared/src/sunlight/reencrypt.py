"""Re-encrypt personal data under the current key after a key rotation (``sunlight-<name> reencrypt``).

Rotating ``SUNLIGHT_ENCRYPTION_KEYS``: put the new key first and keep the old ones after it; new writes use
the new key at once and old rows still decrypt. This command then rewrites every sealed value still under
an old key, in batches (each batch one transaction, safe to interrupt and run again, safe beside running
replicas: a row is rewritten only if it still holds the value that was read). When it reports nothing left,
the old key can be removed from the setting.

Each package declares what it encrypts in its ``models.py`` as ``ENCRYPTED``: a list of :class:`Sealed`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sunlight.crypto import FieldCipher
from sunlight.db import Database


@dataclass(frozen=True)
class Sealed:
    """One encrypted column: the table, the column, and the context the value was sealed with (a constant, or a
    function of the row's ``context_columns`` when it varies by row)."""

    table: str
    column: str
    context: str | Callable[[Mapping[str, Any]], str]
    key: str = "id"
    context_columns: tuple[str, ...] = ()

    def context_of(self, row: Mapping[str, Any]) -> str:
        return self.context if isinstance(self.context, str) else self.context(row)


async def reencrypt(db: Database, cipher: FieldCipher, sealed: Sequence[Sealed], *, batch: int = 500) -> dict[str, int]:
    """Rewrite every value not under the current key; returns how many per ``table.column``."""
    done: dict[str, int] = {}
    current = f"v1.{cipher.current}.%"
    for item in sealed:
        table = sa.table(item.table, sa.column(item.key), sa.column(item.column), *map(sa.column, item.context_columns))
        key, column = table.c[item.key], table.c[item.column]
        count, after = 0, None
        while True:
            query = (
                sa.select(key, column, *(table.c[c] for c in item.context_columns))
                .where(column.is_not(None), column.not_like(current))
                .order_by(key)
                .limit(batch)
            )
            if after is not None:
                query = query.where(key > after)
            async with db.sessions() as session, session.begin():
                rows = (await session.execute(query)).mappings().all()
                for row in rows:
                    context = item.context_of(dict(row))
                    fresh = cipher.encrypt(cipher.decrypt(row[item.column], context=context), context=context)
                    result = await session.execute(
                        sa.update(table)
                        .where(key == row[item.key], column == row[item.column])
                        .values({item.column: fresh})
                    )
                    count += result.rowcount or 0  # type: ignore[attr-defined]
            if len(rows) < batch:
                break
            after = rows[-1][item.key]
        done[f"{item.table}.{item.column}"] = count
    return done


def run(url: str, cipher: FieldCipher, sealed: Sequence[Sealed]) -> dict[str, int]:
    async def go() -> dict[str, int]:
        db = Database(url)
        try:
            return await reencrypt(db, cipher, sealed)
        finally:
            await db.dispose()

    return asyncio.run(go())
