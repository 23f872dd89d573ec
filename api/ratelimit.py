"""Rate limits that hold across server processes: token buckets in one SQLite file in the data directory.

Every server process (``corridor serve --workers N``) opens the same ``ratelimit.sqlite3`` (WAL), so
a client has one allowance whatever process answers it. Taking a token is one ``INSERT ... ON
CONFLICT DO UPDATE ... RETURNING`` statement: atomic across processes, about as cheap as a
dictionary behind a lock plus a page write (no fsync: losing the buckets in a crash only forgets
who spent what in the last minute).

A bucket holds ``per_minute`` tokens and refills at ``per_minute / 60`` a second. A bucket that
has refilled completely is the same as no bucket, so rows untouched for longer than a refill are
deleted now and then, and the table never holds more than ``max_clients`` rows.

:class:`RateLimitHeaders` writes the IETF draft headers (``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset``) on every answer to a rate-limited request, from what the request took.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["STATE_KEY", "Allowance", "RateLimitHeaders", "SharedRateLimiter"]

STATE_KEY = "rate_limit"
"""Where a request's :class:`Allowance` is kept in its scope's state, for :class:`RateLimitHeaders`."""

_PRUNE_EVERY_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Allowance:
    """What one request took from its client's bucket.

    ``remaining`` whole tokens are left; ``reset_seconds`` until the bucket is full again;
    ``retry_after_seconds`` until the next token, when ``allowed`` is false.
    """

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    def headers(self) -> dict[str, str]:
        """The IETF draft RateLimit header fields."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class SharedRateLimiter:
    """Token buckets named ``scope`` (one per purpose) in the SQLite file at ``path``, shared by every process.

    ``per_minute`` requests a minute per client, in bursts of up to ``per_minute``.
    """

    def __init__(self, path: Path, per_minute: int, *, scope: str = "requests", max_clients: int = 100_000) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.path = path
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.scope = scope
        self.max_clients = max_clients
        self._lock = threading.Lock()
        self._pruned = time.monotonic()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS buckets (scope TEXT NOT NULL, client TEXT NOT NULL, tokens REAL NOT NULL, "
            "updated REAL NOT NULL, took INTEGER NOT NULL, PRIMARY KEY (scope, client)) WITHOUT ROWID"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS buckets_updated ON buckets (updated)")

    # The bucket refilled to now, in SQL (``excluded`` is the row the INSERT would have written).
    _REFILLED = "min(:capacity, tokens + max(0.0, :now - updated) * :rate)"
    _TAKE = (
        "INSERT INTO buckets (scope, client, tokens, updated, took) VALUES (:scope, :client, :capacity - 1, :now, 1) "
        "ON CONFLICT (scope, client) DO UPDATE SET "
        f"tokens = {_REFILLED} - ({_REFILLED} >= 1), took = ({_REFILLED} >= 1), updated = :now "
        "RETURNING tokens, took"
    )

    def take(self, client: str) -> Allowance:
        """Take a token for ``client`` (if there is one) and say what is left."""
        now = time.time()
        params = {"scope": self.scope, "client": client, "capacity": self.capacity, "now": now, "rate": self.refill_per_second}
        with self._lock:
            tokens, took = self._db.execute(self._TAKE, params).fetchone()
            if time.monotonic() - self._pruned > _PRUNE_EVERY_SECONDS:
                self._prune(now)
        return self._allowance(bool(took), tokens)

    def peek(self, client: str) -> Allowance:
        """What ``client`` has now, taking nothing."""
        now = time.time()
        params = {"scope": self.scope, "client": client, "capacity": self.capacity, "now": now, "rate": self.refill_per_second}
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._REFILLED} FROM buckets WHERE scope = :scope AND client = :client", params
            ).fetchone()
        tokens = self.capacity if row is None else float(row[0])
        return self._allowance(tokens >= 1.0, tokens)

    def _allowance(self, allowed: bool, tokens: float) -> Allowance:
        rate = self.refill_per_second
        return Allowance(
            allowed=allowed,
            limit=int(self.capacity),
            remaining=max(0, math.floor(tokens)),
            reset_seconds=max(0, math.ceil((self.capacity - tokens) / rate)),
            retry_after_seconds=0 if allowed else max(1, math.ceil((1.0 - tokens) / rate)),
        )

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely; past ``max_clients`` rows, the least recently used."""
        self._pruned = time.monotonic()
        full_after = self.capacity / self.refill_per_second
        self._db.execute("DELETE FROM buckets WHERE updated < ?", (now - full_after,))
        (count,) = self._db.execute("SELECT COUNT(*) FROM buckets").fetchone()
        if count > self.max_clients:
            self._db.execute(
                "DELETE FROM buckets WHERE (scope, client) IN (SELECT scope, client FROM buckets ORDER BY updated LIMIT ?)",
                (count - self.max_clients,),
            )

    def rows(self) -> int:
        """How many buckets the file holds now (every scope)."""
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM buckets").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RateLimitHeaders:
    """Pure-ASGI middleware: the answer to a request that took from a rate limit carries the RateLimit headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                allowance = scope.get("state", {}).get(STATE_KEY)
                if isinstance(allowance, Allowance):
                    headers = list(message.get("headers", []))
                    present = {name.lower() for name, _ in headers}
                    for name, value in allowance.headers().items():
                        if name.lower().encode() not in present:
                            headers.append((name.lower().encode(), value.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
