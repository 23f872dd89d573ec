"""uvicorn's HTTP protocols with the guards the app cannot give: a header read timeout, a header size cap, a connection cap.

uvicorn answers some requests before any app runs: a malformed request (400), and, with its own
``limit_concurrency``, an overload (503), both as text/plain. It has no time limit on receiving a
request's headers, so a client sending them a byte at a time (slowloris) or sending nothing at all
holds its connection for ever. These subclasses of uvicorn's protocols (httptools, else h11):

* close a connection whose request headers have not all arrived ``header_timeout_seconds`` after
  it opened or after the previous response (408, problem+json);
* answer 431 when the request line and headers pass ``max_header_bytes`` (under h11, headers
  arriving in one piece past the limit get h11's own refusal, a 400);
* answer 503 with Retry-After, and close, a connection past ``max_connections`` open ones;
* write uvicorn's own 400 as problem+json.

Select one with ``uvicorn.run(..., http="api.http_protocol:GuardedHttpToolsProtocol")``; the
settings are read from ``CORRIDOR_*`` (as :func:`api.settings.get_settings`). What stays out of
reach: TLS handshakes and the kernel's accept queue happen before any of this.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .problems import http_problem_body
from .settings import get_settings

__all__ = ["GuardedH11Protocol", "GuardedHttpToolsProtocol", "problem_bytes"]

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


def problem_bytes(status: int, detail: str, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 problem+json response that closes the connection."""
    body = http_problem_body(status, detail)
    lines = [
        b"HTTP/1.1 %d %s" % (status, _REASONS.get(status, b"Error")),
        b"content-type: application/problem+json",
        b"content-length: %d" % len(body),
        b"connection: close",
    ]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in (headers or {}).items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class _Guard:
    """The guards, mixed into a uvicorn protocol class (which provides transport, connections, loop)."""

    transport: asyncio.Transport
    connections: set[Any]
    loop: asyncio.AbstractEventLoop

    def _guard_setup(self) -> None:
        settings = get_settings()
        self._header_timeout = settings.header_timeout_seconds
        self._max_header_bytes = settings.max_header_bytes
        self._max_connections = settings.max_connections
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._refusal: int | None = None

    def _refuse(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self._cancel_header_timer()
        if not self.transport.is_closing():
            self.transport.write(problem_bytes(status, detail, headers))
            self.transport.close()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(self._header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_done(self) -> None:
        self._awaiting_headers = False
        self._cancel_header_timer()

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._awaiting_headers:
            if self._header_bytes:
                self._refuse(408, f"the request headers did not all arrive within {self._header_timeout:g} s")
            elif not self.transport.is_closing():
                self.transport.close()  # nothing was asked: close quietly, as for an idle keep-alive

    def _guard_connection(self) -> bool:
        """Right after the connection is made: False (and refused) when there are too many."""
        if len(self.connections) > self._max_connections:
            self._refuse(503, f"the server has {self._max_connections} connections open; retry shortly", {"Retry-After": "1"})
            return False
        self._arm_header_timer()
        return True

    def _guard_data(self, size: int) -> None:
        """After data was parsed: count it while the headers are still incomplete."""
        if self._awaiting_headers:
            self._header_bytes += size
            if self._header_bytes > self._max_header_bytes:
                self._refuse(431, f"the request line and headers are larger than {self._max_header_bytes} bytes")


class _GuardedProtocol(_Guard):
    """The protocol methods every guarded protocol overrides (``super()`` is uvicorn's protocol class)."""

    def connection_made(self, transport: asyncio.Transport) -> None:
        self._guard_setup()
        super().connection_made(transport)  # type: ignore[misc]
        self._guard_connection()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        awaiting = self._awaiting_headers
        super().data_received(data)  # type: ignore[misc]
        if awaiting:
            self._guard_data(len(data))

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        if not self.transport.is_closing():
            self._arm_header_timer()

    def send_400_response(self, msg: str) -> None:
        if self._refusal == 431:
            self._refuse(431, f"the request line and headers are larger than {self._max_header_bytes} bytes")
        else:
            self._refuse(400, f"the request is not valid HTTP/1.1 ({msg.rstrip('.')})")


class GuardedH11Protocol(_GuardedProtocol, H11Protocol):  # type: ignore[misc]
    """uvicorn's h11 protocol with the guards."""

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:
            self._headers_done()


class GuardedHttpToolsProtocol(_GuardedProtocol, HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol with the guards."""

    def on_headers_complete(self) -> None:
        self._headers_done()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self._max_header_bytes:
            # Raising here makes httptools fail the parse; uvicorn then calls send_400_response.
            self._refusal = 431
            raise ValueError("request headers too large")
        super().on_headers_complete()
