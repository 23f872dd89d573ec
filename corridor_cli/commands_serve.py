"""``corridor serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from planner import bundled_network_path, load_network

_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="serve the HTTP API (and the map, if installed)")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or CORRIDOR_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8000, or CORRIDOR_PORT)")
    parser.add_argument("--network", help="network file (default: the bundled network, or CORRIDOR_NETWORK)")
    parser.add_argument("--workers", type=int, help="server processes (default 1, or CORRIDOR_WORKERS)")
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
