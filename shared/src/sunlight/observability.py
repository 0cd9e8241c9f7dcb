"""Logging (one structured line per request, no secrets or personal data) and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
access_log = logging.getLogger("sunlight.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            out.update(extra)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class FieldsFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            text += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return text


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_lines else FieldsFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").disabled = True  # ours has the request id and client


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.match(text):
                return text
            break
    return os.urandom(16).hex()


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["service", "method", "route", "status"], registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "HTTP request duration",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        # what an operator acts on (deploy/k8s/alerts): refreshed from the database at each scrape
        self.outbox_pending = Gauge(
            "sunlight_outbox_pending_events", "Events not yet on the bus", ["service"], registry=self.registry
        )
        self.outbox_oldest = Gauge(
            "sunlight_outbox_oldest_pending_seconds",
            "Age of the oldest event not yet on the bus (0 when none)",
            ["service"],
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "sunlight_dead_letters", "Events this service could not apply", ["service"], registry=self.registry
        )
        self.consumer_pending = Gauge(
            "sunlight_consumer_pending_events",
            "Events on the bus this service has not yet applied, by event type (consumer lag)",
            ["service", "event_type"],
            registry=self.registry,
        )
        self.calendar_days_left = Gauge(
            "sunlight_calendar_days_left",
            "Days until the working-day calendar's data ends (negative: today is not covered)",
            ["service"],
            registry=self.registry,
        )
        self.published = Counter(
            "sunlight_events_published_total", "Events sent to the bus", ["service", "type"], registry=self.registry
        )
        self.warnings = Counter(
            "sunlight_warnings_raised_total",
            "warnings.raised events sent, by rule and level",
            ["service", "rule", "level"],
            registry=self.registry,
        )
        self.service = service

    def count_published(self, rows: list[tuple[str, bytes, str]]) -> None:
        """Called by the outbox relay with the (type, body, id) of the events the bus took."""
        for event_type, body, _ in rows:
            self.published.labels(self.service, event_type).inc()
            if event_type.startswith("warnings.raised."):
                try:
                    data = json.loads(body)["data"]
                    self.warnings.labels(self.service, data["rule_id"], data["level"]).inc()
                except (ValueError, KeyError, TypeError):
                    continue

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): request id in and out, one access line, metrics."""

    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, quiet_paths: tuple[str, ...] = ("/healthz", "/readyz", "/metrics")
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.quiet = quiet_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(self.metrics.service, method, route, str(status)).inc()
            self.metrics.duration.labels(self.metrics.service, method, route).observe(elapsed)
            if scope["path"] not in self.quiet:
                principal = scope.get("state", {}).get("principal")
                access_log.info(
                    "request",
                    extra={
                        "fields": {
                            "request_id": request_id,
                            "client_id": getattr(principal, "client_id", "-"),
                            "method": method,
                            "route": route,
                            "status": status,
                            "ms": round(elapsed * 1000, 2),
                        }
                    },
                )
