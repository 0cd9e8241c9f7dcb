"""Signing keys: ES256, stored encrypted, published as JWKS, rotated without breaking tokens.

States: ``next`` (published before it signs, so every verifier already knows it when it
starts signing), ``current`` (signs), ``previous`` (published until the tokens it signed
have expired), ``retired``. ``rotate`` promotes next → current → previous and makes a new
next; a previous key is retired only once it can no longer verify a live token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk
from jose.backends.base import Key
from sqlalchemy import select, text
from sunlight.auth import REVOKED_MEMBER, revocation_key
from sunlight.crypto import FieldCipher, KeyedHasher
from sunlight.db import Database, utcnow

from gateway import repository
from gateway.models import KeyState, SigningKey

log = logging.getLogger("gateway.keys")

ALG = "ES256"
CIPHER_CONTEXT = "gateway.signing_key"


def new_key(cipher: FieldCipher, state: KeyState) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    kid = uuid.uuid4().hex[:16]
    public = {**jwk.construct(public_pem, ALG).to_dict(), "kid": kid, "alg": ALG, "use": "sig"}
    return SigningKey(
        kid=kid,
        alg=ALG,
        private_key=cipher.encrypt(pem, context=CIPHER_CONTEXT),
        public_jwk=public,
        state=state,
        activated_at=utcnow() if state == KeyState.CURRENT else None,
    )


class KeyStore:
    def __init__(
        self,
        db: Database,
        cipher: FieldCipher,
        *,
        cache_seconds: float = 30.0,
        token_seconds: int = 900,
        hasher: KeyedHasher | None = None,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.cache_seconds = cache_seconds
        self.token_seconds = token_seconds
        self.hasher = hasher  # publishes revocations (keyed hashes of the accounts) beside the keys
        self._loaded_at = 0.0
        self._signing: tuple[str, Key] | None = None
        self._jwks: dict[str, Any] = {"keys": []}

    async def _lock(self, session: Any) -> None:
        if self.db.dialect == "postgresql":  # replicas starting together create one key set
            await session.execute(text("SELECT pg_advisory_xact_lock(727274)"))

    async def ensure(self) -> None:
        """Create the first current and next keys when there are none."""
        async with self.db.sessions() as session, session.begin():
            await self._lock(session)
            states = set((await session.execute(select(SigningKey.state))).scalars())
            if KeyState.CURRENT not in states:
                session.add(new_key(self.cipher, KeyState.CURRENT))
            if KeyState.NEXT not in states:
                session.add(new_key(self.cipher, KeyState.NEXT))
        await self.load()

    async def load(self) -> None:
        async with self.db.readers() as session:  # reads only: never waits for SQLite's write lock
            keys = (
                (await session.execute(select(SigningKey).where(SigningKey.state != KeyState.RETIRED))).scalars().all()
            )
            # a token issued before its revocation lives at most this long (its lifetime plus verifiers' leeway)
            since = utcnow() - timedelta(seconds=self.token_seconds + 120)
            revoked = await repository.revocations(session, since=since) if self.hasher is not None else []
        current = next((k for k in keys if k.state == KeyState.CURRENT), None)
        if current is not None:
            pem = self.cipher.decrypt(current.private_key, context=CIPHER_CONTEXT)
            self._signing = (current.kid, jwk.construct(pem, ALG))
        order = {KeyState.CURRENT: 0, KeyState.NEXT: 1, KeyState.PREVIOUS: 2}
        jwks: dict[str, Any] = {"keys": [k.public_jwk for k in sorted(keys, key=lambda k: order[k.state])]}
        if self.hasher is not None:
            # RFC 7517 §5 lets a JWK Set carry members of its own: verifiers refuse tokens of these accounts
            # issued at or before the time given (account names travel as keyed hashes, never in clear)
            jwks[REVOKED_MEMBER] = {
                revocation_key(self.hasher, r.subject): int(r.revoked_at.timestamp()) for r in revoked
            }
        self._jwks = jwks
        self._loaded_at = time.monotonic()

    async def refresh_forever(self, stop: asyncio.Event) -> None:
        """Re-read the keys every ``cache_seconds`` (another replica or ``keys rotate`` may have
        rotated them). This runs in its own task with its own session: reading the keys never
        happens inside a request, whose transaction may hold SQLite's write lock (a second
        ``BEGIN IMMEDIATE`` inside it would wait for its own request until the busy timeout)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.cache_seconds)
            if stop.is_set():
                return
            try:
                await self.load()
            except Exception:
                log.exception("could not re-read the signing keys; keeping the ones loaded")

    async def signing_key(self) -> tuple[str, Key]:
        """The current key, from memory (never opens a session: callers hold theirs)."""
        if self._signing is None:
            raise RuntimeError("no current signing key: run the gateway's startup or `keys rotate`")
        return self._signing

    async def jwks(self) -> dict[str, Any]:
        """The published keys, from memory (see :meth:`refresh_forever`)."""
        return self._jwks

    async def rotate(self) -> str:
        """next → current, current → previous, new next; retire previous keys no live token needs."""
        async with self.db.sessions() as session, session.begin():
            await self._lock(session)
            keys = (
                (await session.execute(select(SigningKey).where(SigningKey.state != KeyState.RETIRED))).scalars().all()
            )
            now = utcnow()
            horizon = now - timedelta(seconds=self.token_seconds + 120)
            await repository.prune_revocations(session, before=horizon)
            for key in keys:
                if key.state == KeyState.PREVIOUS and key.retired_at is not None and key.retired_at <= horizon:
                    key.state = KeyState.RETIRED
                elif key.state == KeyState.CURRENT:
                    key.state = KeyState.PREVIOUS
                    key.retired_at = now  # stops signing now; verifies until the horizon
            promoted = next((k for k in keys if k.state == KeyState.NEXT), None)
            if promoted is None:
                promoted = new_key(self.cipher, KeyState.CURRENT)
                session.add(promoted)
            promoted.state = KeyState.CURRENT
            promoted.activated_at = now
            session.add(new_key(self.cipher, KeyState.NEXT))
            kid = promoted.kid
        await self.load()
        return kid


class LocalJWKS:
    """The gateway verifies its own tokens from its key store (no HTTP round trip, no session).

    Another replica's rotation needs no reload here: the key it starts signing with was published
    as ``next`` beforehand, and the store re-reads the keys every ``key_cache_seconds``."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store

    async def revoked(self) -> dict[str, int]:
        return dict((await self.store.jwks()).get(REVOKED_MEMBER, {}))

    async def key(self, kid: str) -> dict[str, Any] | None:
        for candidate in (await self.store.jwks())["keys"]:
            if candidate["kid"] == kid:
                return dict(candidate)
        return None
