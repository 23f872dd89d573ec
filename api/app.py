"""The application factory: ``create_app()`` (uvicorn: ``api.app:create_app`` with ``factory=True``)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, HTMLResponse, Response

import planner
from corridor_client.models import Health, Pointers, Readiness
from planner import NetworkError, load_network

from . import assignments, batches, comparisons, corridors, criticality, matrix, metrics, places, routes, scenarios
from . import network as network_router
from .common import get_network, json_response, reject_unknown_parameters
from .compute import ComputePool
from .dispatch import CheapRule, Dispatcher
from .middleware import BodyGuardMiddleware, HeadAsGetMiddleware
from .models import PROBLEM_REF
from .openapi import install_openapi
from .problems import ProblemError, install_problem_handlers
from .ratelimit import RateLimitHeaders, SharedRateLimiter
from .settings import Settings, get_settings

__all__ = ["create_app", "get_network"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

DESCRIPTION = """\
Ranked multimodal freight routes (rail, road, sea) on the Eurasian corridors through Central Asia,
corridor comparisons and what-if scenarios, over the `planner` package.

* **Auth**: when the server has API keys configured, every `/v1` endpoint needs one, sent as
  `Authorization: Bearer <key>` or `X-API-Key: <key>`. `/healthz`, `/readyz` and the docs are open.
* **Errors** are `application/problem+json` (RFC 9457) with a stable `code`. 422 only when a request
  breaks its schema here (`errors: [{field, message}]`); what depends on the network is 404 (a name it
  lacks: place, with `suggestions`, corridor, country, link, scenario) or 409 (no route under the
  constraints, with `constraints`; a request the network rules out). So a request this schema admits
  gets 2xx, 404 or 409. Also 413 body over 1 MiB, 429 over the rate limit, 503 past the compute deadline
  (which covers waiting for a compute slot) or when no compute slot comes free within the queue time
  (both with `Retry-After`).
* **Rate limits** hold per client across every server process; answers carry `RateLimit-Limit`,
  `RateLimit-Remaining` and `RateLimit-Reset` (IETF draft).
* **Answers** are closed objects (the models of `corridor_client.models`); the examples are real answers
  of the bundled network.
* **Limits**: k ≤ 20, at most 10 via places, avoid lists ≤ 50 items, bodies ≤ 1 MiB, JSON nested at
  most 32 levels (422 naming the field). A body arriving too slowly is cut with 408; at the server,
  request headers must arrive within 10 s (408) and fit in 16 KiB (431); failed API key checks are
  throttled per address (429 `too_many_auth_failures`, with `Retry-After`). HEAD is answered like GET.
"""


def _settings_of(app: FastAPI) -> Settings:
    provider: Callable[[], Settings] = app.dependency_overrides.get(get_settings, get_settings)
    return provider()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = _settings_of(app)
    app.state.settings = settings
    path = settings.network or planner.bundled_network_path()
    try:
        network = load_network(path)
    except NetworkError as exc:
        print(f"corridor-planner: cannot serve {path}:\n{exc}", file=sys.stderr, flush=True)
        raise
    app.state.key_digests = settings.key_digests()
    # One file for every server process of this data directory: the limits hold across --workers.
    limits = Path(settings.data_dir) / "ratelimit.sqlite3"
    per_minute = settings.rate_limit_per_minute
    app.state.rate_limiter = SharedRateLimiter(limits, per_minute) if per_minute > 0 else None
    failures = settings.auth_failures_per_minute
    throttled = failures > 0 and app.state.key_digests
    app.state.auth_throttle = SharedRateLimiter(limits, failures, scope="auth_failures") if throttled else None
    # The workers get this very network (never the file again), so every answer is of the network loaded here.
    pool = ComputePool(
        network,
        size=settings.max_concurrent_computations,
        deadline_seconds=settings.compute_deadline_seconds,
        spares=settings.compute_spare_workers,
        queue_seconds=settings.compute_queue_seconds,
        queue_length=settings.compute_queue_length,
    )
    pool.start()
    app.state.pool = pool
    rule = CheapRule(max_k=settings.inline_max_k, max_places=settings.inline_max_places)
    app.state.compute = dispatcher = Dispatcher(
        network, pool, rule, inline_budget_seconds=settings.inline_budget_seconds, inline_mode=settings.inline_mode
    )
    await asyncio.to_thread(dispatcher.prepare)
    # A network of 50,000+ graph nodes lives as long as the server: keep the collector off it.
    planner.keep_resident(network)
    app.state.network = network
    app.state.scenario_store = scenarios.open_store(settings)
    try:
        await batches.startup(app)
        await assignments.JOBS.startup(app)  # a job store each, unfinished jobs resumed
        await criticality.JOBS.startup(app)
        yield
    finally:
        await criticality.JOBS.shutdown(app)
        await assignments.JOBS.shutdown(app)
        await batches.shutdown(app)
        app.state.network = None
        app.state.compute = None
        app.state.pool = None
        dispatcher.close()
        pool.close()
        app.state.scenario_store.close()
        app.state.scenario_store = None
        for limiter in (app.state.rate_limiter, app.state.auth_throttle):
            if limiter is not None:
                limiter.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API application; the network is loaded (and validated) when its lifespan starts.

    ``settings`` defaults to :func:`api.settings.get_settings` (``CORRIDOR_*`` environment
    variables); tests may pass ``Settings(...)`` or override ``get_settings``.
    """
    app = FastAPI(
        title="corridor-planner",
        version=planner.__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        docs_url=None,  # served by _add_docs from vendored files, so they work with no internet access
        redoc_url=None,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    config = settings or get_settings()
    install_problem_handlers(app)
    install_openapi(app)
    # Every endpoint refuses query parameters it does not know (the routers add it to theirs).
    strict = [Depends(reject_unknown_parameters)]
    for router in (
        routes.router, matrix.router, comparisons.router, places.router, corridors.router, network_router.router, metrics.router
    ):
        app.include_router(router)
    app.include_router(scenarios.router)
    app.include_router(batches.router)
    app.include_router(assignments.router)
    app.include_router(assignments.demand_router)
    app.include_router(criticality.router)

    _add_root(app, strict)
    _add_docs(app, strict)

    @app.get("/healthz", dependencies=strict, summary="Liveness", response_model=Health, responses={200: {"description": "Alive"}})
    def healthz() -> Response:
        """Liveness: the process answers (does not touch the network or the workers)."""
        return json_response({"status": "ok"})

    @app.get(
        "/readyz",
        dependencies=strict,
        summary="Readiness",
        response_model=Readiness,
        responses={
            200: {"description": "Ready"},
            503: {
                "description": "Not ready yet",
                "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                "headers": {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
            },
        },
    )
    def readyz(request: Request) -> Response:
        """Readiness: 200 once the network is loaded and a compute worker holds it, else 503."""
        network = getattr(request.app.state, "network", None)
        pool: ComputePool | None = getattr(request.app.state, "pool", None)
        if network is None or pool is None or not pool.ready():
            raise ProblemError(503, "not_ready", "Not ready", "the network is still loading", headers={"Retry-After": "1"})
        return json_response({"status": "ready", "network": network.info.id})

    # Middleware: the last added is the outermost.
    app.add_middleware(
        BodyGuardMiddleware,
        max_bytes=config.max_body_bytes,
        large_prefix=("/v1/batches", "/v1/assignments", "/v1/criticality"),
        large_bytes=config.batch_max_upload_bytes,
        idle_timeout=config.body_idle_timeout_seconds,
        min_bytes_per_second=config.body_min_bytes_per_second,
    )
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "HEAD", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
            expose_headers=["Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
        )
    app.add_middleware(HeadAsGetMiddleware)
    return app


def _add_root(app: FastAPI, dependencies: list[Any]) -> None:
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    index = STATIC_DIR / "index.html"
    if index.is_file():

        # The map keeps its own query in the page's URL (/?from=...&to=...): the page takes any.
        @app.get("/", include_in_schema=False)
        def root_page() -> FileResponse:
            return FileResponse(index)

        return

    @app.get("/", dependencies=dependencies, summary="Start here", response_model=Pointers, responses={200: {"description": "Pointers"}})
    def root() -> Response:
        """Pointers to the documentation and the API."""
        return json_response({"name": "corridor-planner", "docs": "/docs", "openapi": "/openapi.json", "api": "/v1"})


def _add_docs(app: FastAPI, dependencies: list[Any]) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc) from api/static/vendor: no CDN, no web fonts, no validator badge."""
    openapi_url = app.openapi_url or "/openapi.json"
    vendor = "/static/vendor"

    @app.get("/docs", include_in_schema=False, dependencies=dependencies)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API docs",
            swagger_js_url=f"{vendor}/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url="data:,",
            swagger_ui_parameters={"validatorUrl": None},  # else the spec is sent to an online validator
        )

    @app.get("/redoc", include_in_schema=False, dependencies=dependencies)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API reference",
            redoc_js_url=f"{vendor}/redoc/redoc.standalone.js",
            redoc_favicon_url="data:,",
            with_google_fonts=False,
        )
