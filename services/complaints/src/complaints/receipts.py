"""Receipt codes: what an account-less reporter holds to follow a report up.

A receipt is 20 characters of Crockford base32 from ``secrets`` (100 bits; SecureDrop's codenames are about
90, GlobaLeaks' 16 digits about 53), shown once as ``XXXX-XXXX-XXXX-XXXX-XXXX``. It is stored twice, and
never itself: a keyed hash (HMAC with the deployment's hash key, kept outside the database) to find the
report, and an argon2id hash (argon2-cffi) that the code must verify against — so a stolen database alone
neither finds nor confirms a receipt. Reading is forgiving: case, spaces, hyphens, and the letters
Crockford maps (O→0, I/L→1) are normalised.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sunlight.crypto import KeyedHasher

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
LENGTH = 20  # x 5 bits = 100 bits
PURPOSE = "complaints.receipt"
_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_receipt() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(receipt: str) -> str | None:
    """The 20 code characters, or None when ``receipt`` cannot be one."""
    code = "".join(ch for ch in receipt.upper() if ch not in " -").translate(_MAP)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


class ReceiptHasher:
    def __init__(self, hasher: KeyedHasher, *, time_cost: int, memory_kib: int) -> None:
        self._keyed = hasher
        self._argon = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    def lookup(self, code: str) -> str:
        return self._keyed.hash(code, purpose=PURPOSE)

    async def slow_hash(self, code: str) -> str:
        return await asyncio.to_thread(self._argon.hash, code)

    async def verify(self, stored: str, code: str) -> bool:
        def check() -> bool:
            try:
                return bool(self._argon.verify(stored, code))
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)

    async def burn(self) -> None:
        """Spend what a verification costs (an unknown receipt answers as slowly as a wrong one)."""
        await self.verify(_DUMMY.get(self), "0" * LENGTH)


class _Dummy:
    def __init__(self) -> None:
        self._hashes: dict[int, str] = {}

    def get(self, hasher: ReceiptHasher) -> str:
        key = id(hasher)
        if key not in self._hashes:
            self._hashes[key] = hasher._argon.hash("dummy-receipt-never-issued")
        return self._hashes[key]


_DUMMY = _Dummy()
