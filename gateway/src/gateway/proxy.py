"""The proxy path: a thin ASGI handler in front of the services.

This is the hot path, so it is not a FastAPI route and has no BaseHTTPMiddleware: the
request is checked (token, coarse scope, rate limit) and forwarded with aiohttp's client (one
pooled session per process; measured against httpcore under this same handler, see
docs/benchmarks.md), and the answer is streamed back.

HTTP semantics the gateway keeps (tests: gateway/tests/test_proxy_http.py):
- hop-by-hop headers, and every header named in ``Connection``, stay on their hop (RFC 9110 §7.6.1);
- ``Expect: 100-continue`` is answered on the client's hop (uvicorn sends ``100 Continue`` when the
  body is first read) and not forwarded; interim 1xx answers from a service are skipped by aiohttp;
- the request body is streamed upstream as it arrives (bounded memory), at most ``max_body`` bytes
  (413), with ``body_timeout`` between reads (408);
- only idempotent requests are ever sent again on a fresh connection (aiohttp's rule, RFC 9110 §9.2.2);
- an answer that breaks off is aborted (the client sees a broken connection, never a clean end);
- a client that goes away cancels the exchange and closes the upstream connection;
- connect failures are 503, no answer within ``read_timeout`` is 504, as problem+json.
``X-Request-Id`` goes upstream and comes back; ``X-Forwarded-For`` is the caller as
``gateway.clientip`` determines it (``SUNLIGHT_TRUSTED_PROXIES``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from starlette.types import Message, Receive, Scope, Send
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
from sunlight.public import is_public
from yarl import URL

from gateway.clientip import TrustedProxies, client_ip
from gateway.errors import RequestBodyTimeout
from gateway.ratelimit import RateLimits

log = logging.getLogger("gateway.proxy")

# RFC 9110 §7.6.1 and §10.1.1 (Expect is answered on the client's hop), plus the legacy Proxy-Connection
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
        b"expect",
    }
)
# set by the gateway on the way up (host: the service's own); on the way down uvicorn writes its own date and server
_REPLACED_UP = frozenset({b"host", b"x-request-id", b"x-forwarded-for", b"x-forwarded-proto"})
_REPLACED_DOWN = frozenset({b"date", b"server"})
# what would identify a caller on a public route (a whistleblower): not passed upstream
_IDENTIFYING = frozenset({b"user-agent", b"forwarded", b"x-real-ip", b"cf-connecting-ip", b"true-client-ip", b"cookie"})
_CLIENT_GONE = 499  # logged and counted when the client left before the answer was complete
WATCH_AFTER = 0.05  # seconds into an exchange before a disconnect watch is started


def _connection_listed(headers: Any) -> frozenset[bytes]:
    """Header names listed in ``Connection`` (they belong to this hop only)."""
    listed: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            listed.update(token.strip().lower() for token in value.split(b","))
    return frozenset(listed)


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


class _ClientGone(Exception):
    """The client disconnected before its request body was complete."""


class _Exchange:
    """One forwarded request: the client's body as an async iterator for aiohttp (streamed, bounded, timed),
    and a watch for the client going away once its body is in (cancels the exchange)."""

    __slots__ = ("active", "cancelled", "error", "gone", "limit", "receive", "task", "timeout", "timer", "watch")

    def __init__(self, receive: Receive, limit: int, timeout: float) -> None:
        self.receive = receive
        self.limit = limit
        self.timeout = timeout
        self.error: Problem | None = None
        self.gone = False
        self.cancelled = False
        self.active = True
        self.task = asyncio.current_task()
        self.watch: asyncio.Task[None] | None = None
        self.timer: asyncio.TimerHandle | None = None

    async def body(self) -> AsyncIterator[bytes]:
        size = 0
        while True:
            try:
                async with asyncio.timeout(self.timeout):
                    message = await self.receive()
            except TimeoutError:
                self.error = RequestBodyTimeout(f"no byte of the request body for {self.timeout} s")
                raise
            if message["type"] == "http.disconnect":
                self.gone = True
                raise _ClientGone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                self.error = PayloadTooLarge(f"the body exceeds {self.limit} bytes")
                self.error.headers["Connection"] = "close"
                raise self.error
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                self.start_watch()
                return

    def arm_watch(self) -> None:
        """Watch for the client leaving once the exchange has lasted ``WATCH_AFTER`` seconds: most answers
        come sooner, and a timer costs far less than a task per request."""
        if self.active:
            self.timer = asyncio.get_running_loop().call_later(WATCH_AFTER, self.start_watch)

    def start_watch(self) -> None:
        if self.active and self.watch is None:
            self.watch = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            message: Message = await self.receive()
            if message["type"] == "http.disconnect":
                self.gone = True
                if self.active and self.task is not None:
                    self.cancelled = True
                    self.task.cancel("client disconnected")
                return

    def stop_watch(self) -> None:
        """Before the answer's last write: uvicorn reports a disconnect once the answer is complete."""
        self.active = False
        if self.timer is not None:
            self.timer.cancel()
        if self.watch is not None:
            self.watch.cancel()


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
        body_timeout: float = 30.0,
        trusted_proxies: TrustedProxies | None = None,
        keepalive_seconds: float = 4.0,  # below uvicorn's 5 s, so the service never closes an idle one first
    ) -> None:
        self.upstreams = upstreams
        self.verifier = verifier
        self.limits = limits
        self.metrics = metrics
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.pool_size = pool_size
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.trusted = trusted_proxies or TrustedProxies()
        self.keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(  # pool_size connections per service, as before
                limit=self.pool_size * max(1, len(self.upstreams)),
                limit_per_host=self.pool_size,
                keepalive_timeout=self.keepalive_seconds,
            ),
            # connect: waiting for a free pooled connection plus connecting; sock_connect: the TCP connect alone
            timeout=aiohttp.ClientTimeout(
                total=None, connect=self.read_timeout, sock_connect=self.connect_timeout, sock_read=self.read_timeout
            ),
            auto_decompress=False,  # bytes pass through as the service encoded them
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            trust_env=False,
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
            public = is_public(path, service)
            headers = scope["headers"]
            authorization = None
            for name, value in headers:
                if name == b"authorization":
                    authorization = value.decode("latin-1")
                    break
            token = bearer_token(authorization)
            caller = client_ip(scope, self.trusted)
            if token is not None and not public:
                principal = await self.verifier.verify(token)
                client_id = principal.client_id
                if not any(s.startswith(service + ":") for s in principal.scopes):
                    raise InsufficientScope(f"this token has no {service}:* scope", required=[f"{service}:read"])
                await self.limits.client(principal.subject)  # per principal: people share the frontend's client_id
            elif public:
                await self.limits.anonymous_ip(caller, write=scope["method"] not in ("GET", "HEAD"))
            else:
                raise Unauthenticated("send an access token: Authorization: Bearer <token>")
            status = await self._forward(scope, receive, send, service, request_id, caller)
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

    def _request_headers(
        self, scope: Scope, request_id: str, caller: str
    ) -> tuple[list[tuple[str, str]], bool, int | None]:
        """The headers to send upstream, whether a body follows, and its declared length. A public route
        (``sunlight.public.is_public``, e.g. a whistleblower's report) gets neither the caller's address nor its
        user agent: what the service never receives it cannot record."""
        public = is_public(scope["path"])
        raw = scope["headers"]
        listed = _connection_listed(raw)
        has_body = False
        length: int | None = None
        out: list[tuple[str, str]] = []
        for name, value in raw:
            if name == b"content-length":
                length = int(value)  # the server has validated it
                has_body = length > 0
            elif name == b"transfer-encoding":
                has_body = True
            if name in HOP_BY_HOP or name in _REPLACED_UP or name in listed:
                continue
            if public and name in _IDENTIFYING:
                continue
            out.append((name.decode("latin-1"), value.decode("latin-1")))
        out += [("x-request-id", request_id), ("x-forwarded-proto", scope.get("scheme", "http"))]
        if not public:
            out.append(("x-forwarded-for", caller))
        return out, has_body, length

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, service: str, request_id: str, caller: str
    ) -> int:
        session = self._session
        assert session is not None, "proxy not started"
        headers, has_body, length = self._request_headers(scope, request_id, caller)
        if length is not None and length > self.max_body:
            too_large = PayloadTooLarge(f"the body exceeds {self.max_body} bytes")
            too_large.headers["Connection"] = "close"
            raise too_large
        exchange = _Exchange(receive, self.max_body, self.body_timeout)
        if not has_body:
            exchange.arm_watch()
        target = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        if query:
            target += b"?" + query
        url = URL(self.upstreams[service] + target.decode("latin-1"), encoded=True)
        try:
            return await self._exchange(
                session, scope["method"], url, headers, has_body, exchange, send, service, request_id
            )
        except _ClientGone:
            return _CLIENT_GONE
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not exchange.cancelled or task is None or not task.cancelling():
                raise
            task.uncancel()  # our watch cancelled the exchange: the client is gone, there is no one to answer
            return _CLIENT_GONE
        finally:
            exchange.stop_watch()

    async def _exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        has_body: bool,
        exchange: _Exchange,
        send: Send,
        service: str,
        request_id: str,
    ) -> int:
        try:
            response = await session.request(
                method, url, headers=headers, data=exchange.body() if has_body else None, allow_redirects=False
            )
        except (aiohttp.ClientError, TimeoutError, _ClientGone) as exc:
            raise self._failure(exc, exchange, service) from None
        try:
            if exchange.error is not None:  # the service answered early, before the body was complete
                raise exchange.error
            out = self._answer_headers(response.raw_headers, request_id)
            content = response.content
            await send({"type": "http.response.start", "status": response.status, "headers": out})
            if content.is_eof():  # small answers arrive whole: one write, not two
                body = content.read_nowait()
                exchange.stop_watch()
                await send({"type": "http.response.body", "body": body})
                return response.status
            try:
                async for chunk in content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except (aiohttp.ClientError, TimeoutError) as exc:
                # the answer broke off half-way: abort, so the client sees a broken answer rather than a
                # complete-looking short one (returning without the last write makes uvicorn close)
                log.warning("%s: upstream answer interrupted (%s): aborting the client's answer", service, exc)
                response.close()
                return response.status
            exchange.stop_watch()
            await send({"type": "http.response.body", "body": b""})
            return response.status
        except BaseException:
            response.close()  # never back to the pool half-read
            raise
        finally:
            response.release()

    @staticmethod
    def _answer_headers(raw: Any, request_id: str) -> list[tuple[bytes, bytes]]:
        listed = _connection_listed(raw)
        out = []
        echoed = False
        for name, value in raw:
            lower = name.lower()
            if lower in HOP_BY_HOP or lower in _REPLACED_DOWN or lower in listed:
                continue
            echoed = echoed or lower == b"x-request-id"
            out.append((name, value))
        if not echoed:
            out.append((b"x-request-id", request_id.encode()))
        return out

    def _failure(self, exc: BaseException, exchange: _Exchange, service: str) -> Exception:
        if exchange.error is not None:
            return exchange.error
        if exchange.gone or isinstance(exc, _ClientGone):
            raise _ClientGone()
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return UpstreamUnavailable(f"{service} is not reachable (connect timed out)")
        if isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError is one too
            return UpstreamTimeout(f"{service} did not answer within {self.read_timeout} s")
        log.warning("%s: %s", service, exc)
        return UpstreamUnavailable(f"{service} is not reachable")
