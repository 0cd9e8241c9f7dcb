"""The proxy path: a thin ASGI handler in front of the services.

This is the hot path, so it is not a FastAPI route and has no BaseHTTPMiddleware: the
request is checked (token, coarse scope, rate limit) and forwarded on one pooled
keep-alive client per process, and the answer is streamed back. ``X-Request-Id`` goes
upstream and comes back; connect failures are 503 and timeouts 504, as problem+json.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import Receive, Scope, Send
from sunlight.auth import TokenVerifier, bearer_token
from sunlight.errors import (
    PROBLEM_MEDIA_TYPE,
    InsufficientScope,
    Internal,
    PayloadTooLarge,
    Problem,
    Unauthenticated,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from sunlight.observability import Metrics, access_log, request_id_from

from gateway.ratelimit import RateLimits
from gateway.upstream import UpstreamClient, UpstreamError, UpstreamTimeoutError

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
        self._client: UpstreamClient | None = None
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    async def start(self) -> None:
        self._client = UpstreamClient(
            pool_size=self.pool_size, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

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
                await self.limits.client(principal.subject)  # per principal: people share the frontend's client_id
            elif public:
                await self.limits.anonymous_ip(_client_ip(scope))
            else:
                raise Unauthenticated("send an access token: Authorization: Bearer <token>")
            status = await self._forward(scope, receive, send, service, request_id)
        except Problem as problem:
            status = problem.status
            await send_problem(send, problem, request_id, path)
        except Exception:
            log.exception("proxy: unexpected error on %s %s", scope["method"], path)
            status = 500
            await send_problem(send, Internal(), request_id, path)
        finally:
            elapsed = time.perf_counter() - started
            self._observe(scope["method"], service, status, elapsed)
            if access_log.isEnabledFor(logging.INFO):
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

    def _observe(self, method: str, service: str, status: int, elapsed: float) -> None:
        """Metrics with the label children cached (label lookups are a measurable share of the hot path)."""
        counter = self._counters.get((method, service, status))
        if counter is None:
            counter = self._counters[(method, service, status)] = self.metrics.requests.labels(
                "gateway", method, f"/v1/{service}/*", str(status)
            )
        timer = self._timers.get((method, service))
        if timer is None:
            timer = self._timers[(method, service)] = self.metrics.duration.labels(
                "gateway", method, f"/v1/{service}/*"
            )
        counter.inc()
        timer.observe(elapsed)

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
        client = self._client
        assert client is not None, "proxy not started"
        body = await self._read_body(receive) if scope["method"] not in ("GET", "HEAD") else b""
        target = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        if query:
            target += b"?" + query
        headers = [
            (name, value) for name, value in scope["headers"] if name not in HOP_BY_HOP and name not in _REPLACED
        ]
        headers += [
            (b"x-request-id", request_id.encode()),
            (b"x-forwarded-for", _client_ip(scope).encode()),
            (b"x-forwarded-proto", scope.get("scheme", "http").encode()),
        ]
        base = self.upstreams[service]
        try:
            response = await client.request(base, scope["method"], target, headers, body)
        except UpstreamTimeoutError:
            raise UpstreamTimeout(f"{service} did not answer within {self.read_timeout} s") from None
        except UpstreamError:
            raise UpstreamUnavailable(f"{service} is not reachable") from None
        try:
            out = [(name, value) for name, value in response.headers if name.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status, "headers": out})
            if response.connection.complete:  # small answers arrive whole: one write, not two
                await send({"type": "http.response.body", "body": b"".join(response.connection.body)})
                return response.status
            try:
                async for chunk in response.chunks(self.read_timeout):
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except UpstreamError as exc:
                # the answer broke off half-way: end it; the client sees a short body, not a second status
                log.warning("%s: upstream answer interrupted: %s", service, exc)
            await send({"type": "http.response.body", "body": b""})
            return response.status
        finally:
            client.release(base, response)


_REPLACED = frozenset({b"x-request-id", b"x-forwarded-for", b"x-forwarded-proto", b"content-length"})


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "-"
