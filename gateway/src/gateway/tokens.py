"""Access tokens (RFC 9068 JWT profile) and refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

from jose import jws

from gateway.keys import ALG, KeyStore


class TokenIssuer:
    def __init__(self, keys: KeyStore, *, issuer: str, audience: str, lifetime: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime

    async def access_token(
        self, *, subject: str, client_id: str, kind: str, scopes: list[str], regions: list[str], unit: str | None
    ) -> str:
        kid, key = await self.keys.signing_key()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "client_id": client_id,
            "kind": kind,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(sorted(scopes)),
            "regions": sorted(regions),
        }
        if unit:
            claims["unit"] = unit
        return jws.sign(claims, key, headers={"kid": kid, "typ": "at+jwt"}, algorithm=ALG)


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, refresh_hash(token)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
