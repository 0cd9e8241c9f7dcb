"""HTTP semantics of the proxy path, on real sockets: a raw or httpx client → the gateway served by
uvicorn → a service served by uvicorn (or, where uvicorn cannot misbehave on purpose, a raw
socket server). Each test names the defect it keeps out; ``guard`` only turns a hang into a
failure, it measures nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from gateway.app import MIGRATIONS, create_app
from gateway.ratelimit import RateLimits
from gateway.settings import GatewaySettings
from sunlight.crypto import KeyedHasher
from sunlight.testing import Backend
from sunlight.testing.processes import free_port

ADMIN_ID, ADMIN_SECRET = "proxy-admin", "proxy-admin-secret-for-tests-only"
GUARD = 15.0  # seconds before a hang is a failure


@contextlib.asynccontextmanager
async def guard(seconds: float = GUARD) -> AsyncIterator[None]:
    async with asyncio.timeout(seconds):
        yield


# --- the service behind the gateway: a real ASGI app on a real uvicorn -----------------------------


@dataclass
class Echo:
    """``/v1/funds/...`` routes that tell the test what arrived and when."""

    first_chunk: asyncio.Event = field(default_factory=asyncio.Event)
    slow_started: asyncio.Event = field(default_factory=asyncio.Event)
    slow_disconnected: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    requests: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        path = scope["path"]
        if path == "/v1/funds/slow":  # never answers; notices when the gateway lets go of the connection
            self.slow_started.set()
            while (await receive())["type"] != "http.disconnect":
                pass
            self.slow_disconnected.set()
            return
        if path == "/v1/funds/stream":  # the first part, then the rest only when the test says so
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"first;", "more_body": True})
            await self.release.wait()
            await send({"type": "http.response.body", "body": b"rest", "more_body": False})
            return
        if path == "/v1/funds/text":
            body = b"hello"
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        size, chunks = 0, 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if message.get("body"):
                chunks += 1
                self.first_chunk.set()
            if not message.get("more_body"):
                break
        seen = {
            "method": scope["method"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "size": size,
        }
        self.requests.append(seen)
        body = json.dumps(seen).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"x-upstream-hop"),
                    (b"x-upstream-hop", b"for the gateway only"),
                    (b"x-upstream-kept", b"yes"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serve(app: Any, *, lifespan: str = "off") -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan=lifespan,
            log_config=None,
            timeout_graceful_shutdown=1,
            proxy_headers=False,  # as `sunlight-gateway serve` runs it: X-Forwarded-For is the gateway's business
        )
    )
    task = asyncio.create_task(server.serve())
    async with guard(60):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# --- raw services: what uvicorn will not do on purpose ------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_service(handler: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


# --- a raw client: sees exactly what the gateway writes -------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def read_answer(reader: asyncio.StreamReader, *, head_only: bool = False) -> Answer:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if line)}
    if head_only or status in (100, 204, 304):
        return Answer(status, headers, b"")
    if "content-length" in headers:
        return Answer(status, headers, await reader.readexactly(int(headers["content-length"])))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return Answer(status, headers, body)
        body += chunk[:-2]


@dataclass
class Rig:
    gateway: str
    token: str
    echo: Echo

    @property
    def port(self) -> int:
        return int(self.gateway.rsplit(":", 1)[1])

    def head(self, method: str, path: str, *extra: str, auth: bool = True) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", "Host: gateway"]
        if auth:
            lines.append(f"Authorization: Bearer {self.token}")
        return ("\r\n".join([*lines, *extra]) + "\r\n\r\n").encode()

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port)


RigFactory = Callable[..., contextlib.AbstractAsyncContextManager[Rig]]


@pytest.fixture
def rig_for(backend: Backend) -> RigFactory:
    """A gateway (uvicorn, real socket) in front of ``service`` (default: the Echo app on uvicorn)."""

    @contextlib.asynccontextmanager
    async def make(service: str | None = None, **settings: Any) -> AsyncIterator[Rig]:
        echo = Echo()
        async with contextlib.AsyncExitStack() as stack:
            upstream = service or await stack.enter_async_context(serve(echo))
            config = GatewaySettings(
                environment="test",
                database_url=await backend.database("gateway", MIGRATIONS),
                bootstrap_client_id=ADMIN_ID,
                bootstrap_client_secret=ADMIN_SECRET,
                funds_url=upstream,
                **settings,
            )
            gateway = await stack.enter_async_context(serve(create_app(config), lifespan="on"))
            async with httpx.AsyncClient(base_url=gateway) as client:
                response = await client.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials", "scope": "funds:read funds:write"},
                    auth=(ADMIN_ID, ADMIN_SECRET),
                )
            assert response.status_code == 200, response.text
            yield Rig(gateway, response.json()["access_token"], echo)

    return make


# --- Expect: 100-continue -----------------------------------------------------------------------------


async def test_expect_100_continue_gets_the_real_answer_and_leaves_no_answer_behind(rig_for: RigFactory):
    """Main handed the service's ``100 Continue`` to the client as the final answer and pooled the
    connection with the real answer still on it: the next request through it got someone else's."""
    async with rig_for() as rig, guard():
        reader, writer = await rig.connect()
        body = b'{"amount": 1}'
        writer.write(
            rig.head(
                "POST",
                "/v1/funds/echo?first",
                f"Content-Length: {len(body)}",
                "Content-Type: application/json",
                "Expect: 100-continue",
            )
        )
        interim = await read_answer(reader, head_only=True)
        assert interim.status == 100  # from the gateway's own hop, before the body is sent
        writer.write(body)
        final = await read_answer(reader)
        assert final.status == 200
        seen = json.loads(final.body)
        assert seen["query"] == "first" and seen["size"] == len(body)
        assert "expect" not in seen["headers"]

        # the next request on the same client connection, and one from another client: each its own answer
        writer.write(rig.head("GET", "/v1/funds/echo?second"))
        assert json.loads((await read_answer(reader)).body)["query"] == "second"
        other_reader, other_writer = await rig.connect()
        other_writer.write(rig.head("GET", "/v1/funds/echo?other"))
        assert json.loads((await read_answer(other_reader)).body)["query"] == "other"
        writer.close()
        other_writer.close()


# --- HEAD ---------------------------------------------------------------------------------------------


async def test_head_ends_with_the_headers_and_the_connection_stays_usable(rig_for: RigFactory):
    """Main waited for a HEAD answer's body that never comes: the exchange hung for the read timeout."""
    async with rig_for() as rig, guard():
        reader, writer = await rig.connect()
        writer.write(rig.head("HEAD", "/v1/funds/text"))
        answer = await read_answer(reader, head_only=True)
        assert answer.status == 200 and answer.headers["content-length"] == "5"
        writer.write(rig.head("GET", "/v1/funds/text"))
        assert (await read_answer(reader)).body == b"hello"  # no stray body bytes from the HEAD before it
        for _ in range(3):  # the pooled upstream connection is not stuck either
            writer.write(rig.head("HEAD", "/v1/funds/text"))
            assert (await read_answer(reader, head_only=True)).status == 200
        writer.close()


# --- 1xx ----------------------------------------------------------------------------------------------


async def test_interim_1xx_answers_are_skipped(rig_for: RigFactory):
    async def early_hints(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        for interim in (b"103 Early Hints\r\nLink: </style.css>; rel=preload", b"102 Processing"):
            writer.write(b"HTTP/1.1 " + interim + b"\r\n\r\n")
            await writer.drain()
            await asyncio.sleep(0.05)  # each in its own segment, as a slow service would send them
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nfinal")
        await writer.drain()
        writer.close()

    async with (
        raw_service(early_hints) as service,
        rig_for(service) as rig,
        guard(),
        httpx.AsyncClient(base_url=rig.gateway) as client,
    ):
        answer = await client.get("/v1/funds/x", headers={"Authorization": f"Bearer {rig.token}"})
    assert answer.status_code == 200 and answer.text == "final"


# --- Connection-listed and hop-by-hop headers ----------------------------------------------------------


async def test_connection_listed_and_hop_by_hop_headers_stay_on_their_hop(rig_for: RigFactory):
    """RFC 9110 §7.6.1: main forwarded the headers a ``Connection`` header names, both ways."""
    async with rig_for() as rig, guard(), httpx.AsyncClient(base_url=rig.gateway) as client:
        answer = await client.get(
            "/v1/funds/echo",
            headers={
                "Authorization": f"Bearer {rig.token}",
                "Connection": "keep-alive, X-Client-Hop",
                "X-Client-Hop": "for the gateway only",
                "Keep-Alive": "timeout=5",
                "Proxy-Authorization": "Basic Zm9vOmJhcg==",
                "TE": "trailers",
                "X-Kept": "yes",
                "X-Request-Id": "req-connection-test",
            },
        )
    assert answer.status_code == 200
    seen = answer.json()["headers"]
    for name in ("x-client-hop", "keep-alive", "proxy-authorization", "te"):
        assert name not in seen, name
    assert seen["x-kept"] == "yes" and seen["x-request-id"] == "req-connection-test"
    assert "x-upstream-hop" not in answer.headers
    assert answer.headers["x-upstream-kept"] == "yes"
    assert answer.headers["x-request-id"] == "req-connection-test"


# --- no retry of non-idempotent requests ---------------------------------------------------------------


async def test_a_post_on_a_stale_pooled_connection_is_not_sent_again(rig_for: RigFactory):
    """RFC 9110 §9.2.2: main sent a POST again on a fresh connection when the pooled one had been closed.
    The service here answers the first request on a connection and closes on the second, unanswered."""
    received: list[bytes] = []

    async def one_per_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append((await read_request(reader)).split(b" ", 1)[0])
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            received.append((await read_request(reader)).split(b" ", 1)[0])
        writer.close()  # the second request on this connection: closed without a byte of answer

    async with (
        raw_service(one_per_connection) as service,
        rig_for(service) as rig,
        guard(),
        httpx.AsyncClient(base_url=rig.gateway, headers={"Authorization": f"Bearer {rig.token}"}) as c,
    ):
        assert (await c.post("/v1/funds/x", json={"n": 1})).status_code == 200
        second = await c.post("/v1/funds/x", json={"n": 2})
        assert received == [b"POST", b"POST"], "the second POST reached the service exactly once"
        assert second.status_code == 503
        assert second.headers["content-type"] == "application/problem+json"
        assert second.json()["type"].endswith("/upstream-unavailable")

        received.clear()  # an idempotent request may be sent again on a fresh connection
        assert (await c.get("/v1/funds/x")).status_code == 200
        assert (await c.get("/v1/funds/x")).status_code == 200
        assert received == [b"GET", b"GET", b"GET"]


# --- truncated answers -----------------------------------------------------------------------------------


async def test_an_answer_that_breaks_off_is_aborted_not_completed(rig_for: RigFactory):
    """Main ended a broken-off chunked answer with a clean final chunk: a truncated answer looked whole."""

    async def breaks_off(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await read_request(reader)
        if b"/chunked" in head:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()

    async with raw_service(breaks_off) as service, rig_for(service) as rig, guard():
        for path in ("/v1/funds/chunked", "/v1/funds/sized"):
            reader, writer = await rig.connect()
            writer.write(rig.head("GET", path))
            received = await reader.read()  # to EOF: the gateway must close, having not completed the answer
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            if b"chunked" in head.lower():
                assert b"first" in body and not body.endswith(b"0\r\n\r\n"), body
            else:
                declared = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))[15:])
                assert len(body) < declared
            writer.close()


# --- streaming both ways, with bounds -----------------------------------------------------------------


async def test_request_bodies_are_streamed_not_buffered_whole(rig_for: RigFactory):
    """Main read the whole body into memory before contacting the service. Here the service must have the
    first part before the client sends the rest — for a sized and for a chunked body."""
    async with rig_for() as rig, guard():
        reader, writer = await rig.connect()
        writer.write(rig.head("POST", "/v1/funds/upload", "Content-Length: 200000") + b"a" * 100_000)
        await rig.echo.first_chunk.wait()
        writer.write(b"b" * 100_000)
        assert json.loads((await read_answer(reader)).body)["size"] == 200_000

        rig.echo.first_chunk.clear()
        writer.write(rig.head("POST", "/v1/funds/upload?chunked", "Transfer-Encoding: chunked"))
        writer.write(b"%x\r\n%s\r\n" % (50_000, b"c" * 50_000))
        await rig.echo.first_chunk.wait()
        writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (70_000, b"d" * 70_000))
        answer = json.loads((await read_answer(reader)).body)
        assert answer["size"] == 120_000 and answer["query"] == "chunked"
        assert "transfer-encoding" in answer["headers"] or "content-length" in answer["headers"]
        writer.close()


async def test_answers_are_streamed(rig_for: RigFactory):
    async with rig_for() as rig, guard():
        reader, writer = await rig.connect()
        writer.write(rig.head("GET", "/v1/funds/stream"))
        await reader.readuntil(b"first;")  # before the service has finished its answer
        rig.echo.release.set()
        await reader.readuntil(b"rest")
        writer.close()


async def test_max_body_is_enforced_for_sized_and_streamed_bodies(rig_for: RigFactory):
    async with rig_for(max_body_bytes=1000) as rig, guard():
        reader, writer = await rig.connect()
        writer.write(rig.head("POST", "/v1/funds/upload", "Content-Length: 5000"))
        answer = await read_answer(reader)
        assert answer.status == 413 and answer.headers["content-type"] == "application/problem+json"
        assert json.loads(answer.body)["type"].endswith("/payload-too-large")
        writer.close()

        reader, writer = await rig.connect()
        writer.write(rig.head("POST", "/v1/funds/upload", "Transfer-Encoding: chunked"))
        for _ in range(3):
            writer.write(b"%x\r\n%s\r\n" % (600, b"x" * 600))
        answer = await read_answer(reader)
        assert answer.status == 413 and json.loads(answer.body)["type"].endswith("/payload-too-large")
        writer.close()
    assert rig.echo.requests == [], "no over-limit body was answered by the service"


async def test_a_slow_request_body_times_out_with_408(rig_for: RigFactory):
    """Main waited for ever for a body that trickles (or stops): each such client held a pool slot and memory."""
    async with rig_for(proxy_body_timeout=0.5) as rig, guard():
        reader, writer = await rig.connect()
        writer.write(rig.head("POST", "/v1/funds/upload", "Content-Length: 100") + b"0123456789")
        answer = await read_answer(reader)
        assert answer.status == 408 and answer.headers["connection"] == "close"
        assert json.loads(answer.body)["type"].endswith("/request-timeout")
        assert await reader.read() == b""  # and the gateway closed the connection
        writer.close()


async def test_a_slow_service_is_a_504_problem(rig_for: RigFactory):
    async with rig_for(proxy_read_timeout=0.5) as rig, guard():
        async with httpx.AsyncClient(base_url=rig.gateway) as client:
            answer = await client.get("/v1/funds/slow", headers={"Authorization": f"Bearer {rig.token}"})
        assert answer.status_code == 504
        assert answer.json()["type"].endswith("/upstream-timeout")
        await rig.echo.slow_disconnected.wait()  # and the connection to the service was closed


async def test_an_unreachable_service_is_a_503_problem(rig_for: RigFactory):
    async with (
        rig_for(f"http://127.0.0.1:{free_port()}") as rig,
        guard(),
        httpx.AsyncClient(base_url=rig.gateway) as client,
    ):
        answer = await client.get(
            "/v1/funds/x", headers={"Authorization": f"Bearer {rig.token}", "X-Request-Id": "req-503"}
        )
    assert answer.status_code == 503 and answer.json()["type"].endswith("/upstream-unavailable")
    assert answer.headers["x-request-id"] == "req-503"


# --- pipelining, cancellation ----------------------------------------------------------------------------


async def test_pipelined_requests_are_answered_in_order(rig_for: RigFactory):
    async with rig_for() as rig, guard():
        reader, writer = await rig.connect()
        writer.write(
            rig.head("GET", "/v1/funds/echo?one")
            + rig.head("POST", "/v1/funds/echo?two", "Content-Length: 3")
            + b"abc"
            + rig.head("HEAD", "/v1/funds/text")
            + rig.head("GET", "/v1/funds/echo?four")
        )
        assert json.loads((await read_answer(reader)).body)["query"] == "one"
        two = json.loads((await read_answer(reader)).body)
        assert two["query"] == "two" and two["size"] == 3
        assert (await read_answer(reader, head_only=True)).headers["content-length"] == "5"
        assert json.loads((await read_answer(reader)).body)["query"] == "four"
        writer.close()


async def test_a_client_that_leaves_releases_the_service_connection(rig_for: RigFactory):
    """Main kept the upstream exchange (and its pool slot) open after the client had gone, until the
    read timeout (30 s by default): a few hundred such clients exhaust the pool."""
    async with rig_for() as rig, guard():
        _, writer = await rig.connect()
        writer.write(rig.head("GET", "/v1/funds/slow"))
        await rig.echo.slow_started.wait()
        writer.close()
        await rig.echo.slow_disconnected.wait()


# --- the caller's address ---------------------------------------------------------------------------------


async def test_anonymous_limits_are_per_caller_behind_a_trusted_proxy(rig_for: RigFactory):
    """Behind an ingress every anonymous caller had the ingress's address and shared one bucket."""
    async with (
        rig_for(trusted_proxies="127.0.0.1/32, 10.0.0.0/8", rate_limit_anonymous="2/minute") as rig,
        httpx.AsyncClient(base_url=rig.gateway) as client,
    ):

        async def public(forwarded: str) -> httpx.Response:
            return await client.get("/v1/funds/public/echo", headers={"X-Forwarded-For": forwarded})

        first = await public("203.0.113.7")
        assert first.status_code == 200
        # a forged left part is ignored: the right-most address not a trusted proxy is the caller (its bucket)
        second = await public("198.51.100.1, 203.0.113.7, 10.1.2.3")
        assert second.status_code == 200
        assert (await public("203.0.113.7")).status_code == 429
        assert (await public("203.0.113.8")).status_code == 200  # another caller, another bucket


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(rig_for: RigFactory):
    async with rig_for(rate_limit_anonymous="2/minute") as rig, httpx.AsyncClient(base_url=rig.gateway) as client:
        answers = [
            await client.get("/v1/funds/public/echo", headers={"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]


async def test_a_public_route_never_learns_who_calls(rig_for: RigFactory):
    """A whistleblower's report must not carry the caller's address or browser to the service (issue 13): the
    gateway passes neither on a public route, counts the address only as a keyed hash, and limits public
    writes (filings, receipt guesses) per address more tightly than reads."""
    async with (
        rig_for(rate_limit_anonymous="100/minute", rate_limit_public_write="2/minute") as rig,
        httpx.AsyncClient(base_url=rig.gateway) as client,
    ):
        sent = {"User-Agent": "Mozilla/5.0 (reporter's laptop)", "X-Real-IP": "203.0.113.9", "Cookie": "a=b"}
        got = await client.post("/v1/funds/public/echo", headers=sent, content=b"{}")
        assert got.status_code == 200
        seen = {k.lower() for k in got.json()["headers"]}
        assert not seen & {"x-forwarded-for", "user-agent", "x-real-ip", "cookie", "forwarded"}, seen
        auth = {"Authorization": f"Bearer {rig.token}", "User-Agent": "bureau-system/1.0"}
        private = await client.get("/v1/funds/echo", headers=auth)
        assert private.json()["headers"]["x-forwarded-for"] == "127.0.0.1"  # authenticated routes keep it
        assert (await client.post("/v1/funds/public/echo", content=b"{}")).status_code == 200
        assert (await client.post("/v1/funds/public/echo", content=b"{}")).status_code == 429
        assert (await client.get("/v1/funds/public/echo")).status_code == 200  # reads have their own limit


async def test_the_limiter_counts_addresses_as_keyed_hashes():
    limits = RateLimits(
        "memory://",
        per_client="10/minute",
        anonymous="10/minute",
        token="10/minute",
        address_hasher=KeyedHasher(b"k" * 32),
    )
    await limits.anonymous_ip("203.0.113.9", write=True)
    keys = list(limits.storage.storage)
    assert keys and not any("203.0.113.9" in k for k in keys), keys
