"""Who is calling: API keys (as SHA-256 digests, compared in constant time) and per-client rate limits.

Failed key checks (a missing or wrong key) are counted per client address: past
``auth_failures_per_minute`` (a token bucket, shared by every server process like the request
limit, :mod:`api.ratelimit`) every request of that address that needs a key is answered 429 with
Retry-After, without checking the key, until the bucket refills. So guessing keys is throttled,
and the answer during the lockout says nothing about the key guessed.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from .problems import ProblemError
from .ratelimit import STATE_KEY, Allowance, SharedRateLimiter

__all__ = ["ANONYMOUS", "current_client", "enforce_rate_limit"]

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
    throttle: SharedRateLimiter | None = getattr(request.app.state, "auth_throttle", None)
    address = _address(request)
    if throttle is not None and not (now := throttle.peek(address)).allowed:
        raise _too_many_failures(now)
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


def _too_many_failures(allowance: Allowance) -> ProblemError:
    seconds = allowance.retry_after_seconds
    return ProblemError(
        429,
        "too_many_auth_failures",
        "Too many failed API key checks",
        f"more than {allowance.limit} requests with a missing or invalid API key came from this address "
        f"within a minute; retry in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


async def enforce_rate_limit(request: Request) -> None:
    """Dependency of every /v1 endpoint: 401 without a valid key (when keys are configured), 429 over the limit.

    The limit is shared by every server process (:mod:`api.ratelimit`); what the request took is
    kept for the RateLimit headers of its answer. ``async`` although it never awaits: FastAPI would
    run a plain ``def`` dependency in a thread.
    """
    client = current_client(request)
    limiter: SharedRateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    who = client if client != ANONYMOUS else _address(request)
    allowance = limiter.take(who)
    setattr(request.state, STATE_KEY, allowance)
    if not allowance.allowed:
        seconds = allowance.retry_after_seconds
        raise ProblemError(
            429,
            "rate_limited",
            "Too many requests",
            f"over the limit of {allowance.limit} requests per minute; retry in {seconds} s",
            headers={"Retry-After": str(seconds), **allowance.headers()},
        )
