"""Argon2id hashes for client secrets and passwords; verification off the event loop."""

from __future__ import annotations

import asyncio
import functools
import re
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


# --- what a password must not be -----------------------------------------------------------------

MIN_PASSWORD_LENGTH = 12
_SEQUENCES = (
    "0123456789" * 4,
    "abcdefghijklmnopqrstuvwxyz" * 2,
    "qwertyuiopasdfghjklzxcvbnm" * 2,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p" * 2,
)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30 000 most common passwords of the Xato corpus, as zxcvbn ships them (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` is refused for ``username`` (never echoing it), or ``None`` when it is acceptable:
    at least 12 characters, not a common password, not a repetition or keyboard/alphabet run, not
    containing the username (NIST SP 800-63B §5.1.1.2: length and a blocklist, no composition rules)."""
    lowered = password.lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if lowered in common_passwords():
        return "this is one of the most common passwords"
    if re.fullmatch(r"(.+?)\1+", lowered, flags=re.DOTALL) or len(set(lowered)) < 5:
        return "a password made of a few repeated characters is easy to guess"
    if any(lowered in run or lowered in run[::-1] for run in _SEQUENCES):
        return "a run of the alphabet, digits or keyboard is easy to guess"
    if username and username.lower() in lowered:
        return "the password must not contain the username"
    return None
