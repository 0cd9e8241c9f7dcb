"""The gateway app: a thin ASGI dispatcher in front of a FastAPI app.

``/v1/<service>/...`` goes straight to the proxy (token, scope, rate limit, forward);
everything else — ``/oauth/token``, ``/.well-known/jwks.json``, ``/v1/admin/...``,
``/openapi.json``, ``/docs``, ``/healthz``, ``/readyz``, ``/metrics`` — is the FastAPI app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from sunlight import contract, idempotency
from sunlight.auth import TokenVerifier
from sunlight.db import Database
from sunlight.docs import add_swagger_ui
from sunlight.errors import (
    NotReady,
    install_problem_handlers,
    problem_response,
)
from sunlight.inputs import InputGuard
from sunlight.migrations import ensure_migrated
from sunlight.observability import Metrics, RequestContextMiddleware, configure_logging

from gateway import examples as _examples  # noqa: F401  (examples on the request and response bodies)
from gateway import openapi as merged_openapi
from gateway import service
from gateway.api import routers
from gateway.app_state import GatewayState
from gateway.clientip import TrustedProxies
from gateway.keys import KeyStore, LocalJWKS
from gateway.proxy import Proxy
from gateway.ratelimit import RateLimits
from gateway.settings import GatewaySettings
from gateway.tokens import TokenIssuer

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
log = logging.getLogger("gateway")

DESCRIPTION = """The Sunlight e-supervision API (阳光监督平台): special funds, tenders, approvals,
complaints and the integrity register, behind one gateway.

**Authentication**: get a token at `POST /oauth/token` — bureau systems with OAuth2 client
credentials, people with username and password (then `refresh_token`). Send it as
`Authorization: Bearer <token>`. Every route checks its scope (`funds:read`, `funds:write`, …)
and your regions (GB/T 2260 codes: a token for `130300` sees `130300` and every code below it).

**Errors** are RFC 9457 `application/problem+json` with a stable `type` URI.
**Retries**: send `Idempotency-Key` on POSTs. **Money** is integer fen (`amount_fen`).
"""


async def _prune_idempotency_keys(db: Database, stop: asyncio.Event, every_seconds: float = 3600) -> None:
    """Forget the admin POSTs' Idempotency-Keys past their 24 h (a stored client secret with them)."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        if stop.is_set():
            return
        try:
            async with db.sessions() as session, session.begin():
                await idempotency.prune(session)
        except Exception:
            log.exception("could not prune idempotency keys")


class GatewayApp:
    """ASGI entry: proxied paths skip the framework entirely."""

    def __init__(self, api: FastAPI, metrics: Metrics) -> None:
        self.api = api
        self.metrics = metrics
        self.state: GatewayState | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.state is not None:
            service_name = self.state.proxy.service_of(scope["path"])
            if service_name is not None:
                await self.state.proxy(scope, receive, send, service_name)
                return
        await self.api(scope, receive, send)


def create_app(settings: GatewaySettings | None = None) -> Any:
    """The gateway ASGI app (wrapped in CORS when ``SUNLIGHT_CORS_ORIGINS`` names the frontend's origins)."""
    settings = settings or GatewaySettings()
    gateway = build_gateway(settings)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if not origins:
        return gateway
    from starlette.middleware.cors import CORSMiddleware

    wrapped = CORSMiddleware(
        gateway,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
        expose_headers=["X-Request-Id", "Idempotent-Replayed", "Retry-After", "Location"],
        max_age=600,
    )
    wrapped.api = gateway.api  # type: ignore[attr-defined]
    return wrapped


def build_gateway(settings: GatewaySettings) -> GatewayApp:
    configure_logging(settings.log_level, json_lines=settings.log_json)
    metrics = Metrics("gateway")
    openapi_cache: dict[str, Any] = {"at": 0.0, "doc": None}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.effective_database_url()
        await ensure_migrated(MIGRATIONS, url, "gateway")
        db = Database(url)
        keys = KeyStore(
            db,
            settings.cipher,
            cache_seconds=settings.key_cache_seconds,
            token_seconds=settings.access_token_seconds,
            hasher=settings.hasher,
        )
        await keys.ensure()
        if settings.bootstrap_client_id and settings.bootstrap_client_secret.get_secret_value():
            async with db.sessions() as session:
                outcome = await service.bootstrap_admin(
                    session,
                    client_id=settings.bootstrap_client_id,
                    secret=settings.bootstrap_client_secret.get_secret_value(),
                )
            log.info("bootstrap admin client %s: %s", settings.bootstrap_client_id, outcome)
        if settings.public_client_id:
            async with db.sessions() as session:
                outcome = await service.bootstrap_public_client(session, client_id=settings.public_client_id)
            log.info("public client %s: %s", settings.public_client_id, outcome)
        verifier = TokenVerifier(
            LocalJWKS(keys),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
            leeway=settings.jwt_leeway_seconds,
            hasher=settings.hasher,
        )
        limits = RateLimits(
            settings.rate_limit_storage,
            per_client=settings.rate_limit,
            anonymous=settings.rate_limit_anonymous,
            public_write=settings.rate_limit_public_write,
            address_hasher=settings.hasher,
            token=settings.rate_limit_token,
            token_account=settings.rate_limit_token_account,
            backoff_base=settings.token_backoff_base_seconds,
            backoff_max=settings.token_backoff_max_seconds,
        )
        proxy = Proxy(
            settings.upstreams(),
            verifier=verifier,
            limits=limits,
            metrics=metrics,
            connect_timeout=settings.proxy_connect_timeout,
            read_timeout=settings.proxy_read_timeout,
            pool_size=settings.proxy_pool_size,
            max_body=settings.max_body_bytes,
            body_timeout=settings.proxy_body_timeout,
            trusted_proxies=TrustedProxies.parse(settings.trusted_proxies),
        )
        await proxy.start()
        http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        state = GatewayState(
            settings=settings,
            db=db,
            keys=keys,
            issuer=TokenIssuer(
                keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, lifetime=settings.access_token_seconds
            ),
            verifier=verifier,
            limits=limits,
            proxy=proxy,
        )
        app.state.gateway = state
        app.state.verifier = verifier
        app.state.db = db
        app.state.http = http
        gateway.state = state
        stop = asyncio.Event()
        key_refresh = asyncio.create_task(keys.refresh_forever(stop), name="signing key refresh")
        key_prune = asyncio.create_task(_prune_idempotency_keys(db, stop), name="idempotency key prune")
        try:
            yield
        finally:
            stop.set()
            await key_refresh
            await key_prune
            gateway.state = None
            await proxy.close()
            await http.aclose()
            await db.dispose()

    api = FastAPI(
        title="Sunlight API",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(api)
    idempotency.install_replay_handler(api)
    api.add_middleware(InputGuard)  # the gateway's own routes; proxied requests are checked by their service
    api.add_middleware(RequestContextMiddleware, metrics=metrics)
    for router in routers:
        api.include_router(router)

    def own_schema() -> dict[str, Any]:
        schema = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
        schema["servers"] = [{"url": settings.effective_public_url(), "description": "This gateway"}]
        return contract.finish(schema)

    async def fetch_service_docs(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
        async def one(name: str, base: str) -> tuple[str, dict[str, Any] | None]:
            try:
                response = await http.get(f"{base}/openapi.json")
                response.raise_for_status()
                return name, response.json()
            except (httpx.HTTPError, ValueError):
                return name, None

        results = await asyncio.gather(*(one(n, u) for n, u in settings.upstreams().items()))
        return {name: doc for name, doc in results if doc is not None}

    @api.get("/openapi.json", include_in_schema=False)
    async def openapi_json(request: Request) -> JSONResponse:
        """The merged document: the gateway's routes and every reachable service's (cached 60 s)."""
        if openapi_cache["doc"] is None or time.monotonic() - openapi_cache["at"] > 60:
            docs = await fetch_service_docs(request.app.state.http)
            doc = merged_openapi.merge(own_schema(), docs, description=DESCRIPTION)
            missing = sorted(set(settings.upstreams()) - set(docs))
            if missing:
                doc["info"]["x-unavailable-services"] = missing
            else:
                openapi_cache.update(at=time.monotonic(), doc=doc)
            return JSONResponse(doc)
        return JSONResponse(openapi_cache["doc"])

    add_swagger_ui(
        api,
        title="Sunlight API",
        init_oauth={"clientId": settings.public_client_id, "usePkceWithAuthorizationCodeGrant": False},
    )

    @api.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        state: GatewayState = request.app.state.gateway
        checks: dict[str, str] = {}
        try:
            await state.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            await state.keys.signing_key()
            checks["signing_key"] = "ok"
        except Exception as exc:
            checks["signing_key"] = type(exc).__name__
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem_response(NotReady("a dependency is not reachable", checks=checks), "/readyz")

    @api.get("/metrics", include_in_schema=False)
    async def metrics_endpoint() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    api.state.own_schema = own_schema
    gateway = GatewayApp(api, metrics)
    return gateway
