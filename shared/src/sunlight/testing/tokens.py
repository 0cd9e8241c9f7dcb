"""A real ES256 signing key for tests, its JWKS, and token minting (good and deliberately bad)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk, jws

ISSUER = "https://sunlight.example/gateway"
AUDIENCE = "https://sunlight.example/api"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class TestKeys:
    """An ES256 key pair with a kid, as the gateway would publish it."""

    __test__ = False  # not a test class

    def __init__(self, kid: str = "test-key-1") -> None:
        self.kid = kid
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.private_pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public_pem = (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        public = jwk.construct(self.public_pem, "ES256").to_dict()
        self.public_jwk = {**public, "kid": kid, "alg": "ES256", "use": "sig"}
        self.issuer = ISSUER
        self.audience = AUDIENCE

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    @property
    def jwks_json(self) -> str:
        return json.dumps(self.jwks)

    def claims(
        self,
        *,
        scopes: str | list[str] = "",
        regions: list[str] | None = None,
        sub: str = "test-client",
        lifetime: int = 300,
        **extra: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        scope = scopes if isinstance(scopes, str) else " ".join(scopes)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "client_id": sub,
            "kind": "client",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "scope": scope,
            "regions": regions if regions is not None else ["000000"],
        }
        claims.update(extra)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(
        self,
        *,
        scopes: str | list[str] = "",
        regions: list[str] | None = None,
        sub: str = "test-client",
        lifetime: int = 300,
        headers: dict[str, Any] | None = None,
        **extra: Any,
    ) -> str:
        """A valid access token (override any claim with a keyword; ``None`` drops it)."""
        claims = self.claims(scopes=scopes, regions=regions, sub=sub, lifetime=lifetime, **extra)
        head = {"kid": self.kid, "typ": "at+jwt", **(headers or {})}
        head = {k: v for k, v in head.items() if v is not None}
        return str(jws.sign(claims, self.private_pem, headers=head, algorithm="ES256"))

    def auth(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mint(**kwargs)}"}

    # deliberately bad tokens --------------------------------------------------------------

    def unsigned(self, **kwargs: Any) -> str:
        """``alg: none`` with an empty signature."""
        head = {"alg": "none", "typ": "at+jwt", "kid": self.kid}
        body = self.claims(**kwargs)
        return f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(body).encode())}."

    def hs256_with_public_key(self, **kwargs: Any) -> str:
        """The classic confusion attack: HMAC keyed with our own public key."""
        import hashlib
        import hmac

        head = {"alg": "HS256", "typ": "at+jwt", "kid": self.kid}
        signing_input = f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(self.claims(**kwargs)).encode())}"
        signature = hmac.new(self.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"
