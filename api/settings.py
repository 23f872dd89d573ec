"""Server settings, read from ``CORRIDOR_*`` environment variables in one place.

Endpoints receive them through ``Depends(get_settings)``; tests override that dependency or
pass ``Settings(...)`` to :func:`api.app.create_app`. The planner never sees settings.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
MIB = 1024 * 1024


def _default_concurrency() -> int:
    return 2 * (os.cpu_count() or 1)


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


class Settings(BaseSettings):
    """Everything the server can be configured with; each field is ``CORRIDOR_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CORRIDOR_", extra="ignore", frozen=True)

    network: Path | None = None
    """Network file to serve; None serves the bundled Eurasian network."""
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    api_keys: Annotated[tuple[str, ...], NoDecode] = ()
    """SHA-256 hex digests of the accepted API keys (comma-separated in the environment)."""
    api_keys_file: Path | None = None
    """A file with one SHA-256 hex digest per line; ``#`` starts a comment."""
    allow_public_without_keys: bool = False
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"
    access_log: bool = True
    compute_deadline_seconds: float = Field(5.0, gt=0, le=600)
    """Longest a computing request may take in all: waiting for a compute slot, a worker start, the computation."""
    max_concurrent_computations: int = Field(default_factory=_default_concurrency, ge=1, le=256)
    """Worker processes computing at once per server process (the expensive requests)."""
    compute_spare_workers: int = Field(1, ge=0, le=16)
    """Warm worker processes kept beyond those computing, so a worker killed at its deadline is replaced at once."""
    compute_queue_seconds: float = Field(1.0, gt=0, le=600)
    """Longest a request waits for a compute slot before 503 (with Retry-After)."""
    compute_queue_length: int = Field(256, ge=0, le=100_000)
    """Requests that may wait for a compute slot per server process; one more is answered 503 at once."""
    inline_max_k: int = Field(3, ge=0, le=20)
    """Cheap requests run in the server process: k up to this (0 sends every request to the workers)."""
    inline_max_places: int = Field(1_000, ge=0)
    """... and a network of at most this many places (larger networks compute in the workers)."""
    inline_budget_seconds: float = Field(0.02, gt=0, le=10)
    """A cheap request still searching after this long moves to a worker, so the server never stalls longer."""
    inline_mode: Literal["loop", "thread"] = "thread"
    """Cheap requests run in one compute thread beside the event loop, or on the event loop itself."""
    rate_limit_per_minute: int = Field(600, ge=0)
    """Requests per minute per client (API key, else IP address), across every server process; 0 disables the limit."""
    max_body_bytes: int = Field(MIB, ge=1)
    data_dir: Path = Path("./data")
    dask_scheduler: str | None = None
    batch_workers: int | None = Field(None, ge=1, le=256)
    """Local worker processes evaluating batch jobs; None: half the CPUs, at least one."""
    batch_max_rows: int = Field(1_000_000, ge=1)
    batch_max_upload_bytes: int = Field(64 * MIB, ge=1)
    batch_max_jobs_in_flight: int = Field(4, ge=1)
    batch_retention_days: float = Field(30.0, ge=0)
    """Finished batch jobs (and their results) older than this are deleted; 0 keeps them forever."""
    auth_failures_per_minute: int = Field(30, ge=0)
    """Failed API key checks allowed per client address a minute (bursts up to this); then 429. 0 disables."""
    header_timeout_seconds: float = Field(10.0, gt=0, le=3600)
    """Longest time to receive a request's headers, from the connection's start or the previous response."""
    keep_alive_timeout_seconds: int = Field(5, ge=1, le=3600)
    """An idle keep-alive connection is closed after this long."""
    body_idle_timeout_seconds: float = Field(15.0, gt=0, le=3600)
    """Longest wait for the next piece of a request body."""
    body_min_bytes_per_second: int = Field(4096, ge=0)
    """After ``body_idle_timeout_seconds``, a body arriving slower than this on average is cut (408)."""
    max_connections: int = Field(1000, ge=1)
    """Open connections per server process; one more is answered 503 (with Retry-After) and closed."""
    max_header_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    """Largest request line plus headers; larger is answered 431."""

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("api_keys")
    @classmethod
    def _digests(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        digests = tuple(v.strip().lower() for v in value)
        for i, digest in enumerate(digests, start=1):
            if not _DIGEST.match(digest):
                raise ValueError(f"api_keys item {i} is not a SHA-256 hex digest (64 hex characters)")
        return digests

    def key_digests(self) -> frozenset[str]:
        """All accepted key digests: ``api_keys`` plus the lines of ``api_keys_file`` (read now)."""
        digests = set(self.api_keys)
        if self.api_keys_file is not None:
            text = self.api_keys_file.read_text(encoding="utf-8")
            for number, raw in enumerate(text.splitlines(), start=1):
                line = raw.split("#", 1)[0].strip().lower()
                if not line:
                    continue
                if not _DIGEST.match(line):
                    raise ValueError(f"{self.api_keys_file}:{number}: not a SHA-256 hex digest (64 hex characters)")
                digests.add(line)
        return frozenset(digests)


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
