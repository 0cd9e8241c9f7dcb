"""Hostile access tokens: what an attacker can build knowing the public JWKS and one valid token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jws


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64json(value: Any) -> str:
    return b64(json.dumps(value).encode())


def _pem(private: Any) -> str:
    return str(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    )


def public_pem(jwk_dict: dict[str, Any]) -> str:
    return str(jwk.construct(jwk_dict, jwk_dict.get("alg", "ES256")).to_pem().decode())


@dataclass
class Forger:
    """Builds attack tokens against a verifier trusting ``kid`` (public key ``public``), for ``iss``/``aud``.

    ``private_pem`` is the real signing key: with it the forger also builds tokens that are
    correctly signed but wrong in their claims (expired, not yet valid, wrong audience or issuer).
    """

    kid: str
    public: dict[str, Any]  # the published JWK
    private_pem: str
    issuer: str
    audience: str
    scopes: str
    regions: list[str]

    def claims(self, **override: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "attacker",
            "client_id": "attacker",
            "kind": "client",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "scope": self.scopes,
            "regions": self.regions,
        }
        claims.update(override)
        return {k: v for k, v in claims.items() if v is not None}

    def signed(self, claims: dict[str, Any] | None = None, **header: Any) -> str:
        """Correctly signed with the real key (``header`` adds or overrides header members)."""
        head = {"kid": self.kid, "typ": "at+jwt", **header}
        return str(jws.sign(claims or self.claims(), self.private_pem, headers=head, algorithm="ES256"))

    def attacks(self) -> dict[str, str]:
        """Every token here must be refused (401 …/invalid-token) by every route that needs a token."""
        now = int(time.time())
        good = self.signed()
        head, payload, signature = good.split(".")
        attacker_ec = ec.generate_private_key(ec.SECP256R1())
        attacker_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        attacker_public = {
            **jwk.construct(
                attacker_ec.public_key()
                .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
                .decode(),
                "ES256",
            ).to_dict(),
            "kid": "attacker",
        }
        elevated = self.claims(scope=self.scopes + " admin", regions=["000000"])
        typ = {"typ": "at+jwt"}

        def unsigned(header: dict[str, Any]) -> str:
            return f"{b64json(header)}.{b64json(self.claims())}."

        def hmac_with_public(alg: str, digest: Any) -> str:
            signing_input = f"{b64json({'alg': alg, 'kid': self.kid, **typ})}.{b64json(self.claims())}"
            mac = hmac.new(public_pem(self.public).encode(), signing_input.encode(), digest).digest()
            return f"{signing_input}.{b64(mac)}"

        def with_attacker_key(key: Any, alg: str, **header: Any) -> str:
            return str(jws.sign(self.claims(), _pem(key), headers={"kid": self.kid, **typ, **header}, algorithm=alg))

        return {
            "alg none": unsigned({"alg": "none", "kid": self.kid, **typ}),
            "alg None": unsigned({"alg": "None", "kid": self.kid, **typ}),
            "no alg": unsigned({"kid": self.kid, **typ}),
            "HS256 keyed with the public key": hmac_with_public("HS256", hashlib.sha256),
            "HS512 keyed with the public key": hmac_with_public("HS512", hashlib.sha512),
            "RS256 with our kid (ES/RS confusion)": with_attacker_key(attacker_rsa, "RS256"),
            "RS512 with our kid": with_attacker_key(attacker_rsa, "RS512"),
            "ES384 with our kid": with_attacker_key(ec.generate_private_key(ec.SECP384R1()), "ES384"),
            "ES256 forged with our kid": with_attacker_key(attacker_ec, "ES256"),
            "unknown kid": with_attacker_key(attacker_ec, "ES256", kid="attacker"),
            "no kid": with_attacker_key(attacker_ec, "ES256", kid=None),
            "kid path traversal": with_attacker_key(attacker_ec, "ES256", kid="../../../../dev/null"),
            "embedded jwk": with_attacker_key(attacker_ec, "ES256", jwk=attacker_public),
            "jku to the attacker": with_attacker_key(attacker_ec, "ES256", jku="http://127.0.0.1:9/jwks.json"),
            "expired": self.signed(self.claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)),
            "not yet valid": self.signed(self.claims(iat=now, nbf=now + 3600, exp=now + 7200)),
            "issued in the future": self.signed(self.claims(iat=now + 3600, nbf=now + 3600, exp=now + 7200)),
            "no exp": self.signed(self.claims(exp=None)),
            "wrong aud": self.signed(self.claims(aud="https://elsewhere.example/api")),
            "no aud": self.signed(self.claims(aud=None)),
            "wrong iss": self.signed(self.claims(iss="https://attacker.example/")),
            "no sub": self.signed(self.claims(sub=None)),
            "typ JWT (not an access token)": self.signed(typ="JWT"),
            "tampered payload": f"{head}.{b64json(elevated)}.{signature}",
            "stripped signature": f"{head}.{payload}.",
            "signature of another token": f"{head}.{b64json(elevated)}.{self.signed().split('.')[2]}",
            "garbage": "not-a-jwt",
            "two parts": f"{head}.{payload}",
            "oversized": f"{head}.{b64(b'x' * 20000)}.{signature}",
        }
