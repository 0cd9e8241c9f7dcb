"""Gateway proxy overhead: the same authenticated trivial GET direct and through the gateway.

One uvicorn worker each for the gateway and the funds service, wrk as the client, all on
this machine. Reports rps and latency percentiles and the gateway's share of direct rps.
"""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
from common import ROOT, Stack, append_report, free_port, wrk

PATH = "/v1/funds/rules"


def trivial(seconds: int, target: str) -> dict[str, dict[str, float]]:
    """The gateway in front of a trivial upstream (``trivial_upstream:app`` raw ASGI, or the FastAPI one)."""
    port = free_port()
    factory = ["--factory"] if target.endswith("fastapi_app") else []
    upstream = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *factory,
            target,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT / "bench",
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        results = {}
        with Stack((), extra_gateway_env={"SUNLIGHT_FUNDS_URL": f"http://127.0.0.1:{port}"}) as stack:
            headers = {"Authorization": f"Bearer {stack.token('funds:read')}"}
            direct, gateway = f"http://127.0.0.1:{port}{PATH}", stack.gateway.url + PATH
            for url in (direct, gateway):
                wrk(url, connections=8, seconds=2, headers=headers)
            for connections in (1, 32):
                results[f"direct c{connections}"] = wrk(
                    direct, connections=connections, seconds=seconds, headers=headers
                )
                results[f"gateway c{connections}"] = wrk(
                    gateway, connections=connections, seconds=seconds, headers=headers
                )
        return results
    finally:
        upstream.terminate()
        upstream.wait()


def table(results: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| path | connections | req/s | p50 ms | p90 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        path, conns = name.split(" c")
        lines.append(
            f"| {path} | {conns} | {r['rps']:.0f} | {r.get('p50', 0):.2f} | {r.get('p90', 0):.2f} | "
            f"{r.get('p99', 0):.2f} | {r['non2xx']:.0f} |"
        )
    for conns in (1, 32):
        share = results[f"gateway c{conns}"]["rps"] / results[f"direct c{conns}"]["rps"]
        added = results[f"gateway c{conns}"].get("p50", 0) - results[f"direct c{conns}"].get("p50", 0)
        lines.append(
            f"\nAt {conns} connection(s): the gateway keeps **{share:.0%}** of direct throughput, "
            f"adds **{added:.2f} ms** at p50."
        )
    return lines


def run(seconds: int = 10, write: bool = True) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with Stack(("funds",)) as stack:
        token = stack.token("funds:read")
        headers = {"Authorization": f"Bearer {token}"}
        direct, gateway = stack.services["funds"].url + PATH, stack.gateway.url + PATH
        for url in (direct, gateway):  # warm up: JWKS fetch, token caches, connection pools
            wrk(url, connections=8, seconds=2, headers=headers)
        for connections in (1, 32):
            results[f"direct c{connections}"] = wrk(direct, connections=connections, seconds=seconds, headers=headers)
            results[f"gateway c{connections}"] = wrk(gateway, connections=connections, seconds=seconds, headers=headers)
    lines = [
        f"**A. A real service route**: `GET {PATH}` with a bearer token (the service verifies it too), "
        f"wrk -t1, {seconds} s per row, gateway and funds 1 uvicorn worker each, SQLite.",
        "",
        *table(results),
    ]
    framework = trivial(seconds, "trivial_upstream:fastapi_app")
    lines += [
        "",
        '**B. A trivial FastAPI endpoint** (`{"ok": true}`, DESIGN.md\'s reference case), the same token '
        "through the gateway (verified, rate-limited, proxied):",
        "",
        *table(framework),
    ]
    bare = trivial(seconds, "trivial_upstream:app")
    lines += ["", "**C. A bare ASGI endpoint** (no framework: the gateway's own ceiling shows):", "", *table(bare)]
    results.update({f"fastapi {k}": v for k, v in framework.items()})
    results.update({f"bare {k}": v for k, v in bare.items()})
    print("\n".join(lines))
    if write:
        append_report("Gateway proxy overhead", lines)
    return results


if __name__ == "__main__":
    run(seconds=int(sys.argv[1]) if len(sys.argv) > 1 else 10, write="--no-write" not in sys.argv)
