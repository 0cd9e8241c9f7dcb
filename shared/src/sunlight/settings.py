"""Settings shared by every process (env prefix ``SUNLIGHT_``).

Each service subclasses :class:`ServiceSettings` with its own thresholds; settings are
built in ``create_app`` (never at import) so tests build apps with their own values.
"""

from __future__ import annotations

import base64
import os
from functools import cached_property
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sunlight.crypto import FieldCipher, KeyedHasher
from sunlight.workdays import WorkdayCalendar

DEV_ENVIRONMENTS = frozenset({"dev", "test"})


class CommonSettings(BaseSettings):
    """What every Sunlight process reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="SUNLIGHT_", env_file=None, extra="ignore")

    # unset means production: only an explicit ``dev`` (or ``test``) runs with the well-known development keys
    environment: Literal["dev", "test", "production"] = "production"
    log_level: str = "INFO"
    log_json: bool = False

    # storage and bus: SUNLIGHT_<NAME>_DATABASE_URL names one process's database; SUNLIGHT_DATABASE_URL may name
    # them all at once with a {service} placeholder (postgresql+asyncpg://u@db/sunlight_{service}); see database_url_for
    database_url: str = ""
    bus: Literal["sqlite", "nats"] = "sqlite"
    bus_path: Path = Path("var/bus.sqlite3")
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "SUNLIGHT"
    nats_subject_prefix: str = "sunlight"
    bus_max_deliver: int = 8
    relay_poll_seconds: float = 1.0

    # where the gateway listens (services derive the JWKS URL from it)
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000

    # tokens (RFC 9068 access tokens signed by the gateway)
    jwt_issuer: str = "https://sunlight.example/gateway"
    jwt_audience: str = "https://sunlight.example/api"
    jwt_algorithms: tuple[str, ...] = ("ES256",)
    jwt_leeway_seconds: int = 30
    jwks_url: str = ""  # default: the gateway's, http://<gateway_host>:<gateway_port>/.well-known/jwks.json
    jwks_cache_seconds: float = 300.0  # a key withdrawn from the JWKS stops verifying within this
    jwks_json: str = ""  # a static JWKS document instead of jwks_url (offline tests, air-gapped sites)

    # personal data: "kid:base64key,kid2:base64key" (first is current) and the keyed-hash key
    encryption_keys: SecretStr = SecretStr("")
    hash_key: SecretStr = SecretStr("")

    # time: the zone that says what "today" is (deadlines, monthly figures, time-based rules), and
    # the working-day calendar: the official one, plus the years and days of this file when set
    # (see sunlight.workdays for its format)
    timezone: str = "Asia/Shanghai"
    calendar_file: Path | None = None

    @model_validator(mode="after")
    def _refuse_missing_secrets_in_production(self) -> CommonSettings:
        if self.environment not in DEV_ENVIRONMENTS:
            missing = [
                name
                for name, value in (("encryption_keys", self.encryption_keys), ("hash_key", self.hash_key))
                if not value.get_secret_value()
            ]
            if missing:
                raise ValueError(
                    f"SUNLIGHT_{' and SUNLIGHT_'.join(m.upper() for m in missing)} must be set "
                    f"(SUNLIGHT_ENVIRONMENT is {self.environment!r}). To develop with the well-known "
                    "development keys set SUNLIGHT_ENVIRONMENT=dev explicitly; `make run` generates "
                    "per-install keys into var/secrets.env"
                )
        return self

    def effective_jwks_url(self) -> str:
        """``SUNLIGHT_JWKS_URL``, or the gateway's own JWKS at ``SUNLIGHT_GATEWAY_HOST``:``SUNLIGHT_GATEWAY_PORT``."""
        if self.jwks_url:
            return self.jwks_url
        host = self.gateway_host if self.gateway_host not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.gateway_port}/.well-known/jwks.json"

    @cached_property
    def cipher(self) -> FieldCipher:
        raw = self.encryption_keys.get_secret_value()
        if not raw:
            # dev/test without keys: a fixed development key, refused in production above
            raw = "dev:" + base64.b64encode(b"sunlight-development-key-32byte!").decode()
        return FieldCipher.from_setting(raw)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        return WorkdayCalendar.configured(self.calendar_file)

    @cached_property
    def hasher(self) -> KeyedHasher:
        raw = self.hash_key.get_secret_value() or "sunlight-development-hash-key"
        return KeyedHasher(raw.encode())

    def database_url_for(self, name: str) -> str:
        """The database of process ``name``, named the same way by the Procfile, ``make migrate`` and the manifests.

        ``SUNLIGHT_<NAME>_DATABASE_URL`` when set; else ``SUNLIGHT_DATABASE_URL`` (the ``database_url`` setting) with
        ``{service}`` replaced by the name, so one variable gives every process its own database; else the
        process's SQLite file ``var/<name>.db``. A URL without the placeholder shared by several processes is
        refused by the migrations (each database belongs to one service).
        """
        own = os.environ.get(f"SUNLIGHT_{name.upper()}_DATABASE_URL", "")
        if own:
            return own
        if self.database_url:
            return self.database_url.replace("{service}", name)
        return f"sqlite+aiosqlite:///var/{name}.db"


class ServiceSettings(CommonSettings):
    """Settings of one domain service; subclasses add their rule thresholds."""

    service_name: ClassVar[str] = "service"
    host: str = "127.0.0.1"
    port: int = 8100
    idempotency_prune_seconds: float = Field(default=3600.0, gt=0)  # how often keys past their 24 h are forgotten

    def effective_database_url(self) -> str:
        """This service's database (:meth:`CommonSettings.database_url_for`)."""
        return self.database_url_for(self.service_name)
