"""Pure-ASGI request body guard: a size limit on the bytes actually received (chunked bodies too) and a read timeout.

The timeout is measured on the app's ``receive()`` calls: a body piece that takes longer than
``idle_timeout`` to arrive, or a body arriving slower than ``min_bytes_per_second`` on average
once ``idle_timeout`` has passed, is cut with 408. So a client sending a byte a second holds a
connection for seconds, not minutes. HEAD requests are answered like GET, without a body.
"""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import http_problem

__all__ = ["BodyGuardMiddleware", "BodyTooLarge", "BodyTooSlow", "HeadAsGetMiddleware"]


class BodyTooLarge(HTTPException):
    """The request body passed the limit (raised from ``receive``; FastAPI re-raises HTTP exceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes", {"Connection": "close"})


class BodyTooSlow(HTTPException):
    """The request body arrives too slowly (raised from ``receive``)."""

    def __init__(self, detail: str) -> None:
        # The rest of the body is never read: the connection cannot carry another request.
        super().__init__(408, detail, {"Connection": "close"})


class BodyGuardMiddleware:
    """Refuse bodies over ``max_bytes`` (``large_bytes`` under ``large_prefix``) with 413, slow bodies with 408."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        large_prefix: str | tuple[str, ...] | None = None,
        large_bytes: int | None = None,
        idle_timeout: float = 15.0,
        min_bytes_per_second: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large_prefix = large_prefix
        self.large_bytes = large_bytes
        self.idle_timeout = idle_timeout
        self.min_bytes_per_second = min_bytes_per_second

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.large_prefix and self.large_bytes and str(scope.get("path", "")).startswith(self.large_prefix):
            limit = self.large_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    await self._refuse(scope, receive, send, BodyTooLarge(limit))
                    return
        received = 0
        started = False
        first: float | None = None
        done = False

        async def guarded_receive() -> Message:
            nonlocal received, first, done
            if done:  # the body is complete: what is left is waiting for a disconnect, not a slow body
                return await receive()
            now = time.monotonic()
            if first is None:
                first = now
            try:
                message = await asyncio.wait_for(receive(), self.idle_timeout)
            except TimeoutError:
                raise BodyTooSlow(f"no part of the request body arrived for {self.idle_timeout:g} s") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                done = not message.get("more_body", False)
                elapsed = time.monotonic() - first
                slow = received < self.min_bytes_per_second * elapsed
                if not done and elapsed > self.idle_timeout and slow:
                    raise BodyTooSlow(
                        f"the request body arrives at {received / elapsed:,.0f} bytes/s, "
                        f"slower than the {self.min_bytes_per_second:,} bytes/s required"
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except (BodyTooLarge, BodyTooSlow) as exc:
            if started:
                raise
            await self._refuse(scope, receive, send, exc)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, exc: HTTPException) -> None:
        response = http_problem(exc.status_code, exc.detail, exc.headers)
        await response(scope, receive, send)


class HeadAsGetMiddleware:
    """Answer HEAD like GET without the body (Starlette routes declared GET only answer 405 to HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headless_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless_send)
