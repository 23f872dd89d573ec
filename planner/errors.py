"""The planner's exceptions.

Every error the planner raises on purpose derives from :class:`PlannerError`, carries a
stable machine-readable ``code`` and also inherits the builtin it is closest to, so callers
may catch either::

    PlannerError
    ├── NetworkError
    │   ├── NetworkFileError (OSError)          the file cannot be read, is too large or is not YAML
    │   └── NetworkValidationError (ValueError) the file parsed but its content is invalid
    ├── InvalidRequestError (ValueError)        a request option is out of range or inconsistent
    │   ├── UnknownCorridorError (LookupError)
    │   ├── UnknownCountryError (LookupError)
    │   ├── UnknownModeError (LookupError)
    │   ├── UnknownLinkError (LookupError)
    │   ├── SamePlaceError                      origin equals destination
    │   ├── ScenarioError                       a scenario is malformed or names unknown things
    │   └── DemandError                         demand rows that cannot be read (every bad row listed)
    ├── PublishedRoutesError (ValueError)       a published-routes file (validation data) is malformed
    ├── UnknownPlaceError (LookupError)         no place matches a query (with suggestions)
    ├── NoRouteError (LookupError)              no route under the request's constraints
    │   ├── UnreachableError                    no route even without constraints
    │   └── LoopOnlyError                       only routes passing a place twice meet the constraints
    └── DeadlineExceededError (TimeoutError)    a search passed the deadline its caller gave
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DeadlineExceededError",
    "DemandError",
    "InvalidRequestError",
    "LoopOnlyError",
    "NetworkError",
    "NetworkFileError",
    "NetworkIssue",
    "NetworkValidationError",
    "NoRouteError",
    "PlannerError",
    "PublishedRoutesError",
    "SamePlaceError",
    "ScenarioError",
    "UnknownCorridorError",
    "UnknownCountryError",
    "UnknownLinkError",
    "UnknownModeError",
    "UnknownPlaceError",
    "UnreachableError",
]


class PlannerError(Exception):
    """Base of every error the planner raises on purpose."""

    code: str = "planner_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NetworkError(PlannerError):
    """A network file could not be turned into a network."""

    code = "network_error"


class NetworkFileError(NetworkError, OSError):
    """Raised when a network file is missing, too large, not UTF-8 or not parseable YAML."""

    code = "network_file"

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class NetworkIssue:
    """One problem found in a network file: where it is and what was expected."""

    path: str
    line: int | None
    item: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        parts = [where]
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + f": {self.message}"


class NetworkValidationError(NetworkError, ValueError):
    """Raised when a network file parses but breaks the format's rules; lists every issue."""

    code = "network_invalid"

    def __init__(self, issues: Sequence[NetworkIssue]) -> None:
        self.issues = tuple(issues)
        head = f"{len(self.issues)} error(s) in network file"
        super().__init__(head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues))


class InvalidRequestError(PlannerError, ValueError):
    """Raised when a request option is out of range or options contradict each other."""

    code = "invalid_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownCorridorError(InvalidRequestError, LookupError):
    """Raised when a corridor id or alias is not in the network."""

    code = "unknown_corridor"


class UnknownCountryError(InvalidRequestError, LookupError):
    """Raised when a country code is not ISO 3166-1 alpha-2 or not in the network."""

    code = "unknown_country"


class UnknownModeError(InvalidRequestError, LookupError):
    """Raised when a transport mode is not one of rail, road, sea."""

    code = "unknown_mode"


class UnknownLinkError(InvalidRequestError, LookupError):
    """Raised when a link id is not in the network."""

    code = "unknown_link"


class SamePlaceError(InvalidRequestError):
    """Raised when origin and destination are the same place."""

    code = "same_place"


class ScenarioError(InvalidRequestError):
    """Raised when a scenario is malformed or refers to places, links or countries that do not exist."""

    code = "invalid_scenario"


class DemandError(InvalidRequestError):
    """Raised when demand rows cannot be read or name unknown places; ``errors`` lists every bad row."""

    code = "invalid_demand"

    def __init__(self, errors: Sequence[str], *, field: str | None = "demand", total_rows: int | None = None) -> None:
        self.errors = tuple(errors)
        shown = "\n".join(f"  {e}" for e in self.errors[:20])
        more = f"\n  ... and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        of = f" of {total_rows:,}" if total_rows is not None else ""
        super().__init__(f"{len(self.errors)} bad demand row(s){of}:\n{shown}{more}", field=field)


class PublishedRoutesError(PlannerError, ValueError):
    """Raised by :func:`planner.load_published_routes` when the file cannot be read or a row is malformed.

    The message names the file, the line and the column.
    """

    code = "published_routes"


class UnknownPlaceError(PlannerError, LookupError):
    """Raised when no place matches a query; ``suggestions`` holds near misses."""

    code = "unknown_place"

    def __init__(
        self, query: str, suggestions: Sequence[str] = (), *, field: str | None = None, ambiguous: bool = False
    ) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        self.field = field
        self.ambiguous = ambiguous
        if ambiguous:
            message = f"place {query!r} is ambiguous: it names " + ", ".join(self.suggestions) + "; use an id"
        else:
            message = f"unknown place {query!r}"
            if self.suggestions:
                message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class NoRouteError(PlannerError, LookupError):
    """Raised when no route satisfies the request; the message names the constraints that cut it."""

    code = "no_route"

    def __init__(self, message: str, *, constraints: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.constraints = tuple(constraints)


class UnreachableError(NoRouteError):
    """Raised when origin and destination are not connected even without constraints."""

    code = "unreachable"


class LoopOnlyError(NoRouteError):
    """Raised when only routes that pass a place twice satisfy the request (e.g. a corridor's trunk
    reached by going out and back): the planner never returns such a route."""

    code = "no_loop_free_route"


class DeadlineExceededError(PlannerError, TimeoutError):
    """Raised when a search passes the ``deadline`` its caller gave (a ``time.monotonic()`` instant).

    The search checks the clock as it settles labels, so it stops within a fraction of a
    millisecond of the deadline on the bundled network; nothing computed so far is kept.
    """

    code = "deadline_exceeded"

    def __init__(self, message: str, *, late_seconds: float = 0.0) -> None:
        super().__init__(message)
        self.late_seconds = late_seconds
