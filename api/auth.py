"""Who is calling: API keys (as SHA-256 digests, compared in constant time) and per-client rate limits.

Failed key checks (a missing or wrong key) are counted per client address: past
``auth_failures_per_minute`` (a token bucket) every request of that address that needs a key is
answered 429 with Retry-After, without checking the key, until the bucket refills. So guessing
keys is throttled, and the answer during the lockout says nothing about the key guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from .problems import ProblemError

__all__ = ["ANONYMOUS", "RateLimiter", "current_client", "enforce_rate_limit"]

ANONYMOUS = "anonymous"
_MAX_KEY_LENGTH = 512


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, "unauthorized", "Missing or invalid API key", detail, headers={"WWW-Authenticate": "Bearer"})


def current_client(request: Request) -> str:
    """The caller's stable owner id: its key's SHA-256 digest, or "anonymous" when no keys are configured."""
    cached = getattr(request.state, "client_id", None)
    if isinstance(cached, str):
        return cached
    digests: frozenset[str] = getattr(request.app.state, "key_digests", frozenset())
    if not digests:
        request.state.client_id = ANONYMOUS
        return ANONYMOUS
    throttle: RateLimiter | None = getattr(request.app.state, "auth_throttle", None)
    address = _address(request)
    if throttle is not None and (wait := throttle.wait(address)) > 0:
        raise _too_many_failures(throttle, wait)
    key = _presented_key(request)
    digest = hashlib.sha256(key[:_MAX_KEY_LENGTH].encode("utf-8", "surrogatepass")).hexdigest() if key else ""
    # Compare against every digest so the time taken does not reveal which (if any) matched.
    matched = False
    for known in digests:
        matched |= hmac.compare_digest(digest, known)
    if not matched:
        if throttle is not None:
            throttle.take(address)
        if key is None:
            raise _unauthorized("this endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
        raise _unauthorized("the API key is not valid")
    request.state.client_id = digest
    return digest


def _address(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


def _too_many_failures(throttle: RateLimiter, wait: float) -> ProblemError:
    seconds = max(1, math.ceil(wait))
    return ProblemError(
        429,
        "too_many_auth_failures",
        "Too many failed API key checks",
        f"more than {int(throttle.capacity)} requests with a missing or invalid API key came from this address "
        f"within a minute; retry in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, bursts up to ``per_minute``."""

    _MAX_CLIENTS = 100_000

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token; return 0 if allowed, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= self._MAX_CLIENTS:
                    self._prune(now)
                bucket = self._buckets[client] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.refill_per_second

    def wait(self, client: str) -> float:
        """Seconds until ``client`` has a token again (0 if it has one now); takes nothing."""
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                return 0.0
            tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.refill_per_second

    def _prune(self, now: float) -> None:
        full = [c for c, b in self._buckets.items() if b.tokens + (now - b.updated) * self.refill_per_second >= self.capacity]
        for client in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[client]


async def enforce_rate_limit(request: Request) -> None:
    """Dependency of every /v1 endpoint: 401 without a valid key (when keys are configured), 429 over the limit.

    ``async`` although it never awaits: FastAPI would run a plain ``def`` dependency in a thread.
    """
    client = current_client(request)
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    who = client if client != ANONYMOUS else _address(request)
    wait = limiter.take(who)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ProblemError(
            429,
            "rate_limited",
            "Too many requests",
            f"over the limit of {int(limiter.capacity)} requests per minute; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
