"""``corridor serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys

from planner import bundled_network_path, load_network

from ._help import command_parser

_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = command_parser(
        sub,
        "serve",
        help="serve the HTTP API and the map",
        description="""
            Run the HTTP API (/v1, OpenAPI docs at /docs and /redoc) and the map (/) with uvicorn on
            the bundled network or --network. Every option is also a CORRIDOR_* environment
            variable; options win. A non-loopback --host needs API keys (CORRIDOR_API_KEYS or
            CORRIDOR_API_KEYS_FILE) or --allow-public. A port already in use is reported before
            anything starts (exit code 1).
        """,
        epilog="""
            examples:
              corridor serve                                   # http://127.0.0.1:8000
              corridor serve --port 8080 --workers 2
              corridor serve --network my-network.yaml --log-level warning
              CORRIDOR_API_KEYS=secret corridor serve --host 0.0.0.0
        """,
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or CORRIDOR_HOST)")
    parser.add_argument("--port", type=int, metavar="N", help="port (default 8000, or CORRIDOR_PORT)")
    parser.add_argument("--network", metavar="FILE", help="network file (default: the bundled network, or CORRIDOR_NETWORK)")
    parser.add_argument("--workers", type=int, metavar="N", help="server processes (default 1, or CORRIDOR_WORKERS)")
    parser.add_argument(
        "--allow-public",
        action="store_true",
        help="allow a non-loopback --host without API keys (or CORRIDOR_ALLOW_PUBLIC_WITHOUT_KEYS=1)",
    )
    parser.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"], help="default info")
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log every request (or CORRIDOR_ACCESS_LOG=false)"
    )
    limits = parser.add_argument_group("limits (each also a CORRIDOR_* setting)")
    limits.add_argument(
        "--header-timeout", type=float, metavar="S", help="seconds to receive a request's headers (default 10)"
    )
    limits.add_argument(
        "--body-timeout", type=float, metavar="S", help="longest wait for the next piece of a request body (default 15)"
    )
    limits.add_argument(
        "--body-min-rate", type=int, metavar="B", help="bytes/s a body must average after --body-timeout (default 4096)"
    )
    limits.add_argument("--keep-alive-timeout", type=int, metavar="S", help="idle keep-alive connections close (default 5)")
    limits.add_argument("--max-connections", type=int, metavar="N", help="open connections per process (default 1000)")
    limits.add_argument("--max-header-bytes", type=int, metavar="B", help="request line and headers (default 16384)")
    limits.add_argument("--batch-retention-days", type=float, metavar="D", help="delete finished batch jobs after D days (default 30; 0 keeps them)")
    parser.set_defaults(run=_run)


def is_loopback(host: str) -> bool:
    """True for loopback addresses and names (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def port_in_use(host: str, port: int) -> OSError | None:
    """The error binding ``host:port`` gives, as uvicorn would bind it (SO_REUSEADDR), or None when it is free.

    Every address ``host`` resolves to is tried (``localhost`` is 127.0.0.1 and ::1); the sockets are
    closed again at once.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                return exc
    return None


def _run(args: argparse.Namespace) -> int:
    # Settings reach the server processes through CORRIDOR_* variables (uvicorn's workers inherit them).
    given = {
        "CORRIDOR_HOST": args.host,
        "CORRIDOR_PORT": args.port,
        "CORRIDOR_NETWORK": args.network,
        "CORRIDOR_WORKERS": args.workers,
        "CORRIDOR_LOG_LEVEL": args.log_level,
        "CORRIDOR_ALLOW_PUBLIC_WITHOUT_KEYS": "true" if args.allow_public else None,
        "CORRIDOR_ACCESS_LOG": "false" if args.no_access_log else None,
        "CORRIDOR_HEADER_TIMEOUT_SECONDS": args.header_timeout,
        "CORRIDOR_BODY_IDLE_TIMEOUT_SECONDS": args.body_timeout,
        "CORRIDOR_BODY_MIN_BYTES_PER_SECOND": args.body_min_rate,
        "CORRIDOR_KEEP_ALIVE_TIMEOUT_SECONDS": args.keep_alive_timeout,
        "CORRIDOR_MAX_CONNECTIONS": args.max_connections,
        "CORRIDOR_MAX_HEADER_BYTES": args.max_header_bytes,
        "CORRIDOR_BATCH_RETENTION_DAYS": args.batch_retention_days,
    }
    for name, value in given.items():
        if value is not None:
            os.environ[name] = str(value)

    import uvicorn
    from pydantic import ValidationError

    from api.settings import Settings

    try:
        settings = Settings()
        digests = settings.key_digests()
    except (ValidationError, ValueError, OSError) as exc:
        print(f"corridor serve: error: invalid settings: {exc}", file=sys.stderr)
        return 2
    if not digests and not settings.allow_public_without_keys and not is_loopback(settings.host):
        print(
            f"corridor serve: error: refusing to bind {settings.host} without API keys: anyone who can reach it could "
            "use the API. Configure keys (CORRIDOR_API_KEYS or CORRIDOR_API_KEYS_FILE), bind to 127.0.0.1, or pass "
            "--allow-public to serve publicly without keys.",
            file=sys.stderr,
        )
        return 2
    # Before the network loads or anything is printed: uvicorn itself would fail only after start-up.
    busy = port_in_use(settings.host, settings.port)
    if busy is not None:
        where = f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}"
        if isinstance(busy, socket.gaierror):
            print(f"corridor serve: error: cannot resolve the host {settings.host!r}: {busy.strerror or busy}", file=sys.stderr)
            return 2
        reason = "is already in use" if busy.errno == errno.EADDRINUSE else f"cannot be bound ({busy.strerror or busy})"
        print(
            f"corridor serve: error: {where} {reason}; another server may be running there. Stop it, or choose "
            f"another port with --port N (or CORRIDOR_PORT).",
            file=sys.stderr,
        )
        return 1
    path = settings.network or bundled_network_path()
    network = load_network(path)  # fail here, with every validation error, before starting the server
    auth = f"auth on: {len(digests)} API key(s)" if digests else "auth off: no API keys configured"
    print(
        f"corridor serve: {network.info.name} {network.info.version} ({path}); {auth}; "
        f"http://{settings.host}:{settings.port} (docs at /docs)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=settings.access_log,
        proxy_headers=False,
        # The guarded protocol adds a header timeout, a header size cap and a connection cap, and
        # answers in problem+json; uvicorn's own concurrency limit (text/plain 503s) stays off.
        http="api.http_protocol:GuardedHttpToolsProtocol",
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )
    return 0
