"""The common shape of every domain service's FastAPI app.

``create_service_app`` wires what all five services share — settings, database, bus,
token verifier, outbox relay, consumers, problem+json handlers, the refusal of control
characters (``sunlight.inputs``), request ids, metrics, health and readiness,
``GET /v1/<service>/rules`` and the dead-letter view — so a service's own ``app.py`` only
lists its routers, handlers and rules.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from sunlight import contract, idempotency
from sunlight.auth import Principal, RemoteJWKS, StaticJWKS, TokenVerifier, authenticate
from sunlight.db import Database, dead_letter_table, inbox_table, outbox_table
from sunlight.deps import PageDep
from sunlight.docs import add_swagger_ui
from sunlight.errors import (
    NotReady,
    install_problem_handlers,
    problem_response,
)
from sunlight.events.bus import Bus, BusMisconfigured, bus_from_settings, durable_name
from sunlight.events.consumer import Dispatcher, Handlers, start_consumers
from sunlight.events.outbox import OutboxRelay
from sunlight.inputs import InputGuard
from sunlight.migrations import ensure_migrated
from sunlight.observability import Metrics, RequestContextMiddleware, configure_logging
from sunlight.pagination import Page, keyset, make_page
from sunlight.settings import ServiceSettings
from sunlight.warnings import RuleOut, RuleRegistry

log = logging.getLogger("sunlight.app")

Startup = Callable[[FastAPI], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """A periodic task of a service (time-based rules, overdue escalations).

    ``run(app)`` is called every ``every_seconds`` while the service runs, first after one
    interval; it opens its own session and commits once. Across replicas it runs once per period:
    the replica that first claims the period (:func:`claim_period`) runs it, the others skip it.
    Keep its effects idempotent all the same (a claimed run that fails is not retried until the next period).
    """

    name: str
    every_seconds: float
    run: Callable[[FastAPI], Awaitable[None]]


JOB_CLAIMS_KEPT = timedelta(days=7)


async def claim_period(db: Database, name: str, every_seconds: float, now: datetime | None = None) -> bool:
    """True for exactly one caller per job and period across every replica sharing the database.

    The claim is a row in the inbox (the table that already makes each event applied once): consumer
    ``job:<name>``, id the period's number since the epoch; the primary key lets one insert win.
    """
    moment = now or datetime.now(UTC)
    period = int(moment.timestamp() // every_seconds)
    try:
        async with db.sessions() as session, session.begin():
            await session.execute(
                insert(inbox_table).values(consumer=f"job:{name}"[:100], event_id=str(period), processed_at=moment)
            )
    except IntegrityError:
        return False
    return True


async def prune_idempotency_keys(app: FastAPI) -> None:
    """Forget Idempotency-Keys past their 24 h (the promise published in the README), and old job claims."""
    async with app.state.db.sessions() as session, session.begin():
        await idempotency.prune(session)
        await session.execute(
            delete(inbox_table).where(
                inbox_table.c.consumer.startswith("job:"),
                inbox_table.c.processed_at < datetime.now(UTC) - JOB_CLAIMS_KEPT,
            )
        )


PRUNE_KEYS = "prune idempotency keys"


async def _run_job(app: FastAPI, job: Job, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=job.every_seconds)
        if stop.is_set():
            return
        try:
            if not await claim_period(app.state.db, job.name, job.every_seconds):
                continue  # another replica runs this period
            await job.run(app)
        except Exception:
            log.exception("job %s failed; it runs again in %s s", job.name, job.every_seconds)


class DeadLetterOut(BaseModel):
    id: int
    consumer: str
    event_id: str
    type: str
    error: str
    deliveries: int
    created_at: str


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}
    warnings: list[str] = []


CALENDAR_WARN_DAYS = 60  # /readyz warns this long before the loaded working-day schedules end


def calendar_warnings(settings: ServiceSettings, now: datetime | None = None) -> list[str]:
    """What an operator must do about the working-day calendar: load today's year when it is missing, or
    next year's when the loaded years end within ``CALENDAR_WARN_DAYS`` (the State Council publishes it
    each November or December). A warning, not a readiness failure: a service whose deadlines cannot
    run past the calendar still serves everything else, and taking every replica out of the load
    balancer over a missing file would turn one refused deadline into an outage."""
    today = (now or datetime.now(UTC)).astimezone(settings.zone).date()
    until = settings.calendar.covered_until(today)
    if until is None:
        return [f"no working-day schedule for {today.year}: deadlines are refused; set SUNLIGHT_CALENDAR_FILE"]
    if (until - today).days < CALENDAR_WARN_DAYS:
        return [
            f"the working-day calendar ends on {until}: deadlines after it are refused until next year's "
            "schedule is loaded (SUNLIGHT_CALENDAR_FILE)"
        ]
    return []


async def refresh_operational_metrics(
    metrics: Metrics, db: Database, settings: ServiceSettings, bus: Bus | None = None, dispatcher: Any = None
) -> None:
    """The outbox backlog, the consumers' lag, the dead letters and the calendar's end, read at scrape time (a
    failed read leaves the last values; the outage itself shows on /readyz)."""
    if bus is not None and dispatcher is not None:
        for event_type in dispatcher.handlers.types:
            try:
                pending = await bus.pending(durable_name(dispatcher.consumer, event_type), event_type)
            except Exception:
                log.warning("metrics: the bus could not be read")
                break
            if pending is not None:
                metrics.consumer_pending.labels(metrics.service, event_type).set(pending)
    now = datetime.now(UTC)
    try:
        async with db.readers() as session:
            pending, oldest = (
                await session.execute(
                    select(func.count(), func.min(outbox_table.c.created_at)).where(outbox_table.c.sent_at.is_(None))
                )
            ).one()
            dead = (await session.execute(select(func.count()).select_from(dead_letter_table))).scalar_one()
    except Exception:
        log.warning("metrics: the database could not be read")
    else:
        metrics.outbox_pending.labels(metrics.service).set(pending)
        metrics.outbox_oldest.labels(metrics.service).set((now - oldest).total_seconds() if oldest else 0)
        metrics.dead_letters.labels(metrics.service).set(dead)
    today = now.astimezone(settings.zone).date()
    until = settings.calendar.covered_until(today)
    metrics.calendar_days_left.labels(metrics.service).set((until - today).days if until else -1)


def build_verifier(settings: ServiceSettings, http: httpx.AsyncClient) -> TokenVerifier:
    jwks = (
        StaticJWKS(settings.jwks_json)
        if settings.jwks_json
        else RemoteJWKS(
            settings.effective_jwks_url(),
            http,
            ttl=settings.jwks_cache_seconds,
            cooldown=min(10.0, settings.jwks_cache_seconds),
        )
    )
    return TokenVerifier(
        jwks,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
        leeway=settings.jwt_leeway_seconds,
        hasher=settings.hasher,
    )


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    handlers: Handlers,
    rules: RuleRegistry,
    migrations: Path,
    version: str = "0.1.0",
    on_startup: Sequence[Startup] = (),
    jobs: Sequence[Job] = (),
) -> FastAPI:
    service = settings.service_name
    prune = Job(PRUNE_KEYS, settings.idempotency_prune_seconds, prune_idempotency_keys)
    configure_logging(settings.log_level, json_lines=settings.log_json)
    metrics = Metrics(service)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.effective_database_url()
        await ensure_migrated(migrations, url, service)
        db = Database(url)
        http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        bus: Bus = bus_from_settings(settings, client_name=service)
        await bus.connect()
        stop = asyncio.Event()
        relay = OutboxRelay(db, bus, poll_seconds=settings.relay_poll_seconds, on_published=metrics.count_published)
        dispatcher = Dispatcher(
            db, handlers, consumer=service, max_deliver=settings.bus_max_deliver, context={"settings": settings}
        )
        app.state.settings = settings
        app.state.db = db
        app.state.bus = bus
        app.state.relay = relay
        app.state.http = http
        app.state.verifier = build_verifier(settings, http)
        app.state.dispatcher = dispatcher
        for hook in on_startup:
            await hook(app)
        tasks = [
            asyncio.create_task(relay.run(stop), name="outbox relay"),
            *start_consumers(bus, dispatcher, stop),
            *(asyncio.create_task(_run_job(app, job, stop), name=f"job {job.name}") for job in (prune, *jobs)),
        ]
        app.state.tasks = tasks
        try:
            yield
        finally:
            stop.set()
            _done, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await bus.close()
            await http.aclose()
            await db.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    if settings.environment != "production":
        add_swagger_ui(app, title=f"{title} — Swagger UI")
    install_problem_handlers(app)

    idempotency.install_replay_handler(app)
    app.add_middleware(InputGuard)  # control characters refused (422) before any route runs
    app.add_middleware(RequestContextMiddleware, metrics=metrics)

    read_scope, admin_scope = f"{service}:read", f"{service}:admin"

    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get("/readyz", tags=["operations"], include_in_schema=False)
    async def readyz(request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await request.app.state.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = type(exc).__name__
        try:
            await request.app.state.bus.ping()
            checks["bus"] = "ok"
        except BusMisconfigured as exc:  # what clashes and which setting resolves it (no secret in it)
            checks["bus"] = f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            checks["bus"] = type(exc).__name__
        if all(v == "ok" for v in checks.values()):
            return JSONResponse(
                Health(status="ready", checks=checks, warnings=calendar_warnings(settings)).model_dump()
            )
        return problem_response(NotReady("a dependency is not ready", checks=checks), "/readyz")

    @app.get("/metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        state = request.app.state
        await refresh_operational_metrics(metrics, state.db, settings, state.bus, state.dispatcher)
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    common = APIRouter(prefix=f"/v1/{service}", tags=["catalogue"])

    @common.get(
        "/rules",
        operation_id=f"list{service.capitalize()}Rules",
        summary="The warning rules of this service, with their current thresholds",
    )
    async def list_rules(
        _who: Annotated[Principal, Security(authenticate, scopes=[read_scope])],
    ) -> Page[RuleOut]:
        """Every rule in one page (the registry is bounded; ``next_cursor`` is always null)."""
        return Page[RuleOut](items=rules.catalogue(settings))

    @common.get(
        "/dead-letters",
        operation_id=f"list{service.capitalize()}DeadLetters",
        tags=["operations"],
        summary="Events this service could not apply",
    )
    async def list_dead_letters(
        request: Request,
        _who: Annotated[Principal, Security(authenticate, scopes=[admin_scope])],
        page: PageDep,
    ) -> Page[DeadLetterOut]:
        """Newest first, paged on the dead letter's id (rows are never changed, so pages never skip or repeat)."""
        async with request.app.state.db.readers() as session:
            rows = (await session.execute(keyset(select(dead_letter_table), page, dead_letter_table.c.id))).all()
        return make_page(
            rows,
            page,
            lambda r: [r.id],
            lambda r: DeadLetterOut(
                id=r.id,
                consumer=r.consumer,
                event_id=r.event_id,
                type=r.type,
                error=r.error,
                deliveries=r.deliveries,
                created_at=r.created_at.isoformat(),
            ),
        )

    app.include_router(common)
    for router in routers:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema = contract.finish(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
