"""The proxy's upstream client against real sockets, including upstreams that misbehave."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from gateway.upstream import UpstreamClient, UpstreamError, UpstreamTimeoutError

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length) if length else b""
    return head, body


@pytest.fixture
async def client() -> AsyncIterator[UpstreamClient]:
    upstream = UpstreamClient(pool_size=8, connect_timeout=1, read_timeout=1, idle_seconds=4)
    yield upstream
    await upstream.close()


async def test_keep_alive_reuses_one_connection_and_forwards_body_and_headers(client: UpstreamClient):
    connections = 0
    seen: list[tuple[bytes, bytes]] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                head, body = await _read_request(reader)
            except asyncio.IncompleteReadError:
                return
            seen.append((head, body))
            reply = b'{"echo":' + str(len(body)).encode() + b"}"
            writer.write(
                b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: "
                + str(len(reply)).encode()
                + b"\r\nx-upstream: yes\r\n\r\n"
                + reply
            )
            await writer.drain()

    server, base = await _serve(handler)
    async with server:
        for i in range(3):
            response = await client.request(
                base, "POST", b"/v1/funds/movements?x=1", [(b"x-request-id", b"r1")], b'{"a":' + str(i).encode() + b"}"
            )
            body = b"".join([chunk async for chunk in response.chunks(1)])
            client.release(base, response)
            assert response.status == 201 and body == b'{"echo":7}'
            assert (b"x-upstream", b"yes") in response.headers
    assert connections == 1, "keep-alive: three requests, one connection"
    head, body = seen[0]
    assert head.startswith(b"POST /v1/funds/movements?x=1 HTTP/1.1\r\n")
    assert b"x-request-id: r1" in head and body == b'{"a":0}'


async def test_chunked_streaming_answers_arrive_whole(client: UpstreamClient):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        for part in (b"a" * 70_000, b"b" * 5, b"c" * 100_000):
            writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    server, base = await _serve(handler)
    async with server:
        response = await client.request(base, "GET", b"/export", [], b"")
        body = b"".join([chunk async for chunk in response.chunks(1)])
        client.release(base, response)
    assert body == b"a" * 70_000 + b"b" * 5 + b"c" * 100_000


async def test_a_pooled_connection_closed_by_the_server_is_retried_once_on_a_fresh_one(client: UpstreamClient):
    served = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal served
        await _read_request(reader)
        served += 1
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()  # the server drops the keep-alive connection right after answering

    server, base = await _serve(handler)
    async with server:
        for _ in range(2):
            response = await client.request(base, "GET", b"/", [], b"")
            assert b"".join([c async for c in response.chunks(1)]) == b"ok"
            client.release(base, response)
    assert served == 2


async def test_an_upstream_that_does_not_answer_times_out(client: UpstreamClient):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(5)

    server, base = await _serve(handler)
    async with server:
        with pytest.raises(UpstreamTimeoutError):
            await client.request(base, "GET", b"/slow", [], b"")


async def test_an_unreachable_upstream_and_a_broken_answer_are_upstream_errors(client: UpstreamClient):
    server, base = await _serve(lambda r, w: asyncio.sleep(0))
    server.close()
    await server.wait_closed()
    with pytest.raises(UpstreamError):
        await client.request(base, "GET", b"/", [], b"")

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    bad, bad_base = await _serve(garbage)
    async with bad:
        with pytest.raises(UpstreamError):
            await client.request(bad_base, "GET", b"/", [], b"")
