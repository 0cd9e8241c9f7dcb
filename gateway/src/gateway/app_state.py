"""What the gateway's lifespan builds and its routes and proxy share."""

from __future__ import annotations

from dataclasses import dataclass

from sunlight.auth import TokenVerifier
from sunlight.db import Database

from gateway.keys import KeyStore
from gateway.proxy import Proxy
from gateway.ratelimit import RateLimits
from gateway.settings import GatewaySettings
from gateway.tokens import TokenIssuer


@dataclass
class GatewayState:
    settings: GatewaySettings
    db: Database
    keys: KeyStore
    issuer: TokenIssuer
    verifier: TokenVerifier
    limits: RateLimits
    proxy: Proxy
