"""Which maintained HTTP client under the thin ASGI proxy handler: aiohttp or httpcore.

The same minimal forwarding handler (no token, no rate limit: only the client library
differs) in front of a trivial upstream, one uvicorn worker each, wrk as the client.
Run: ``.venv/bin/python bench/proxy_clients.py [seconds]``. The figures that chose the
gateway's client are in docs/benchmarks.md (2026-11-30).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import httpx
from common import ROOT, free_port, wrk

UPSTREAM = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:9")
HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"host", b"content-length"}


def aiohttp_app() -> Any:
    import aiohttp

    state: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            state["session"] = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=4),
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None, connect=2, sock_read=30),
            )
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await state["session"].close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"] if k not in HOP]
        async with state["session"].request(
            scope["method"], UPSTREAM + scope["path"], headers=headers, allow_redirects=False
        ) as response:
            out = [(k, v) for k, v in response.raw_headers if k.lower() not in HOP]
            await send({"type": "http.response.start", "status": response.status, "headers": out})
            async for chunk in response.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})

    return app


def httpcore_app() -> Any:
    import httpcore

    state: dict[str, Any] = {}
    host, port = UPSTREAM.split("//")[1].split(":")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            state["pool"] = httpcore.AsyncConnectionPool(max_connections=256, keepalive_expiry=4)
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await state["pool"].aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = [(b"host", f"{host}:{port}".encode())]
        headers += [(k, v) for k, v in scope["headers"] if k not in HOP]
        url = httpcore.URL(scheme=b"http", host=host.encode(), port=int(port), target=scope["path"].encode())
        async with state["pool"].stream(scope["method"], url, headers=headers) as response:
            out = [(k, v) for k, v in response.headers if k.lower() not in HOP]
            await send({"type": "http.response.start", "status": response.status, "headers": out})
            async for chunk in response.aiter_stream():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})

    return app


def _serve(target: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    factory = ["--factory"] if target.endswith("_app") else []
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *factory, target, "--port", str(port), "--no-access-log"],
        cwd=ROOT / "bench",
        env={**os.environ, **(env or {})},
    )


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def run(seconds: int = 5) -> list[str]:
    up_port = free_port()
    upstream = _serve("trivial_upstream:fastapi_app", up_port)
    rows: list[str] = ["| client | connections | req/s | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    try:
        _wait(f"http://127.0.0.1:{up_port}/")
        base = f"http://127.0.0.1:{up_port}/v1/funds/rules"
        for c in (1, 32):
            r = wrk(base, connections=c, seconds=seconds, headers={})
            rows.append(f"| direct | {c} | {r['rps']:.0f} | {r.get('p50', 0):.2f} | {r.get('p99', 0):.2f} |")
        for name in ("aiohttp_app", "httpcore_app"):
            port = free_port()
            proc = _serve(f"proxy_clients:{name}", port, {"BENCH_UPSTREAM": f"http://127.0.0.1:{up_port}"})
            try:
                url = f"http://127.0.0.1:{port}/v1/funds/rules"
                _wait(url)
                wrk(url, connections=8, seconds=1, headers={})
                for c in (1, 32):
                    r = wrk(url, connections=c, seconds=seconds, headers={})
                    rows.append(
                        f"| {name[:-4]} | {c} | {r['rps']:.0f} | {r.get('p50', 0):.2f} | {r.get('p99', 0):.2f} |"
                    )
            finally:
                proc.terminate()
                proc.wait()
    finally:
        upstream.terminate()
        upstream.wait()
    print("\n".join(rows))
    return rows


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
