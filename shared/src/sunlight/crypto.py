"""Field encryption and keyed hashes for personal data (ID numbers, bank accounts, identities).

Ciphertexts carry the id of the key that made them (``v1.<kid>.<base64 nonce+ct>``) so keys
rotate: new writes use the first key, old rows still decrypt with theirs. Keyed hashes
(HMAC-SHA256) allow equality search (duplicate payee, linked bidders) without storing the value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A ciphertext could not be decrypted (unknown key id or tampered data)."""


class FieldCipher:
    """AES-256-GCM with key ids; the first key encrypts, every key decrypts."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError("the current key id has no key")
        for kid, key in keys.items():
            if not _KID.match(kid) or len(key) != 32:
                raise ValueError(f"key {kid!r}: ids are [A-Za-z0-9_-], keys 32 bytes")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current

    @classmethod
    def from_setting(cls, value: str) -> FieldCipher:
        """Parse ``kid:base64key[,kid:base64key...]``; the first entry is the current key."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            kid, _, b64 = part.partition(":")
            keys[kid] = base64.b64decode(b64)
            order.append(kid)
        if not order:
            raise ValueError("no encryption keys given")
        return cls(keys, order[0])

    @staticmethod
    def generate_key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt ``plaintext``; ``context`` (e.g. table.column) is bound as associated data."""
        nonce = os.urandom(12)
        sealed = self._keys[self.current].encrypt(nonce, plaintext.encode(), context.encode())
        return f"v1.{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        try:
            version, kid, b64 = token.split(".", 2)
            if version != "v1" or kid not in self._keys:
                raise DecryptionError(f"unknown key id {kid!r}")
            raw = base64.urlsafe_b64decode(b64)
            return self._keys[kid].decrypt(raw[:12], raw[12:], context.encode()).decode()
        except DecryptionError:
            raise
        except Exception as exc:  # InvalidTag, bad base64, bad split
            raise DecryptionError("ciphertext cannot be decrypted") from exc

    def needs_rotation(self, token: str) -> bool:
        return not token.startswith(f"v1.{self.current}.")


class KeyedHasher:
    """HMAC-SHA256 of a normalised value: equality search without the value."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the hash key must be at least 16 bytes")
        self._key = key

    def hash(self, value: str, *, purpose: str = "") -> str:
        normalised = "".join(value.split()).upper()
        return hmac.new(self._key, f"{purpose}\x00{normalised}".encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """张三丰 → 张**; John Smith → J*** S****: enough to recognise, not to identify."""
    name = name.strip()
    if not name:
        return name
    if all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return name[0] + "*" * (len(name) - 1)
    return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())


def mask_tail(value: str, keep: int = 4) -> str:
    """6222020200112233 → ************2233."""
    return "*" * max(len(value) - keep, 0) + value[-keep:]
