"""Access-token verification (the one wrapper around python-jose), principals and scope checks.

Every token in Sunlight is checked here and nowhere else:

- the header must name an allowed algorithm, ``typ: at+jwt`` (RFC 9068) and a known,
  well-formed ``kid``; ``jku``/``x5u``/``jwk``/``x5c`` headers are refused, never followed;
- the key must have been published by our issuer and be meant for that algorithm;
- ``exp``, ``iat``, ``iss``, ``aud`` and ``sub`` are required and checked (30 s leeway),
  ``nbf`` when present;
- keys come from the gateway's JWKS, cached, re-fetched on an unknown ``kid`` at most once
  per cool-down (a flood of made-up kids cannot make us hammer the gateway);
- a key withdrawn from the JWKS stops verifying (fresh tokens and cached ones alike) once the
  JWKS cache lifetime has passed: the key is looked up in the JWKS for every verification.

python-jose trusts the header's ``alg`` and skips ``aud`` unless told otherwise; nothing
outside this module calls it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar

import httpx
from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from sunlight.codes import NATIONWIDE, region_contains, region_prefix
from sunlight.crypto import KeyedHasher
from sunlight.errors import (
    ForbiddenRegion,
    InsufficientScope,
    InvalidToken,
    NationwideOnly,
    NotFound,
    Unauthenticated,
)
from sunlight.scopes import SCOPES

TOKEN_TYPE = "at+jwt"  # noqa: S105 - RFC 9068 typ, not a secret
MAX_TOKEN_BYTES = 8192
_KID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FORBIDDEN_HEADERS = ("jku", "x5u", "jwk", "x5c", "crit")


class _Regional(Protocol):
    @property
    def region_code(self) -> str: ...


_R = TypeVar("_R", bound=_Regional)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a bureau system (client) or a person (user), with scopes and regions."""

    subject: str
    client_id: str
    kind: str  # "client" | "user" | "service"
    scopes: frozenset[str]
    regions: tuple[str, ...]
    unit: str | None = None  # USCC of the caller's own unit, if any
    name: str | None = None
    token_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def sees_region(self, code: str | None) -> bool:
        """True when ``code`` lies in one of the principal's regions (or below one)."""
        if code is None:
            return NATIONWIDE in self.regions
        return any(region_contains(own, code) for own in self.regions)

    @property
    def nationwide(self) -> bool:
        """True when the principal acts for the whole country: its regions include the root code ``000000``
        (``sunlight.codes.NATIONWIDE``). Deployment-wide settings and operations over every region need it;
        ``*:admin`` of a province or a city is not enough."""
        return NATIONWIDE in self.regions

    def ensure_nationwide(self, what: str) -> None:
        """403 ``…/nationwide-only`` unless the principal is nationwide (``what``: the operation refused)."""
        if not self.nationwide:
            raise NationwideOnly(f"{what} applies to every region: it needs a nationwide token (region {NATIONWIDE})")

    @property
    def region_prefixes(self) -> tuple[str, ...]:
        """Prefixes for SQL ``LIKE 'p%'`` filters; ``("",)`` means everywhere."""
        return tuple(region_prefix(code) for code in self.regions)

    def ensure_can_write(self, code: str | None) -> None:
        if not self.sees_region(code):
            raise ForbiddenRegion(f"region {code} is outside this token's regions", region_code=code)

    def visible(self, found: _R | None, what: str) -> _R:
        """``found`` when it exists and lies in the principal's regions; otherwise 404 ``no such <what>``
        (another region's resource does not exist for the caller, whatever the method)."""
        if found is None or not self.sees_region(found.region_code):
            raise NotFound(f"no such {what}")
        return found

    def ensure_can_read(self, code: str | None, what: str = "resource") -> None:
        """Reads of another region's resource answer 404: existence is not disclosed (OWASP API1)."""
        if not self.sees_region(code):
            raise NotFound(f"no such {what}")


REVOKED_MEMBER = "sunlight_revoked"  # JWK Set member: {keyed hash of an account: refuse tokens issued at or before}


def revocation_key(hasher: KeyedHasher, account: str) -> str:
    """How an account (a client id, or ``user:<name>``) is named in the published revocations: a keyed hash,
    so the JWKS never lists who was disabled (the hex keeps the name's case, which the hasher folds)."""
    return hasher.hash(account.encode().hex(), purpose="revocation")


class JWKSProvider(Protocol):
    async def key(self, kid: str) -> dict[str, Any] | None: ...

    async def revoked(self) -> dict[str, int]: ...


def _revoked_of(doc: dict[str, Any]) -> dict[str, int]:
    member = doc.get(REVOKED_MEMBER)
    if not isinstance(member, dict):
        return {}
    return {k: v for k, v in member.items() if isinstance(k, str) and isinstance(v, int)}


class StaticJWKS:
    """A JWKS given up front (the gateway's own keys, an offline deployment, tests)."""

    def __init__(self, jwks: dict[str, Any] | str) -> None:
        doc = json.loads(jwks) if isinstance(jwks, str) else jwks
        self._keys = {k["kid"]: k for k in doc.get("keys", []) if "kid" in k}
        self._revoked = _revoked_of(doc)

    async def key(self, kid: str) -> dict[str, Any] | None:
        return self._keys.get(kid)

    async def revoked(self) -> dict[str, int]:
        return self._revoked


class RemoteJWKS:
    """The gateway's JWKS over HTTP: cached, refreshed on an unknown kid at most once per cool-down."""

    def __init__(self, url: str, client: httpx.AsyncClient, *, ttl: float = 300.0, cooldown: float = 10.0) -> None:
        self.url = url
        self._client = client
        self._ttl = ttl
        self._cooldown = cooldown
        self._keys: dict[str, dict[str, Any]] = {}
        self._revoked: dict[str, int] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._cooldown:
                return  # another task refreshed meanwhile, or we are inside the cool-down
            self._fetched_at = time.monotonic()
            self.fetches += 1
            try:
                response = await self._client.get(self.url, timeout=5.0)
                response.raise_for_status()
                doc = response.json()
            except (httpx.HTTPError, ValueError):
                return  # keep the keys we have; the token is refused if its kid is unknown
            self._keys = {k["kid"]: k for k in doc.get("keys", []) if isinstance(k, dict) and "kid" in k}
            self._revoked = _revoked_of(doc)

    async def key(self, kid: str) -> dict[str, Any] | None:
        stale = time.monotonic() - self._fetched_at > self._ttl
        if kid not in self._keys or stale:
            await self._refresh()
        return self._keys.get(kid)

    async def revoked(self) -> dict[str, int]:
        """The accounts whose earlier tokens are refused, as of the last fetch (refreshed with the keys)."""
        return self._revoked


class TokenVerifier:
    """Verifies access tokens; caches good ones until they expire (verification is the hot path)."""

    def __init__(
        self,
        jwks: JWKSProvider,
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str] = ("ES256",),
        leeway: int = 30,
        cache_size: int = 10_000,
        hasher: KeyedHasher | None = None,
    ) -> None:
        self.jwks = jwks
        self.hasher = hasher  # names accounts in the JWKS's revocations; None: revocations are not checked
        self.issuer = issuer
        self.audience = audience
        self.algorithms = tuple(algorithms)
        if not self.algorithms or any(a.lower() == "none" or a.startswith("HS") for a in self.algorithms):
            raise ValueError("only asymmetric algorithms may be allowed")
        self.leeway = leeway
        self._cache: OrderedDict[bytes, tuple[Principal, float, str]] = OrderedDict()
        self._cache_size = cache_size
        self._key_objects: dict[tuple[str, str], Key] = {}  # (kid, the JWK as published) → key

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("the token is too large")
        digest = hashlib.sha256(token.encode()).digest()
        hit = self._cache.get(digest)
        now = time.time()
        if hit is not None:
            principal, expires, kid = hit
            if now <= expires + self.leeway and await self.jwks.key(kid) is not None:
                await self._refuse_revoked(principal)
                return principal  # still valid, its key still published, its account not revoked
            del self._cache[digest]
        principal, expires, kid = await self._verify_uncached(token)
        await self._refuse_revoked(principal)
        self._cache[digest] = (principal, expires, kid)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    async def _refuse_revoked(self, principal: Principal) -> None:
        """A token of an account disabled, deleted or re-keyed after the token was issued is refused
        (the gateway publishes such accounts with its keys; they reach a service within the JWKS cache life)."""
        if self.hasher is None:
            return
        revoked = await self.jwks.revoked()
        if not revoked:
            return
        issued = principal.claims.get("iat")
        if not isinstance(issued, int | float):
            return
        for account in {principal.subject, principal.client_id}:
            before = revoked.get(revocation_key(self.hasher, account))
            if before is not None and issued <= before:
                raise InvalidToken("the token's account was disabled, removed or given a new secret")

    async def _verify_uncached(self, token: str) -> tuple[Principal, float, str]:
        try:
            header = jwt.get_unverified_header(token)
        except (JOSEError, RecursionError):  # RecursionError: a header nested without end
            raise InvalidToken("the token is malformed") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise InvalidToken("the token's algorithm is not accepted")
        if str(header.get("typ", "")).lower() not in (TOKEN_TYPE, "application/" + TOKEN_TYPE):
            raise InvalidToken("the token is not an access token (typ at+jwt)")
        if any(name in header for name in _FORBIDDEN_HEADERS):
            raise InvalidToken("the token carries a key reference header this API does not follow")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.match(kid):
            raise InvalidToken("the token has no usable key id")
        key = await self._key(kid, alg)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iat": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iss": True,
                    "verify_sub": True,
                    "require_aud": True,
                    "require_iat": True,
                    "require_exp": True,
                    "require_iss": True,
                    "require_sub": True,
                    "leeway": self.leeway,
                },
            )
        except ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except JWTClaimsError as exc:
            raise InvalidToken(f"the token's claims are not accepted: {exc}") from None
        except JOSEError:
            raise InvalidToken("the token's signature does not verify") from None
        return principal_from_claims(claims), float(claims["exp"]), kid

    async def _key(self, kid: str, alg: str) -> Key:
        """The published key ``kid``, asked of the JWKS every time (it caches for its lifetime), so a
        withdrawn key stops verifying; only the parsed key object is kept, keyed by what was published."""
        jwk_dict = await self.jwks.key(kid)
        if jwk_dict is None:
            raise InvalidToken("the token was signed with a key this API does not know")
        published = (kid, json.dumps(jwk_dict, sort_keys=True))
        cached = self._key_objects.get(published)
        if cached is not None:
            return cached
        if jwk_dict.get("alg") != alg or jwk_dict.get("use", "sig") != "sig" or "d" in jwk_dict:
            raise InvalidToken("the signing key is not meant for this algorithm")
        try:
            key = jwk.construct(jwk_dict, alg)
        except JOSEError:
            raise InvalidToken("the signing key is not usable") from None
        if len(self._key_objects) > 64:  # a handful of keys live at a time; forget old ones
            self._key_objects.clear()
        self._key_objects[published] = key
        return key


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    scope = claims.get("scope", "")
    regions = claims.get("regions") or []
    if not isinstance(scope, str) or not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise InvalidToken("the token's scope or regions are malformed")
    return Principal(
        subject=str(claims["sub"]),
        client_id=str(claims.get("client_id", claims["sub"])),
        kind=str(claims.get("kind", "client")),
        scopes=frozenset(scope.split()),
        regions=tuple(regions),
        unit=claims.get("unit"),
        name=claims.get("name"),
        token_id=claims.get("jti"),
        claims=claims,
    )


# --- FastAPI dependencies --------------------------------------------------------------------

oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=SCOPES),
        password=OAuthFlowPassword(tokenUrl="/oauth/token", refreshUrl="/oauth/token", scopes=SCOPES),
    ),
    scheme_name="sunlight",
    description="Tokens from the gateway's /oauth/token (client credentials for bureau systems, password for people).",
    auto_error=False,
)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(
    request: Request,
    security_scopes: SecurityScopes,
    _doc: Annotated[str | None, Depends(oauth2_scheme)] = None,
) -> Principal:
    """Verify the bearer token and the route's scopes (declared with ``Security(..., scopes=[...])``)."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthenticated("send an access token: Authorization: Bearer <token>")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(token)
    missing = [s for s in security_scopes.scopes if not principal.has_scope(s)]
    if missing:
        raise InsufficientScope(f"this route needs the scope {' '.join(missing)}", required=missing)
    request.state.principal = principal
    return principal
