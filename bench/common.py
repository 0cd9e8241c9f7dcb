"""Shared bits of the benchmark scenarios: a throw-away stack of real processes, wrk, reporting."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
from sunlight.migrations import upgrade
from sunlight.testing.processes import Process, free_port

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
ADMIN_ID, ADMIN_SECRET = "bench-admin", "bench-admin-secret-0123456789"


def migrations(name: str) -> Path:
    return ROOT / ("gateway" if name == "gateway" else f"services/{name}") / "migrations"


class Stack:
    """The gateway plus some services as real uvicorn processes (one worker each) on SQLite."""

    def __init__(
        self,
        services: tuple[str, ...],
        *,
        bus_env: dict[str, str] | None = None,
        db_urls: dict[str, str] | None = None,
        extra_gateway_env: dict[str, str] | None = None,
    ) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
        self.gateway_port = free_port()
        common = {
            "SUNLIGHT_ENVIRONMENT": "test",
            "SUNLIGHT_LOG_LEVEL": "WARNING",
            "SUNLIGHT_JWKS_URL": f"http://127.0.0.1:{self.gateway_port}/.well-known/jwks.json",
            "SUNLIGHT_BUS_PATH": str(self.tmp / "bus.sqlite3"),
            **(bus_env or {}),
        }
        urls = db_urls or {}
        self.db_urls: dict[str, str] = {}
        for name in (*services, "gateway"):
            url = urls.get(name) or f"sqlite+aiosqlite:///{self.tmp / name}.db"
            upgrade(migrations(name), url)
            self.db_urls[name] = url
        self.services = {
            name: Process(
                name,
                f"{name}.app:create_app",
                free_port(),
                {**common, "SUNLIGHT_DATABASE_URL": self.db_urls[name]},
                self.tmp / f"{name}.log",
            )
            for name in services
        }
        gateway_env = {
            **common,
            "SUNLIGHT_DATABASE_URL": self.db_urls["gateway"],
            "SUNLIGHT_BOOTSTRAP_CLIENT_ID": ADMIN_ID,
            "SUNLIGHT_BOOTSTRAP_CLIENT_SECRET": ADMIN_SECRET,
            "SUNLIGHT_RATE_LIMIT": "10000000/minute",
            **{f"SUNLIGHT_{n.upper()}_URL": p.url for n, p in self.services.items()},
            **(extra_gateway_env or {}),
        }
        self.gateway = Process(
            "gateway", "gateway.app:create_app", self.gateway_port, gateway_env, self.tmp / "gateway.log"
        )

    def __enter__(self) -> Stack:
        for process in (self.gateway, *self.services.values()):
            process.start()
        for process in (self.gateway, *self.services.values()):
            process.wait_ready(60)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in (self.gateway, *self.services.values()):
            process.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def token(self, scope: str) -> str:
        response = httpx.post(
            f"{self.gateway.url}/oauth/token",
            auth=(ADMIN_ID, ADMIN_SECRET),
            data={"grant_type": "client_credentials", "scope": scope},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


def wrk(url: str, *, connections: int, seconds: int, headers: dict[str, str], threads: int = 1) -> dict[str, float]:
    """Run wrk and return rps and latency percentiles in ms."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is needed for this benchmark: apt-get install wrk")
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out, re.M)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            result[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = float(errors.group(1)) if errors else 0.0
    return result


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def append_report(title: str, lines: list[str]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    if not REPORT.exists():
        REPORT.write_text(
            "# Benchmarks\n\nAppended by `make bench` (bench/run.py); newest last. "
            "Figures are from one run on the machine named in each entry.\n"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with REPORT.open("a", encoding="utf-8") as out:
        out.write(f"\n## {title} — {stamp}, commit {commit()}, {machine()}\n\n")
        out.write("\n".join(lines) + "\n")
