"""Hostile bulk input: what a 2 MB batch of junk lines costs the funds service.

    .venv/bin/python bench/bad_input.py            # SQLite + embedded log, the funds app in-process

Two bodies, both 2 MiB of NDJSON that is not JSON, posted to ``POST /v1/funds/movements/batch``:

- *many short lines*: ``x`` lines (1,048,576 of them, far over the 5,000-record cap);
- *few long lines*: 4,000 junk lines of 512 bytes (within the record cap, every line wrong).

For each: the answer's status and size, the wall time of the request, the longest the event loop
went without running another task while the request ran (a 1 ms ticker on the same loop), and the
peak resident memory above what the process held before the request (``VmHWM`` after resetting
it through ``/proc/self/clear_refs``). Each body runs in a fresh process so the peaks are its own.
Not a test: run by hand; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIB = 1024 * 1024
BODIES = {
    "many short lines": lambda: b"x\n" * MIB,
    "few long lines": lambda: (b"x" * 511 + b"\n") * 4000,
}


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Reset the peak resident size (VmHWM) to the current one."""
    Path("/proc/self/clear_refs").write_text("5")


async def measure(name: str) -> dict[str, object]:
    import httpx
    from asgi_lifespan import LifespanManager
    from funds.app import MIGRATIONS, create_app
    from funds.settings import FundsSettings
    from sunlight.testing.backends import Backend, Templates
    from sunlight.testing.tokens import TestKeys

    keys = TestKeys()
    tmp = Path(tempfile.mkdtemp(prefix="bad-input-"))
    (tmp / "templates").mkdir()
    templates = Templates(tmp / "templates")
    backend = Backend(name="sqlite", tmp=tmp, templates=templates)
    try:
        settings = FundsSettings(
            environment="test",
            log_level="WARNING",
            database_url=await backend.database("funds", MIGRATIONS),
            jwks_json=keys.jwks_json,
            jwt_issuer=keys.issuer,
            jwt_audience=keys.audience,
            **backend.bus_settings(),
        )
        headers = keys.auth(scopes="funds:read funds:write", regions=["130000"], lifetime=3600)
        body = BODIES[name]()
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as client:
                await client.post(  # warm up: the route's first call builds what it needs once
                    "/v1/funds/movements/batch",
                    params={"batch_key": "warm-up"},
                    content=b"x\n",
                    headers={**headers, "content-type": "application/x-ndjson"},
                )
                stalls: list[float] = []
                running = True

                async def ticker() -> None:
                    last = time.perf_counter()
                    while running:
                        await asyncio.sleep(0.001)
                        now = time.perf_counter()
                        stalls.append(now - last)
                        last = now

                tick = asyncio.create_task(ticker())
                await asyncio.sleep(0.01)
                reset_peak()
                before = rss_kib("VmRSS")
                started = time.perf_counter()
                r = await client.post(
                    "/v1/funds/movements/batch",
                    params={"batch_key": "junk"},
                    content=body,
                    headers={**headers, "content-type": "application/x-ndjson"},
                )
                elapsed = time.perf_counter() - started
                peak = rss_kib("VmHWM") - before
                running = False
                await tick
        problem = r.json()
        return {
            "body": name,
            "status": r.status_code,
            "type": str(problem.get("type", "")).rsplit("/", 1)[-1],
            "errors": len(problem.get("errors", []) or []),
            "answer_kib": round(len(r.content) / 1024, 1),
            "seconds": round(elapsed, 3),
            "loop_stall_ms": round(max(stalls) * 1000, 1),
            "peak_mib": round(peak / 1024, 1),
        }
    finally:
        await backend.cleanup()
        templates.drop_all()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(asyncio.run(measure(sys.argv[2]))))
        return
    print("| body | status | type | errors listed | answer KiB | seconds | longest loop stall ms | peak MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for name in BODIES:
        out = (
            subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        row = json.loads(out)
        print("| " + " | ".join(str(row[k]) for k in row) + " |")


if __name__ == "__main__":
    main()
