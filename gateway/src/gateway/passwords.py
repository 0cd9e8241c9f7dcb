"""Argon2id hashes for client secrets and passwords; verification off the event loop."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


async def hash_secret(secret: str) -> str:
    return await asyncio.to_thread(_hasher.hash, secret)


async def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Constant work whether or not the account exists (no enumeration by timing)."""

    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY, secret) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
