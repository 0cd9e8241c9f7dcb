"""Per-client rate limits (the ``limits`` library; memory for one replica, Redis for several).

Authenticated calls are counted per client id, anonymous ones per client IP; the token
endpoint has its own, stricter limit. A refusal is 429 problem+json with ``Retry-After``
and the draft ``RateLimit-Policy`` / ``RateLimit`` headers.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string
from sunlight.errors import RateLimited


class RateLimits:
    def __init__(self, storage_uri: str, *, per_client: str, anonymous: str, token: str) -> None:
        uri = storage_uri if storage_uri.startswith("async+") or storage_uri == "memory://" else f"async+{storage_uri}"
        if uri == "memory://":
            uri = "async+memory://"
        self.storage = storage_from_string(uri)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)  # type: ignore[arg-type]
        self.per_client = parse(per_client)
        self.anonymous = parse(anonymous)
        self.token = parse(token)

    async def check(self, item: RateLimitItem, *key: str) -> None:
        if await self.limiter.hit(item, *key):
            return
        stats = await self.limiter.get_window_stats(item, *key)
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
