"""Reading request bodies within bounds: JSON nesting measured before parsing, streamed bodies read in a thread.

* :func:`loads_bounded` parses a JSON body with orjson after :func:`planner.batch.too_deep` has
  measured its nesting: deeper than :data:`MAX_JSON_DEPTH` is a 422 naming the field, before
  validation, caching or pickling ever walk the value.
* :func:`body_chunks` hands a request's body, as it arrives, to code running in a worker thread
  (the batch parsers), so a large upload is parsed and capped while it streams, in flat memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
from anyio import from_thread
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from planner.batch import MAX_JSON_DEPTH, too_deep

from .problems import ProblemError, invalid_field

__all__ = ["MAX_JSON_DEPTH", "BodyProblem", "body_chunks", "loads_bounded"]


class BodyProblem(HTTPException):
    """A problem found while reading a body. An HTTPException, so FastAPI's body parsing re-raises it as it is."""

    def __init__(self, problem: ProblemError) -> None:
        super().__init__(problem.status, problem.detail)
        self.problem = problem


def loads_bounded(body: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON body; refuse nesting deeper than ``max_depth`` (422 naming the field) before parsing.

    Malformed JSON raises ``orjson.JSONDecodeError`` (a ``json.JSONDecodeError``), which FastAPI
    turns into its usual 422.
    """
    excess = too_deep(body, max_depth)
    if excess is not None:
        # The top-level member only: deeper keys are the client's data, never echoed.
        field = excess.path[0] if excess.path else "body"
        raise BodyProblem(
            invalid_field(
                field,
                f"nested deeper than {max_depth} levels of objects and arrays (line {excess.line}); "
                f"at most {max_depth} are allowed",
            )
        )
    return orjson.loads(body)


async def _next(stream: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await stream.__anext__()
    except StopAsyncIteration:
        return None
    except ClientDisconnect:
        raise ProblemError(
            400, "client_disconnected", "Client disconnected", "the client closed the connection"
        ) from None


def body_chunks(request: Request) -> Iterator[bytes]:
    """The request body, a chunk at a time, for a worker thread started by ``run_in_threadpool``.

    Each chunk is fetched on the event loop when the thread asks for it, so only about one chunk
    is held at once; the body limits of :class:`api.middleware.BodyGuardMiddleware` apply as it streams.
    """
    stream = request.stream()
    while (chunk := from_thread.run(_next, stream)) is not None:
        if chunk:
            yield chunk
