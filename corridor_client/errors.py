"""What the client raises: the server's problem (RFC 9457) as an exception, one class per kind of answer.

::

    ApiError                    any 4xx/5xx answer; ``problem`` holds the server's problem+json
    ├── InvalidRequestError     422: the request breaks the schema (``problem.errors`` names the fields)
    ├── NotFoundError           404: a place, corridor, scenario or job the server does not have
    ├── ConflictError           409: no route under the constraints, or the network rules the request out
    ├── RateLimitedError        429 after the retries the policy allows (``retry_after_seconds``)
    └── UnavailableError        503 after the retries the policy allows (``retry_after_seconds``)
"""

from __future__ import annotations

from .models import Problem

__all__ = [
    "ApiError",
    "ConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitedError",
    "UnavailableError",
]


class ApiError(Exception):
    """The server answered with an error; ``problem`` is its problem+json body, ``status`` the HTTP status."""

    def __init__(self, problem: Problem, *, retry_after_seconds: float | None = None) -> None:
        super().__init__(f"{problem.status} {problem.code}: {problem.detail}")
        self.problem = problem
        self.status = problem.status
        self.code = problem.code
        self.retry_after_seconds = retry_after_seconds


class InvalidRequestError(ApiError):
    """422: a field is out of range, of the wrong type or unknown; ``problem.errors`` names each."""


class NotFoundError(ApiError):
    """404: a name the network lacks (``problem.suggestions`` for places), or an id the server does not have."""


class ConflictError(ApiError):
    """409: no route satisfies the constraints (``problem.constraints``), or the network rules the request out."""


class RateLimitedError(ApiError):
    """429, still after the retries the policy allows; ``retry_after_seconds`` says when to try again."""


class UnavailableError(ApiError):
    """503 (busy, past the compute deadline, starting), still after the retries the policy allows."""


_BY_STATUS: dict[int, type[ApiError]] = {
    404: NotFoundError,
    409: ConflictError,
    422: InvalidRequestError,
    429: RateLimitedError,
    503: UnavailableError,
}


def error_for(problem: Problem, *, retry_after_seconds: float | None = None) -> ApiError:
    """The exception for a problem answer."""
    cls = _BY_STATUS.get(problem.status, ApiError)
    return cls(problem, retry_after_seconds=retry_after_seconds)
