"""The token verifier refuses every token a careful verifier must refuse (RFC 8725, WSTG-SESS-10)."""

import asyncio
import base64
import json
import time

import pytest
from sunlight.auth import Principal, StaticJWKS, TokenVerifier
from sunlight.errors import ForbiddenRegion, InvalidToken, NotFound
from sunlight.testing import TestKeys


@pytest.fixture
def verifier(keys: TestKeys) -> TokenVerifier:
    return TokenVerifier(StaticJWKS(keys.jwks), issuer=keys.issuer, audience=keys.audience)


def _tamper(token: str, **claims: object) -> str:
    head, body, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(claims)
    new_body = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{head}.{new_body}.{sig}"


async def test_a_valid_token_gives_its_principal(verifier: TokenVerifier, keys: TestKeys):
    principal = await verifier.verify(keys.mint(scopes="funds:read funds:write", regions=["130300"], sub="bureau"))
    assert principal.subject == "bureau" and principal.scopes == {"funds:read", "funds:write"}
    assert principal.regions == ("130300",)


@pytest.mark.parametrize(
    "case",
    [
        "alg-none",
        "hs256-with-public-key",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "unknown-kid",
        "no-exp",
        "no-audience",
        "future-nbf",
        "tampered-claims",
        "not-an-access-token",
        "jku-header",
        "kid-injection",
        "garbage",
        "empty-signature",
        "huge",
    ],
)
async def test_bad_tokens_are_refused(verifier: TokenVerifier, keys: TestKeys, case: str):
    now = int(time.time())
    token = {
        "alg-none": lambda: keys.unsigned(scopes="funds:read"),
        "hs256-with-public-key": lambda: keys.hs256_with_public_key(scopes="funds:read"),
        "expired": lambda: keys.mint(iat=now - 4000, nbf=now - 4000, exp=now - 3600),
        "wrong-audience": lambda: keys.mint(aud="https://other.example/api"),
        "wrong-issuer": lambda: keys.mint(iss="https://evil.example/"),
        "unknown-kid": lambda: keys.mint(headers={"kid": "someone-elses-key"}),
        "no-exp": lambda: keys.mint(exp=None),
        "no-audience": lambda: keys.mint(aud=None),
        "future-nbf": lambda: keys.mint(nbf=now + 600),
        "tampered-claims": lambda: _tamper(keys.mint(scopes="funds:read", regions=["130300"]), regions=["000000"]),
        "not-an-access-token": lambda: keys.mint(headers={"typ": "JWT"}),
        "jku-header": lambda: keys.mint(headers={"jku": "https://evil.example/jwks.json"}),
        "kid-injection": lambda: keys.mint(headers={"kid": "' OR 1=1 --"}),
        "garbage": lambda: "not.a.token",
        "empty-signature": lambda: keys.mint().rsplit(".", 1)[0] + ".",
        "huge": lambda: keys.mint(padding="x" * 10_000),
    }[case]()
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


async def test_expiry_allows_a_small_clock_skew_only(verifier: TokenVerifier, keys: TestKeys):
    now = int(time.time())
    assert await verifier.verify(keys.mint(iat=now - 320, nbf=now - 320, exp=now - 10))  # within the 30 s leeway
    with pytest.raises(InvalidToken):
        await verifier.verify(keys.mint(iat=now - 400, nbf=now - 400, exp=now - 90))


async def test_a_cached_token_is_still_refused_once_it_expires(keys: TestKeys):
    verifier = TokenVerifier(StaticJWKS(keys.jwks), issuer=keys.issuer, audience=keys.audience, leeway=0)
    now = int(time.time())
    token = keys.mint(exp=now + 1)
    assert await verifier.verify(token)
    await asyncio.sleep(2.1)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


def test_symmetric_or_none_algorithms_cannot_be_allowed(keys: TestKeys):
    for algorithms in (("HS256",), ("none",), ()):
        with pytest.raises(ValueError):
            TokenVerifier(StaticJWKS(keys.jwks), issuer=keys.issuer, audience=keys.audience, algorithms=algorithms)


def test_a_key_published_for_another_algorithm_is_not_used(keys: TestKeys):
    jwks = {"keys": [{**keys.public_jwk, "alg": "ES384"}]}
    verifier = TokenVerifier(StaticJWKS(jwks), issuer=keys.issuer, audience=keys.audience)
    import asyncio

    with pytest.raises(InvalidToken):
        asyncio.run(verifier.verify(keys.mint()))


def test_regions_contain_their_children_and_nothing_else():
    city = Principal(subject="s", client_id="c", kind="client", scopes=frozenset(), regions=("130300",))
    assert city.sees_region("130300") and city.sees_region("130302") and city.sees_region("130302001")
    assert not city.sees_region("130402") and not city.sees_region("130000")
    with pytest.raises(ForbiddenRegion):
        city.ensure_can_write("110101")
    with pytest.raises(NotFound):
        city.ensure_can_read("110101")
    nation = Principal(subject="s", client_id="c", kind="client", scopes=frozenset(), regions=("000000",))
    assert nation.sees_region("650102") and nation.region_prefixes == ("",)


async def test_within_regions_filters_rows_by_prefix(tmp_path):
    from sqlalchemy import Column, MetaData, String, Table, insert, select
    from sqlalchemy.ext.asyncio import create_async_engine
    from sunlight.db import within_regions

    table = Table("t", MetaData(), Column("region", String(12)))
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(table.metadata.create_all)  # a scratch table for a pure SQL helper
        await conn.execute(
            insert(table), [{"region": r} for r in ("130300", "130302", "130302001", "130402", "110101")]
        )
        city = Principal(subject="s", client_id="c", kind="client", scopes=frozenset(), regions=("130300", "110101"))
        rows = (
            (
                await conn.execute(
                    select(table.c.region)
                    .where(within_regions(table.c.region, city.region_prefixes))
                    .order_by(table.c.region)
                )
            )
            .scalars()
            .all()
        )
        assert rows == ["110101", "130300", "130302", "130302001"]
        everywhere = (await conn.execute(select(table.c.region).where(within_regions(table.c.region, ("",))))).all()
        assert len(everywhere) == 5
    await engine.dispose()


def test_region_prefixes_become_index_friendly_ranges():
    from sqlalchemy import Column, String
    from sunlight.db import starts_with_digits

    column = Column("region_code", String)
    assert str(starts_with_digits(column, "1303").compile(compile_kwargs={"literal_binds": True})) == (
        "region_code >= '1303' AND region_code < '1304'"
    )
    assert "< '131'" in str(starts_with_digits(column, "1309").compile(compile_kwargs={"literal_binds": True}))
    with pytest.raises(ValueError):
        starts_with_digits(column, "13%")


async def test_a_key_withdrawn_from_the_jwks_stops_verifying_within_the_cache_lifetime():
    """A real JWKS over HTTP: once the gateway stops publishing a key, tokens it signed are refused —
    fresh ones and ones the verifier had already accepted (and cached) — while the other key still works."""
    import contextlib

    import httpx
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from sunlight.auth import RemoteJWKS
    from sunlight.testing.processes import free_port

    withdrawn, kept = TestKeys("key-withdrawn"), TestKeys("key-kept")
    published = {"keys": [withdrawn.public_jwk, kept.public_jwk]}

    async def jwks(_request):
        return JSONResponse(published)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/jwks.json", jwks)]), port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for this
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as http:
            ttl = 0.3
            verifier = TokenVerifier(
                RemoteJWKS(f"http://127.0.0.1:{port}/jwks.json", http, ttl=ttl, cooldown=0.1),
                issuer=withdrawn.issuer,
                audience=withdrawn.audience,
            )
            early = withdrawn.mint(scopes="funds:read", lifetime=600)
            assert (await verifier.verify(early)).subject == "test-client"  # accepted and cached
            published["keys"] = [kept.public_jwk]  # the key is withdrawn
            deadline = time.monotonic() + 15
            refused = False
            while not refused and time.monotonic() < deadline:
                await asyncio.sleep(ttl)
                try:
                    await verifier.verify(early)
                except InvalidToken:
                    refused = True
            assert refused, "a token signed by a withdrawn key is refused once the JWKS cache has expired"
            with pytest.raises(InvalidToken, match="does not know"):
                await verifier.verify(withdrawn.mint(scopes="funds:read"))
            assert (await verifier.verify(kept.mint(scopes="funds:read"))).scopes == {"funds:read"}
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await serving
