"""Per-client rate limits (the ``limits`` library; memory for one replica, Redis for several).

Authenticated calls are counted per client id, anonymous ones per client IP; the token
endpoint has its own, stricter limit. A refusal is 429 problem+json with ``Retry-After``
and the draft ``RateLimit-Policy`` / ``RateLimit`` headers.
"""

from __future__ import annotations

import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits import strategies as sync_strategies
from limits.aio import strategies as async_strategies
from limits.storage import storage_from_string
from sunlight.errors import RateLimited


class RateLimits:
    """Sliding-window-counter limits. In memory (one replica) the synchronous strategy is used — it
    costs a few microseconds, where the async one cost ~7 % of the proxy's time in a profile;
    with Redis (several replicas share the counts) the async strategy."""

    def __init__(self, storage_uri: str, *, per_client: str, anonymous: str, token: str) -> None:
        self.local = storage_uri.startswith("memory://")
        if self.local:
            self.storage: Any = storage_from_string(storage_uri)
            self.limiter: Any = sync_strategies.SlidingWindowCounterRateLimiter(self.storage)
        else:
            uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
            self.storage = storage_from_string(uri)
            self.limiter = async_strategies.SlidingWindowCounterRateLimiter(self.storage)
        self.per_client = parse(per_client)
        self.anonymous = parse(anonymous)
        self.token = parse(token)

    async def check(self, item: RateLimitItem, *key: str) -> None:
        allowed = self.limiter.hit(item, *key) if self.local else await self.limiter.hit(item, *key)
        if allowed:
            return
        stats = self.limiter.get_window_stats(item, *key)
        if not self.local:
            stats = await stats
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        problem = RateLimited(f"limit {item} exceeded; retry in {retry} s", retry_after=retry)
        problem.headers.update(
            {
                "Retry-After": str(retry),
                "RateLimit-Policy": f'"default";q={item.amount};w={item.get_expiry()}',
                "RateLimit": f'"default";r=0;t={retry}',
            }
        )
        raise problem

    async def client(self, client_id: str) -> None:
        await self.check(self.per_client, "client", client_id)

    async def anonymous_ip(self, ip: str) -> None:
        await self.check(self.anonymous, "ip", ip)

    async def token_endpoint(self, key: str) -> None:
        await self.check(self.token, "token", key)
