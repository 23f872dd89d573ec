"""A typed Python client for the corridor-planner HTTP API.

>>> from corridor_client import Client                                   # doctest: +SKIP
>>> with Client("http://127.0.0.1:8000") as api:
...     plan = api.plan_routes("Xi'an", "Tashkent", k=3, rank="cost")
...     rows = api.compare("Xi'an", "Istanbul", corridors=["titr", "northern"]).rows

Answers are the models of :mod:`corridor_client.models` (the API's wire format, also what the server
documents in /openapi.json); error answers raise :class:`ApiError` subclasses; 429 and 503 answers are
tried again as :class:`RetryPolicy` allows, honouring Retry-After. Needs only httpx and pydantic.
"""

from . import models
from ._client import DEFAULT_BASE_URL, Client, RetryPolicy
from .errors import ApiError, ConflictError, InvalidRequestError, NotFoundError, RateLimitedError, UnavailableError

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiError",
    "Client",
    "ConflictError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitedError",
    "RetryPolicy",
    "UnavailableError",
    "models",
]
