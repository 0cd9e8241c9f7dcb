"""Gateway settings (env prefix ``SUNLIGHT_``)."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from sunlight.scopes import SERVICES
from sunlight.settings import CommonSettings

from gateway.clientip import TrustedProxies

__all__ = ["SERVICES", "GatewaySettings"]


class GatewaySettings(CommonSettings):
    # gateway_host, gateway_port: in CommonSettings (the services derive the JWKS URL from them)
    public_url: str = ""  # how clients reach the gateway (for docs); default http://host:port

    # the services behind the gateway
    funds_url: str = "http://127.0.0.1:8101"
    tenders_url: str = "http://127.0.0.1:8102"
    approvals_url: str = "http://127.0.0.1:8103"
    complaints_url: str = "http://127.0.0.1:8104"
    integrity_url: str = "http://127.0.0.1:8105"

    # tokens
    access_token_seconds: int = 900
    refresh_token_seconds: int = 8 * 3600  # a refresh token unused this long expires (idle limit)
    # a sign-in lasts at most this long however often it is refreshed, then the person signs in again:
    # one working day (OWASP ASVS 4.0.3 V3.3.2, level 2: re-authenticate at least every 12 hours)
    refresh_session_max_seconds: int = 12 * 3600
    public_client_id: str = "sunlight-web"  # the frontend's and Swagger UI's public client (created at start)
    key_cache_seconds: float = 30.0  # how often a replica re-reads the current signing key

    # first admin client (make run generates these when unset)
    bootstrap_client_id: str = ""
    bootstrap_client_secret: SecretStr = SecretStr("")

    # rate limits (https://limits.readthedocs.io notation), per client id; per IP when anonymous
    rate_limit: str = "1200/minute"
    rate_limit_anonymous: str = "120/minute"
    # writes on public routes (filing a report, following one up with its receipt) per address, on top of
    # rate_limit_anonymous: bounds abuse of the filing form and receipt guessing
    rate_limit_public_write: str = "20/minute"
    rate_limit_token: str = "30/minute"  # noqa: S105 - a rate, not a secret; token requests per address
    rate_limit_token_account: str = "10/minute"  # noqa: S105 - token requests per client id or username
    token_backoff_base_seconds: float = 1.0  # wait after a failed guess, doubled by each further failure
    token_backoff_max_seconds: float = 300.0  # the longest wait (also a cap on locking someone out)
    rate_limit_storage: str = "memory://"  # redis://127.0.0.1:6379/0 for several replicas
    # proxies (ingress, load balancer) whose X-Forwarded-For is believed: addresses or CIDRs, comma-separated;
    # empty = the TCP peer is the caller
    trusted_proxies: str = ""

    # browsers: origins allowed to call the API (the frontend), comma-separated; empty = none
    cors_origins: str = ""

    # proxy
    proxy_connect_timeout: float = 2.0
    proxy_read_timeout: float = 30.0  # the service's answer: no byte for this long is a 504 (or an abort mid-answer)
    proxy_body_timeout: float = 30.0  # the client's request body: no byte for this long is a 408
    proxy_pool_size: int = 256
    max_body_bytes: int = 20 * 1024 * 1024

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        TrustedProxies.parse(value)  # a typo fails at start, not silently on every request
        return value

    def upstreams(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}

    def effective_database_url(self) -> str:
        return self.database_url_for("gateway")

    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.gateway_host}:{self.gateway_port}"
