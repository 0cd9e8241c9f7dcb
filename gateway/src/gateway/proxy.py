"""The proxy path: a thin ASGI handler in front of the services.

This is the hot path, so it is not a FastAPI route and has no BaseHTTPMiddleware: the
request is checked (token, coarse scope, rate limit) and forwarded on one pooled
keep-alive client per process, and the answer is streamed back. ``X-Request-Id`` goes
upstream and comes back; connect failures are 503 and timeouts 504, as problem+json.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp
from starlette.types import Receive, Scope, Send
from sunlight.auth import TokenVerifier, bearer_token
from sunlight.errors import (
    PROBLEM_MEDIA_TYPE,
    InsufficientScope,
    PayloadTooLarge,
    Problem,
    Unauthenticated,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from sunlight.observability import Metrics, access_log, request_id_from

from gateway.ratelimit import RateLimits

log = logging.getLogger("gateway.proxy")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"host",
    }
)
STR_HOP_BY_HOP = frozenset(h.decode() for h in HOP_BY_HOP)


async def send_problem(send: Send, problem: Problem, request_id: str, path: str) -> None:
    body = json.dumps(problem.to_dict(path), ensure_ascii=False).encode()
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Proxy:
    def __init__(
        self,
        upstreams: dict[str, str],
        *,
        verifier: TokenVerifier,
        limits: RateLimits,
        metrics: Metrics,
        connect_timeout: float,
        read_timeout: float,
        pool_size: int,
        max_body: int,
    ) -> None:
        self.upstreams = upstreams
        self.verifier = verifier
        self.limits = limits
        self.metrics = metrics
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_size = pool_size
        self.max_body = max_body
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=self.pool_size,
            limit_per_host=self.pool_size,
            keepalive_timeout=30,
            ttl_dns_cache=300,
            enable_cleanup_closed=True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None, connect=self.connect_timeout, sock_read=self.read_timeout),
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Accept", "Content-Type"),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def service_of(self, path: str) -> str | None:
        """``/v1/funds/...`` → ``funds`` when funds is behind this gateway."""
        if not path.startswith("/v1/"):
            return None
        service = path[4:].split("/", 1)[0]
        return service if service in self.upstreams else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send, service: str) -> None:
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        path = scope["path"]
        status = 500
        client_id = "-"
        try:
            public = path.startswith(f"/v1/{service}/public/")
            headers = scope["headers"]
            authorization = None
            for name, value in headers:
                if name == b"authorization":
                    authorization = value.decode("latin-1")
                    break
            token = bearer_token(authorization)
            if token is not None and not public:
                principal = await self.verifier.verify(token)
                client_id = principal.client_id
                if not any(s.startswith(service + ":") for s in principal.scopes):
                    raise InsufficientScope(f"this token has no {service}:* scope", required=[f"{service}:read"])
                await self.limits.client(principal.client_id)
            elif public:
                await self.limits.anonymous_ip(_client_ip(scope))
            else:
                raise Unauthenticated("send an access token: Authorization: Bearer <token>")
            status = await self._forward(scope, receive, send, service, request_id)
        except Problem as problem:
            status = problem.status
            await send_problem(send, problem, request_id, path)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels("gateway", scope["method"], f"/v1/{service}/*", str(status)).inc()
            self.metrics.duration.labels("gateway", scope["method"], f"/v1/{service}/*").observe(elapsed)
            access_log.info(
                "proxy",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "client_id": client_id,
                        "method": scope["method"],
                        "service": service,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    }
                },
            )

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise PayloadTooLarge(f"the body exceeds {self.max_body} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, service: str, request_id: str) -> int:
        assert self._session is not None, "proxy not started"
        body = await self._read_body(receive) if scope["method"] not in ("GET", "HEAD") else b""
        query = scope.get("query_string", b"")
        url = self.upstreams[service] + scope["path"] + ("?" + query.decode("latin-1") if query else "")
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name not in HOP_BY_HOP and name != b"x-request-id":
                key = name.decode("latin-1")
                text = value.decode("latin-1")
                headers[key] = f"{headers[key]}, {text}" if key in headers else text
        headers["x-request-id"] = request_id
        headers["x-forwarded-for"] = _client_ip(scope)
        headers["x-forwarded-proto"] = scope.get("scheme", "http")
        started = False
        try:
            async with self._session.request(
                scope["method"], url, data=body or None, headers=headers, allow_redirects=False, compress=None
            ) as response:
                out = [(k, v) for k, v in response.raw_headers if k.lower() not in HOP_BY_HOP]
                await send({"type": "http.response.start", "status": response.status, "headers": out})
                started = True
                async for chunk in response.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
                return response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            if not started:
                if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
                    raise UpstreamTimeout(f"{service} did not answer within {self.read_timeout} s") from None
                if isinstance(exc, aiohttp.ClientConnectionError):
                    raise UpstreamUnavailable(f"{service} is not reachable") from None
                raise UpstreamUnavailable(f"{service} gave an unreadable answer") from None
            # the answer broke off half-way: close it; the client sees a truncated body, not a second status
            log.warning("%s: upstream answer interrupted: %s", service, type(exc).__name__)
            await send({"type": "http.response.body", "body": b""})
            return 502


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"
