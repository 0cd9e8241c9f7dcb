"""Settings shared by every process (env prefix ``SUNLIGHT_``).

Each service subclasses :class:`ServiceSettings` with its own thresholds; settings are
built in ``create_app`` (never at import) so tests build apps with their own values.
"""

from __future__ import annotations

import base64
from functools import cached_property
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sunlight.crypto import FieldCipher, KeyedHasher

DEV_ENVIRONMENTS = frozenset({"dev", "test"})


class CommonSettings(BaseSettings):
    """What every Sunlight process reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="SUNLIGHT_", env_file=None, extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    log_level: str = "INFO"
    log_json: bool = False

    # storage and bus
    database_url: str = ""
    bus: Literal["sqlite", "nats"] = "sqlite"
    bus_path: Path = Path("var/bus.sqlite3")
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "SUNLIGHT"
    nats_subject_prefix: str = "sunlight"
    bus_max_deliver: int = 8
    relay_poll_seconds: float = 1.0

    # tokens (RFC 9068 access tokens signed by the gateway)
    jwt_issuer: str = "https://sunlight.example/gateway"
    jwt_audience: str = "https://sunlight.example/api"
    jwt_algorithms: tuple[str, ...] = ("ES256",)
    jwt_leeway_seconds: int = 30
    jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    jwks_json: str = ""  # a static JWKS document instead of jwks_url (offline tests, air-gapped sites)

    # personal data: "kid:base64key,kid2:base64key" (first is current) and the keyed-hash key
    encryption_keys: SecretStr = SecretStr("")
    hash_key: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _refuse_missing_secrets_in_production(self) -> CommonSettings:
        if self.environment not in DEV_ENVIRONMENTS:
            missing = [
                name
                for name, value in (("encryption_keys", self.encryption_keys), ("hash_key", self.hash_key))
                if not value.get_secret_value()
            ]
            if missing:
                raise ValueError(f"SUNLIGHT_{missing[0].upper()} must be set outside dev/test")
        return self

    @cached_property
    def cipher(self) -> FieldCipher:
        raw = self.encryption_keys.get_secret_value()
        if not raw:
            # dev/test without keys: a fixed development key, refused in production above
            raw = "dev:" + base64.b64encode(b"sunlight-development-key-32byte!").decode()
        return FieldCipher.from_setting(raw)

    @cached_property
    def hasher(self) -> KeyedHasher:
        raw = self.hash_key.get_secret_value() or "sunlight-development-hash-key"
        return KeyedHasher(raw.encode())


class ServiceSettings(CommonSettings):
    """Settings of one domain service; subclasses add their rule thresholds."""

    service_name: ClassVar[str] = "service"
    host: str = "127.0.0.1"
    port: int = 8100
    idempotency_prune_seconds: float = Field(default=3600.0, gt=0)  # how often keys past their 24 h are forgotten

    def effective_database_url(self) -> str:
        """The configured URL, or the service's own SQLite file under ./var."""
        return self.database_url or f"sqlite+aiosqlite:///var/{self.service_name}.db"
