"""Per-client rate limits (the ``limits`` library; memory for one replica, Redis for several).

Authenticated calls are counted per principal, anonymous ones per client IP. The token endpoint
has its own limits — per address and per account (client id or username), so neither spraying
many usernames from one address nor guessing one account from many addresses escapes them — and
an exponential back-off on failed guesses: after the n-th failure in a row, that person's account
and that address wait ``base × 2^(n-1)`` seconds (capped) before the next guess is even checked (each
guess costs an Argon2 hash). Client ids get the per-account limit but no back-off: their secrets
cannot be guessed, and a back-off would let anyone lock a bureau system out. A success resets the
account's back-off; the address's ends after a quiet period, since an attacker holding one account
could otherwise reset it between guesses.
A refusal is 429 problem+json with ``Retry-After`` and the draft ``RateLimit-Policy`` / ``RateLimit``
headers.
"""

from __future__ import annotations

import inspect
import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits import strategies as sync_strategies
from limits.aio import strategies as async_strategies
from limits.storage import storage_from_string
from sunlight.crypto import KeyedHasher
from sunlight.errors import RateLimited


class RateLimits:
    """Sliding-window-counter limits. In memory (one replica) the synchronous strategy is used — it
    costs a few microseconds, where the async one cost ~7 % of the proxy's time in a profile;
    with Redis (several replicas share the counts) the async strategy."""

    def __init__(
        self,
        storage_uri: str,
        *,
        per_client: str,
        anonymous: str,
        token: str,
        public_write: str = "20/minute",
        address_hasher: KeyedHasher | None = None,
        token_account: str = "10/minute",  # noqa: S107 - a rate, not a secret
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        backoff_memory: float = 3600.0,
    ) -> None:
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
        self.public_write = parse(public_write)
        self.address_hasher = address_hasher
        self.token = parse(token)
        self.token_account = parse(token_account)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.backoff_memory = backoff_memory  # failures are forgotten this long after the first

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

    async def anonymous_ip(self, ip: str, *, write: bool = False) -> None:
        """An unauthenticated call on a public route, counted per address — as a keyed hash, so the limiter's
        storage (memory or Redis) never holds a reporter's address; writes have their own, lower limit."""
        key = self.address_hasher.hash(ip, purpose="ratelimit.address")[:32] if self.address_hasher else ip
        await self.check(self.anonymous, "ip", key)
        if write:
            await self.check(self.public_write, "public-write", key)

    async def token_endpoint(self, address: str, account: str | None, guessable: str | None = None) -> None:
        """Before a token request is looked at: the rate limits (per address, per account), then any
        back-off still running for the address or the ``guessable`` account (a person's)."""
        await self.check(self.token, "token-ip", address)
        if account:
            await self.check(self.token_account, "token-account", account)
        for key in self._backoff_keys(address, guessable):
            await self._refuse_while_backing_off(key)

    async def token_failed(self, address: str, account: str | None) -> None:
        """A wrong secret or password: the account's and the address's next wait doubles."""
        for key in self._backoff_keys(address, account):
            failures = int(await self._storage("incr", f"fails/{key}", self.backoff_memory))
            await self._storage("clear", f"block/{key}")
            wait = self._wait(failures)
            await self._storage("incr", f"block/{key}", wait if self.local else math.ceil(wait), failures)

    async def token_succeeded(self, account: str | None) -> None:
        if account:
            key = f"account/{account}"
            await self._storage("clear", f"fails/{key}")
            await self._storage("clear", f"block/{key}")

    @staticmethod
    def _backoff_keys(address: str, account: str | None) -> list[str]:
        return [f"ip/{address}", *([f"account/{account}"] if account else [])]

    def _wait(self, failures: int) -> float:
        return float(min(self.backoff_base * 2 ** min(failures - 1, 30), self.backoff_max))

    async def _refuse_while_backing_off(self, key: str) -> None:
        failures = int(await self._storage("get", f"block/{key}"))
        if failures <= 0:
            return
        until = float(await self._storage("get_expiry", f"block/{key}"))
        retry = max(1, math.ceil(until - time.time()))
        wait = self._wait(failures)
        what = "account" if key.startswith("account/") else "address"
        problem = RateLimited(
            f"{failures} failed sign-in attempt(s) for this {what}: wait {retry} s before trying again",
            retry_after=retry,
            backoff_seconds=wait,
        )
        problem.headers["Retry-After"] = str(retry)
        raise problem

    async def _storage(self, method: str, *args: Any) -> Any:
        result = getattr(self.storage, method)(*args)
        return await result if inspect.isawaitable(result) else result
