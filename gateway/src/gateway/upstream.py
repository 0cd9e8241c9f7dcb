"""A keep-alive HTTP/1.1 client for the proxy's hot path: asyncio protocol + httptools parser.

Why not httpx or aiohttp here: on this kind of machine a FastAPI route forwarding with
httpx's default transport kept 4–10 % of direct throughput (encode/httpx#3215, pool
contention), aiohttp about a third; profiling our gateway showed aiohttp's request and
response objects as the largest cost per request. The upstreams are our own uvicorn
services on a private network, so the client needs little: one request per connection at a
time, a pool of idle keep-alive connections per upstream, streaming of the answer, timeouts.
Parsing is done by ``httptools`` (llhttp, the parser uvicorn itself uses).

A pooled connection the server has closed meanwhile is detected before use where possible
(idle connections expire before uvicorn's 5 s keep-alive) and, if the server closes it
without answering a single byte, the request is sent once more on a fresh connection.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools

Headers = list[tuple[bytes, bytes]]


class UpstreamError(Exception):
    """The upstream could not be reached or broke the connection."""


class UpstreamTimeoutError(UpstreamError):
    """The upstream did not answer in time."""


class _StaleConnection(UpstreamError):
    """A pooled connection closed before any byte of the answer: safe to send again."""


@dataclass
class Response:
    status: int
    headers: Headers
    connection: _Connection

    async def chunks(self, read_timeout: float):  # type: ignore[no-untyped-def]
        """The body as it arrives."""
        conn = self.connection
        while True:
            while conn.body:
                yield conn.body.popleft()
            if conn.complete:
                return
            if conn.lost:
                raise UpstreamError("the upstream closed the connection mid-answer")
            conn.wake.clear()
            try:
                await asyncio.wait_for(conn.wake.wait(), timeout=read_timeout)
            except TimeoutError:
                raise UpstreamTimeoutError("no data from the upstream in time") from None


@dataclass(eq=False)  # identity, not field equality: connections are kept in lists
class _Connection(asyncio.Protocol):
    pool: _Pool
    transport: Any = None
    parser: httptools.HttpResponseParser | None = None
    status: int = 0
    headers: Headers = field(default_factory=list)
    body: collections.deque[bytes] = field(default_factory=collections.deque)
    headers_done: bool = False
    complete: bool = False
    lost: bool = False
    received_any: bool = False
    keep_alive: bool = True
    idle_since: float = 0.0
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    waiter: asyncio.Future[None] | None = None  # resolved when the status line and headers are in

    # asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:  # asyncio's or uvloop's transport
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        assert self.parser is not None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.lost = True
            self.keep_alive = False
            if self.transport is not None:
                self.transport.close()
        self._notify()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.keep_alive = False
        self.pool.forget(self)
        self._notify()

    def _notify(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done() and (self.headers_done or self.lost):
            waiter.set_result(None)
        self.wake.set()

    # httptools callbacks ------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        self.status = self.parser.get_status_code()
        self.keep_alive = self.keep_alive and self.parser.should_keep_alive()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True

    # use ----------------------------------------------------------------------------------

    def reset(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.headers = []
        self.body.clear()
        self.headers_done = self.complete = self.received_any = False

    def reusable(self) -> bool:
        return (
            self.complete
            and self.keep_alive
            and not self.lost
            and self.transport is not None
            and not self.transport.is_closing()
        )


class _Pool:
    def __init__(self, host: str, port: int, *, size: int, idle_seconds: float, connect_timeout: float) -> None:
        self.host = host
        self.port = port
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(size)
        self.idle_seconds = idle_seconds
        self.connect_timeout = connect_timeout

    def forget(self, conn: _Connection) -> None:
        if conn in self.idle:
            self.idle.remove(conn)

    async def acquire(self) -> tuple[_Connection, bool]:
        """A connection and whether it was reused from the pool."""
        now = time.monotonic()
        while self.idle:
            conn = self.idle.pop()
            if not conn.lost and now - conn.idle_since < self.idle_seconds:
                conn.reset()
                return conn, True
            if conn.transport is not None:
                conn.transport.close()
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(lambda: _Connection(self), self.host, self.port), timeout=self.connect_timeout
            )
        except TimeoutError:
            raise UpstreamError(f"connecting to {self.host}:{self.port} timed out") from None
        except OSError as exc:
            raise UpstreamError(f"cannot connect to {self.host}:{self.port}: {exc.strerror or exc}") from None
        conn.reset()
        return conn, False

    def release(self, conn: _Connection) -> None:
        if conn.reusable():
            conn.idle_since = time.monotonic()
            self.idle.append(conn)
        elif conn.transport is not None:
            conn.transport.close()

    def close(self) -> None:
        for conn in self.idle:
            if conn.transport is not None:
                conn.transport.close()
        self.idle.clear()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class UpstreamClient:
    """One pool per upstream base URL."""

    def __init__(
        self,
        *,
        pool_size: int = 256,
        connect_timeout: float = 2.0,
        read_timeout: float = 30.0,
        idle_seconds: float = 4.0,
    ) -> None:
        self.pool_size = pool_size
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.idle_seconds = idle_seconds
        self._pools: dict[str, _Pool] = {}

    def _pool(self, base: str) -> tuple[_Pool, bytes]:
        pool = self._pools.get(base)
        parts = urlsplit(base)
        if parts.scheme != "http":
            raise ValueError("upstreams are plain http on the private network (TLS ends at the ingress)")
        host_header = parts.netloc.encode()
        if pool is None:
            pool = self._pools[base] = _Pool(
                parts.hostname or "127.0.0.1",
                parts.port or 80,
                size=self.pool_size,
                idle_seconds=self.idle_seconds,
                connect_timeout=self.connect_timeout,
            )
        return pool, host_header

    async def request(self, base: str, method: str, target: bytes, headers: Headers, body: bytes) -> Response:
        """Send a request; returns once the status and headers arrived (stream the body, then ``release``)."""
        pool, host = self._pool(base)
        head = [method.encode(), b" ", target, b" HTTP/1.1\r\nhost: ", host, b"\r\n"]
        for name, value in headers:
            head += [name, b": ", value, b"\r\n"]
        if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            head += [b"content-length: ", str(len(body)).encode(), b"\r\n"]
        head.append(b"\r\n")
        payload = b"".join(head) + body
        await pool.slots.acquire()
        try:
            for attempt in (1, 2):
                conn, reused = await pool.acquire()
                try:
                    return await self._exchange(conn, payload)
                except _StaleConnection:
                    if reused and attempt == 1:
                        continue  # the pooled connection had been closed by the server: once more, fresh
                    raise UpstreamError("the upstream closed the connection without answering") from None
            raise AssertionError("unreachable")
        except BaseException:
            pool.slots.release()
            raise

    async def _exchange(self, conn: _Connection, payload: bytes) -> Response:
        loop = asyncio.get_running_loop()
        conn.waiter = waiter = loop.create_future()
        conn.transport.write(payload)
        timer = loop.call_later(self.read_timeout, _expire, waiter)
        try:
            await waiter
        except TimeoutError:
            conn.transport.close()
            raise UpstreamTimeoutError("the upstream did not answer in time") from None
        finally:
            timer.cancel()
            conn.waiter = None
        if not conn.headers_done:
            if not conn.received_any:
                raise _StaleConnection()
            raise UpstreamError("the upstream broke the connection")
        return Response(conn.status, conn.headers, conn)

    def release(self, base: str, response: Response) -> None:
        pool, _ = self._pool(base)
        pool.release(response.connection)
        pool.slots.release()

    async def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
