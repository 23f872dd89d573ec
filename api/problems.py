"""The one place where errors become ``application/problem+json`` (RFC 9457) responses.

Every body has ``type``, ``title``, ``status``, ``detail`` and a stable ``code``; request errors
add ``errors: [{field, message}]``, unknown places add ``suggestions``, missing routes add
``constraints``. Bodies never echo raw request input: pydantic's ``input`` is dropped and quoted
values in planner messages are redacted.

Status choices: an unknown place is 404 (the resource named by the request does not exist); an
impossible route under the given constraints is 409 (the request is well formed but conflicts
with the network's state; dropping a constraint resolves it), not 404 or 422. A computation stopped
at its deadline is 503 with Retry-After: the request may succeed when the server is less busy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from planner import (
    DeadlineExceededError,
    DemandError,
    InvalidRequestError,
    NoRouteError,
    PlannerError,
    UnknownPlaceError,
)

from .params import accepted_names, did_you_mean, shown_name

__all__ = [
    "PROBLEM_JSON",
    "ProblemError",
    "install_problem_handlers",
    "http_problem_body",
    "planner_problem",
    "problem_body",
    "problem_response",
    "validation_problem",
]

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "urn:corridor-planner:problem:"
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")

_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Missing or invalid API key"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    408: ("request_timeout", "Request timeout"),
    409: ("conflict", "Conflict"),
    413: ("body_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("invalid_request", "Invalid request"),
    429: ("rate_limited", "Too many requests"),
    431: ("headers_too_large", "Request headers too large"),
    500: ("internal_error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem; handled by :func:`install_problem_handlers`."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra

    def response(self) -> Response:
        return problem_response(self.status, self.code, self.title, self.detail, headers=self.headers, **self.extra)


def invalid_field(field: str, message: str, detail: str | None = None) -> ProblemError:
    """A 422 ``invalid_request`` problem about one field (``detail`` defaults to ``field: message``)."""
    return ProblemError(
        422,
        "invalid_request",
        "Invalid request",
        detail or f"{field}: {message}",
        errors=[{"field": field, "message": message}],
    )


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response; ``extra`` members (``errors``, ``suggestions``, ...) are added as given."""
    return Response(problem_body(status, code, title, detail, **extra), status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> bytes:
    """The JSON body of a problem (also written by the HTTP protocol layer, before any app runs)."""
    body: dict[str, Any] = {"type": _TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    body.update({k: v for k, v in extra.items() if v is not None})
    return orjson.dumps(body)


def redact(message: str) -> str:
    """Replace quoted values (the planner quotes request input with ``repr``) by a placeholder."""
    return _QUOTED.sub("(given value)", message)


_ROW_WHERE = re.compile(r"^(row \d+(?:, field '[a-z_]+')?): (.*)$", re.DOTALL)


def _demand_message(message: str) -> str:
    """A bad demand row's message: where (row and field) as it is, what was wrong without the input echoed."""
    found = _ROW_WHERE.match(message)
    if found is None:
        return redact(message)
    return f"{found.group(1)}: {redact(found.group(2))}"


def planner_problem(exc: PlannerError) -> Response:
    """Map a planner exception to its problem response."""
    if isinstance(exc, UnknownPlaceError):
        field = exc.field or "place"
        detail = f"{field}: no place has this id, name or alias"
        if exc.ambiguous:
            detail = f"{field}: several places have this name or alias; use one of their ids"
        if exc.suggestions:
            detail += ("; candidates: " if exc.ambiguous else "; did you mean ") + ", ".join(exc.suggestions)
            detail += "" if exc.ambiguous else "?"
        return problem_response(
            404,
            exc.code,
            "Unknown place",
            detail,
            errors=[{"field": field, "message": "no place has this id, name or alias"}],
            suggestions=list(exc.suggestions),
        )
    if isinstance(exc, DeadlineExceededError):
        detail = "the computation passed its deadline and was stopped; retry, or narrow the request (smaller k, fewer via places)"
        return problem_response(503, exc.code, "Computation took too long", detail, headers={"Retry-After": "1"})
    if isinstance(exc, NoRouteError):
        return problem_response(409, exc.code, "No route under these constraints", exc.message, constraints=list(exc.constraints))
    if isinstance(exc, DemandError):
        errors = [{"field": exc.field or "demand", "message": _demand_message(e)} for e in exc.errors[:100]]
        detail = f"{len(exc.errors)} bad demand row(s); each is listed in errors"
        return problem_response(422, exc.code, "Invalid demand", detail, errors=errors)
    if isinstance(exc, InvalidRequestError):
        message = redact(exc.message)
        field = exc.field or "request"
        return problem_response(422, exc.code, "Invalid request", f"{field}: {message}", errors=[{"field": field, "message": message}])
    return problem_response(422, exc.code, "Request cannot be planned", redact(exc.message))


def _field_of(loc: Sequence[int | str]) -> str:
    parts = list(loc)
    where = "body"
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where = str(parts[0])
        parts = parts[1:]
    names = []
    for part in parts:
        if isinstance(part, int):
            names.append(f"[{part}]")
        elif _SAFE_NAME.match(part):
            names.append(("." if names else "") + part)
        else:
            names.append(("." if names else "") + "(unrecognized field)")
    return "".join(names) or where


def _choices(expected: object) -> list[str]:
    """The allowed values pydantic lists in a literal or enum error (``"'a', 'b' or 'c'"``): schema text, not input."""
    return re.findall(r"'((?:[^'\\]|\\.)*)'", str(expected))


def _message(error: Mapping[str, Any], known: Mapping[str, Mapping[str, str]]) -> str:
    kind = str(error.get("type", ""))
    loc = list(error.get("loc", ()))
    if kind == "json_invalid":
        return "body is not valid JSON (NaN, Infinity and lone surrogates are refused)"
    if kind == "extra_forbidden":
        where = "query" if loc and loc[0] == "query" else "body"
        message = "unknown query parameter" if where == "query" else "unknown field (not part of this request's schema)"
        name = loc[-1] if loc else None
        names = known.get(where, {})
        suggestion = did_you_mean(name, names) if isinstance(name, str) and shown_name(name) == name else None
        return message + (f"; did you mean {suggestion}?" if suggestion else "")
    if kind == "missing":
        return "field required"
    if kind in ("literal_error", "enum"):
        choices = _choices((error.get("ctx") or {}).get("expected", ""))
        if choices:
            return "expected one of " + ", ".join(choices)
    msg = str(error.get("msg", "invalid value"))
    return redact(msg.removeprefix("Value error, "))


def validation_problem(
    errors: Sequence[Mapping[str, Any]], known: Mapping[str, Mapping[str, str]] | None = None
) -> Response:
    """422 for pydantic/FastAPI validation errors, naming each field and the expectation (never the input).

    ``known`` holds the names the endpoint accepts (by location, ``query`` and ``body``), to suggest
    the closest one for an unknown field.
    """
    items = []
    for error in errors[:20]:
        field = "body" if error.get("type") == "json_invalid" else _field_of(error.get("loc", ()))
        item = {"field": field, "message": _message(error, known or {})}
        if item not in items:
            items.append(item)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in items)
    return problem_response(422, "invalid_request", "Invalid request", detail, errors=items)


def http_problem_body(status: int, detail: str) -> bytes:
    """The problem+json body for an HTTP status with its standard code and title."""
    code, title = _HTTP_CODES.get(status, ("http_error", "HTTP error"))
    return problem_body(status, code, title, detail)


def http_problem(status: int, detail: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    code, title = _HTTP_CODES.get(status, ("http_error", "HTTP error"))
    return problem_response(status, code, title, detail or title, headers=headers)


def _allowed_methods(request: Request) -> str:
    # Starlette's 405 names only the first route matching the path; probe every method instead.
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return exc.response()

    async def on_planner(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PlannerError)
        return planner_problem(exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError | ValidationError)
        route = request.scope.get("route")
        return validation_problem(exc.errors(), accepted_names(route) if isinstance(route, APIRoute) else None)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        problem = getattr(exc, "problem", None)  # a ProblemError carried through FastAPI's body parsing
        if isinstance(problem, ProblemError):
            return problem.response()
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 422 else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no endpoint at this path; see /docs for the API"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allow = _allowed_methods(request) or headers.get("Allow", "")
            headers["Allow"] = allow
            detail = f"{request.method} is not allowed here; allowed: {allow}"
        return http_problem(exc.status_code, detail, headers)

    async def on_crash(request: Request, exc: Exception) -> Response:
        return http_problem(500, "the server failed to handle this request; it has been logged")

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(PlannerError, on_planner)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
