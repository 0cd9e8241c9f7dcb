"""Gateway proxy overhead: the same authenticated GETs direct, through the gateway, and through nginx.

The funds and integrity services, the gateway and nginx (one worker each, keep-alive to the
services) on this machine, SQLite; wrk -t1 as the client. Rows: a light route
(``GET /v1/funds/rules``) and a database-backed list (``GET /v1/integrity/warnings?limit=20``
over seeded warnings), at 1 and 32 connections. nginx is installed from the Debian registry
when missing; its rows are skipped with a message if that is not possible.

Targets (issue 8): the gateway keeps >= 50 % of direct throughput on the light route and
>= 90 % on the list, and adds <= 1 ms at p50 with one connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import Stack, append_report, free_port, wrk

LIGHT = "/v1/funds/rules"
LIST = "/v1/integrity/warnings?limit=20"
SCENARIOS = (("light", LIGHT, 1), ("light", LIGHT, 32), ("list", LIST, 1), ("list", LIST, 32))
TARGET_SHARE = {"light": 0.50, "list": 0.90}
TARGET_ADDED_P50_MS = 1.0


def seed_warnings(url: str, count: int = 300) -> None:
    """``count`` distinct warnings in the integrity register, as the funds service would raise them."""
    from funds.rules import OVERSPEND
    from integrity import register
    from integrity.settings import IntegritySettings
    from sunlight.db import Database
    from sunlight.warnings import SubjectRef, warning_event

    async def go() -> None:
        db = Database(url)
        settings = IntegritySettings(environment="test")
        try:
            async with db.sessions() as session:
                for n in range(count):
                    subject = SubjectRef(service="funds", kind="node", id=f"bench-{n}", label=f"node {n}")
                    event = warning_event(
                        OVERSPEND, service="funds", subject=subject, region_code="130302", evidence={"n": n}
                    )
                    await register.register_warning(session, event, settings)
                await session.commit()
        finally:
            await db.dispose()

    asyncio.run(go())


def _nginx_path() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def nginx_binary() -> str | None:
    """nginx, installed from the Debian registry when missing (None if that is not possible)."""
    if found := _nginx_path():
        return found
    print("nginx not found: installing nginx-light with apt-get", flush=True)
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (
        ["install", "-y", "nginx-light"],
        ["update"],
        ["install", "-y", "nginx-light"],
        ["install", "-y", "nginx"],
    ):
        try:
            subprocess.run([*apt, *args], check=False, env=env, capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if found := _nginx_path():
            return found
    return None


class Nginx:
    """nginx as a plain reverse proxy to the same services: one worker, keep-alive upstreams."""

    def __init__(self, binary: str, upstreams: dict[str, str]) -> None:
        self.binary = binary
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="sunlight-nginx-"))
        os.chmod(self.tmp, 0o755)  # noqa: S103 - nginx's workers (user nobody) use its temp folders
        blocks, locations = [], []
        for name, url in upstreams.items():
            blocks.append(f"upstream {name} {{ server {url.split('//', 1)[1]}; keepalive 64; }}")
            locations.append(
                f"location /v1/{name}/ {{ proxy_pass http://{name}; proxy_http_version 1.1; "
                'proxy_set_header Connection ""; proxy_set_header X-Forwarded-For $remote_addr; }'
            )
        temp = " ".join(
            f"{kind}_temp_path {self.tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.tmp / "nginx.conf").write_text(
            f"worker_processes 1;\ndaemon off;\npid {self.tmp / 'nginx.pid'};\n"
            f"error_log {self.tmp / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{ access_log off; {temp}\n" + "\n".join(blocks) + "\n"
            f"server {{ listen 127.0.0.1:{self.port}; " + " ".join(locations) + " } }\n"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        self.proc = subprocess.Popen([self.binary, "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not start: {(self.tmp / 'error.log').read_text(errors='replace')}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)


def measure(seconds: int, rounds: int = 2) -> tuple[dict[tuple[str, int], dict[str, dict[str, float]]], str | None]:
    """``{(scenario, connections): {"direct"|"gateway"|"nginx": wrk figures}}`` and why nginx was skipped."""
    stack = Stack(("funds", "integrity"))
    seed_warnings(stack.db_urls["integrity"])
    results: dict[tuple[str, int], dict[str, dict[str, float]]] = {}
    skipped: str | None = None
    binary = nginx_binary()
    if binary is None:
        skipped = "nginx could not be installed (apt-get install nginx-light failed): its rows are skipped"
        print(skipped, flush=True)
    reference = Nginx(binary, {n: p.url for n, p in stack.services.items()}) if binary else contextlib.nullcontext()
    with stack, reference as nginx:
        token = stack.token("funds:read integrity:read")
        headers = {"Authorization": f"Bearer {token}"}
        bases = {"direct": None, "gateway": stack.gateway.url, **({"nginx": nginx.url} if nginx else {})}
        for name, base in bases.items():  # warm up: JWKS fetch, token caches, connection pools
            for _, path, _ in SCENARIOS[::2]:
                service = path.split("/")[2]
                url = (base or stack.services[service].url) + path
                figures = wrk(url, connections=8, seconds=1, headers=headers)
                if figures["non2xx"]:
                    raise SystemExit(f"{name} {path}: non-2xx answers while warming up")
        for scenario, path, connections in SCENARIOS:
            service = path.split("/")[2]
            row = results[(scenario, connections)] = {}
            for _ in range(rounds):  # interleaved, best round kept: the machine is shared, others' load comes and goes
                for name, base in bases.items():
                    url = (base or stack.services[service].url) + path
                    figures = wrk(url, connections=connections, seconds=seconds, headers=headers)
                    if name not in row or figures["rps"] > row[name]["rps"]:
                        row[name] = figures
    return results, skipped


def table(results: dict[tuple[str, int], dict[str, dict[str, float]]], skipped: str | None) -> list[str]:
    lines = [
        "| route | conns | via | req/s | share of direct | p50 ms | p90 ms | p99 ms | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for (scenario, connections), row in results.items():
        direct = row["direct"]
        path = LIGHT if scenario == "light" else LIST
        for name, r in row.items():
            share = r["rps"] / direct["rps"]
            lines.append(
                f"| `{path}` | {connections} | {name} | {r['rps']:.0f} | {share:.0%} | {r.get('p50', 0):.2f} | "
                f"{r.get('p90', 0):.2f} | {r.get('p99', 0):.2f} | {r['non2xx']:.0f} |"
            )
        gateway = row["gateway"]
        share = gateway["rps"] / direct["rps"]
        added = gateway.get("p50", 0) - direct.get("p50", 0)
        ok = share >= TARGET_SHARE[scenario] and (connections != 1 or added <= TARGET_ADDED_P50_MS)
        verdicts.append(
            f"- {scenario} route, {connections} connection(s): gateway {share:.0%} of direct "
            f"(target ≥ {TARGET_SHARE[scenario]:.0%}), +{added:.2f} ms at p50"
            + (f" (target ≤ {TARGET_ADDED_P50_MS:.0f} ms)" if connections == 1 else "")
            + (" — met" if ok else " — **missed**")
            + (_nginx_note(row["nginx"], direct) if "nginx" in row else "")
        )
    if skipped:
        verdicts.append(f"- {skipped}")
    return [*lines, "", *verdicts]


def _nginx_note(nginx: dict[str, float], direct: dict[str, float]) -> str:
    return f"; nginx {nginx['rps'] / direct['rps']:.0%}, +{nginx.get('p50', 0) - direct.get('p50', 0):.2f} ms"


def run(seconds: int = 5, write: bool = True, rounds: int = 2) -> dict[tuple[str, int], dict[str, dict[str, float]]]:
    load_before = os.getloadavg()[0]
    results, skipped = measure(seconds, rounds)
    load_after = os.getloadavg()[0]
    lines = [
        f"`GET {LIGHT}` (light) and `GET {LIST}` (SQLite, 300 seeded warnings) with a bearer token (the "
        f"service verifies it too), wrk -t1, {seconds} s per run, best of {rounds} interleaved runs; "
        "the gateway (aiohttp client), the services "
        "and nginx (reference reverse proxy, keep-alive upstreams) one worker each.",
        f"Load average (1 min) of the shared machine: {load_before:.1f} before, {load_after:.1f} after.",
        "",
        *table(results, skipped),
    ]
    print("\n".join(lines))
    if write:
        append_report("Gateway proxy overhead (direct, gateway, nginx)", lines)
    return results


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    run(
        seconds=numbers[0] if numbers else 5,
        rounds=numbers[1] if len(numbers) > 1 else 2,
        write="--no-write" not in sys.argv,
    )
