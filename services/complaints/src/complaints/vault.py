"""Each report under its own data key (envelope encryption, as GlobaLeaks keeps a key per report).

A report's content, identity and messages are sealed with AES-256-GCM under a random 256-bit data key
made for that report; the data key is stored wrapped by the deployment's key ring
(``settings.cipher``: ``v1.<kid>.…``, so the ring's keys rotate and old keys are re-wrapped by
:func:`rewrap`). Destroying a report drops its wrapped key: every copy of its ciphertexts, backups
included, is unreadable from then on. Each sealed value binds the report id and the field as associated
data, so a ciphertext moved to another report or column does not open.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sunlight.crypto import DecryptionError, FieldCipher

PREFIX = "dk1."


def _context(report_id: uuid.UUID) -> str:
    return f"complaints.report_key:{report_id}"


class ReportVault:
    """The opened data key of one report."""

    def __init__(self, report_id: uuid.UUID, key: bytes) -> None:
        self.report_id = report_id
        self._aead = AESGCM(key)

    @classmethod
    def new(cls, report_id: uuid.UUID, ring: FieldCipher) -> tuple[ReportVault, str]:
        """A fresh data key for ``report_id`` and its wrapped form (to store in ``ReportKey.wrapped``)."""
        key = os.urandom(32)
        wrapped = ring.encrypt(base64.b64encode(key).decode(), context=_context(report_id))
        return cls(report_id, key), wrapped

    @classmethod
    def open(cls, report_id: uuid.UUID, wrapped: str, ring: FieldCipher) -> ReportVault:
        key = base64.b64decode(ring.decrypt(wrapped, context=_context(report_id)))
        return cls(report_id, key)

    def seal(self, value: Any, field: str) -> str:
        nonce = os.urandom(12)
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        sealed = self._aead.encrypt(nonce, plain, f"{self.report_id}:{field}".encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, token: str, field: str) -> Any:
        try:
            if not token.startswith(PREFIX):
                raise ValueError("not sealed")
            raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
            return json.loads(self._aead.decrypt(raw[:12], raw[12:], f"{self.report_id}:{field}".encode()))
        except Exception as exc:
            raise DecryptionError("sealed value cannot be opened") from exc

    def seal_bytes(self, data: bytes, field: str) -> bytes:
        """``data`` sealed (nonce + ciphertext), bound to this report and ``field``."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, f"{self.report_id}:{field}".encode())

    def unseal_bytes(self, sealed: bytes, field: str) -> bytes:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], f"{self.report_id}:{field}".encode())
        except Exception as exc:
            raise DecryptionError("sealed value cannot be opened") from exc


def rewrap(report_id: uuid.UUID, wrapped: str, ring: FieldCipher) -> str | None:
    """The data key wrapped by the ring's current key, or None when it already is."""
    if not ring.needs_rotation(wrapped):
        return None
    key = ring.decrypt(wrapped, context=_context(report_id))
    return ring.encrypt(key, context=_context(report_id))
