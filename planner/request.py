"""Route requests: every option checked, every name resolved to an id, before any search.

:func:`resolve_request` is the one way to build a :class:`RouteRequest`; :func:`planner.plan`
and :func:`planner.plan_routes` take its result. See docs/cost-model.md for the defaults.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .corridors import resolve_corridor
from .errors import (
    InvalidRequestError,
    NetworkConflictError,
    SamePlaceError,
    UnknownCountryError,
    UnknownLinkError,
    UnknownModeError,
    UnknownPlaceError,
)
from .lookup import find_place
from .model import ContainerType, Mode, ServiceLevel
from .network import Network

__all__ = [
    "DEFAULT_K",
    "DEFAULT_MAX_SHARED_FRACTION",
    "DEFAULT_SERVICE",
    "DEFAULT_MAX_STRETCH",
    "DEFAULT_TONNES_PER_TEU",
    "DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR",
    "MAX_AVOID",
    "MAX_K",
    "MAX_STRETCH",
    "MAX_TEU",
    "MAX_TONNES",
    "MAX_VIA",
    "Rank",
    "RouteRequest",
    "check_places",
    "check_request",
    "resolve_request",
]

DEFAULT_K = 3
MAX_K = 20
MAX_VIA = 10
MAX_AVOID = 50
DEFAULT_MAX_SHARED_FRACTION = 0.9
"""Two returned routes may share at most this fraction of the shorter one's distance (1 switches the bound off)."""
DEFAULT_MAX_STRETCH = 1.5
"""No alternative is worse than this factor times the best route on the ranked criterion."""
MAX_STRETCH = 10.0
DEFAULT_TONNES_PER_TEU = 10.0
"""Cargo tonnes per loaded TEU (GLEC Framework default average load; docs/cost-model.md)."""
DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR = 15.0
"""USD per TEU per hour in transit (estimate anchored on Hummels & Schaur 2013; docs/cost-model.md)."""
MAX_TEU = 100_000.0
MAX_TONNES = 1_000_000.0
DEFAULT_SERVICE = ServiceLevel.SCHEDULED
"""Service level when a request names none: regular block trains and liner services."""
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIRST_DATE, _LAST_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


class Rank(StrEnum):
    """What routes are ranked by."""

    TIME = "time"
    COST = "cost"
    CO2E = "co2e"
    GENERALIZED = "generalized"
    RELIABLE = "reliable"
    PARETO = "pareto"


_RESOLVED = object()


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """A validated request, with places and corridor resolved to ids; built only by :func:`resolve_request`.

    Requests are values: equal requests on one network always get the same plan. Derive a
    variant with :func:`dataclasses.replace` (ids must stay ids of the network).
    """

    origin: str
    destination: str
    rank: Rank = Rank.TIME
    k: int = DEFAULT_K
    teu: float = 1.0
    tonnes: float = DEFAULT_TONNES_PER_TEU
    shipment: str = "teu"
    avoid_countries: tuple[str, ...] = ()
    avoid_places: tuple[str, ...] = ()
    avoid_links: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = (Mode.RAIL, Mode.ROAD, Mode.SEA)
    via: tuple[str, ...] = ()
    corridor: str | None = None
    max_border_crossings: int | None = None
    max_transshipments: int | None = None
    max_shared_fraction: float = DEFAULT_MAX_SHARED_FRACTION
    max_stretch: float = DEFAULT_MAX_STRETCH
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU
    service: ServiceLevel = DEFAULT_SERVICE
    container: ContainerType | None = ContainerType.FT20
    """The container type of a TEU shipment; None for bulk tonnes."""
    departure_date: dt.date | None = None
    month: int | None = None
    """The month whose seasonal waits apply: as given, else the month of ``departure_date``, else none."""
    _resolved: object = field(default=None, kw_only=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._resolved is not _RESOLVED:
            raise InvalidRequestError(
                "a RouteRequest is built by planner.resolve_request, which checks every option and resolves "
                "place and corridor names to ids",
                field="request",
            )


def _number(value: float, name: str, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequestError(f"{name} must be a finite number, got {value!r}", field=name)
    if not low < value <= high:
        raise InvalidRequestError(f"{name} must be > {low:g} and <= {high:g}, got {value:g}", field=name)
    return float(value)


def _count(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequestError(f"{name} must be a whole number >= 0, got {value!r}", field=name)
    return value


def _list(values: Iterable[str] | None, name: str, limit: int) -> list[str]:
    items = [] if values is None else list(values)
    if len(items) > limit:
        raise InvalidRequestError(f"{name} has {len(items)} items, at most {limit} are allowed", field=name)
    return items


def _service(value: ServiceLevel | str) -> ServiceLevel:
    try:
        return ServiceLevel(str(value).strip().lower()) if not isinstance(value, ServiceLevel) else value
    except ValueError:
        choices = ", ".join(level.value for level in ServiceLevel)
        raise InvalidRequestError(f"unknown service {value!r}; expected one of {choices}", field="service") from None


def _container(value: ContainerType | str) -> ContainerType:
    try:
        return ContainerType(str(value).strip().lower()) if not isinstance(value, ContainerType) else value
    except ValueError:
        choices = ", ".join(c.value for c in ContainerType)
        raise InvalidRequestError(f"unknown container {value!r}; expected one of {choices}", field="container") from None


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise InvalidRequestError(f"departure_date must be a date (YYYY-MM-DD), got the date-time {value!r}", field="departure_date")
    if isinstance(value, dt.date):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else value
        if not isinstance(text, str) or not _ISO_DATE.match(text):
            raise InvalidRequestError(f"departure_date must be an ISO date YYYY-MM-DD, got {value!r}", field="departure_date")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise InvalidRequestError(f"departure_date {value!r} is not a valid date: {exc}", field="departure_date") from None
    if not _FIRST_DATE <= day <= _LAST_DATE:
        raise InvalidRequestError(
            f"departure_date must be between {_FIRST_DATE} and {_LAST_DATE}, got {day}", field="departure_date"
        )
    return day


def _month(value: int | None, departure: dt.date | None) -> int | None:
    if value is None:
        return departure.month if departure is not None else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidRequestError(f"month must be a whole number from 1 to 12, got {value!r}", field="month")
    if departure is not None and departure.month != value:
        raise InvalidRequestError(
            f"month {value} contradicts departure_date {departure} (month {departure.month}); give one of them",
            field="month",
        )
    return value


def resolve_request(
    network: Network,
    origin: str,
    destination: str,
    *,
    rank: Rank | str = Rank.TIME,
    k: int = DEFAULT_K,
    teu: float | None = None,
    tonnes: float | None = None,
    avoid_countries: Iterable[str] | None = None,
    avoid_places: Iterable[str] | None = None,
    avoid_links: Iterable[str] | None = None,
    modes: Iterable[Mode | str] | None = None,
    via: Iterable[str] | None = None,
    corridor: str | None = None,
    max_border_crossings: int | None = None,
    max_transshipments: int | None = None,
    max_shared_fraction: float = DEFAULT_MAX_SHARED_FRACTION,
    max_stretch: float = DEFAULT_MAX_STRETCH,
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    tonnes_per_teu: float = DEFAULT_TONNES_PER_TEU,
    service: ServiceLevel | str = DEFAULT_SERVICE,
    container: ContainerType | str | None = None,
    departure_date: dt.date | str | None = None,
    month: int | None = None,
    check_places: bool = True,
) -> RouteRequest:
    """Check a request's options and resolve names to ids.

    Parameters
    ----------
    network
        The network the request is for.
    origin, destination
        Place ids, names or aliases (case, accents and punctuation ignored).
    rank
        What routes are ranked by: ``time`` (hours), ``cost`` (USD), ``co2e`` (kg),
        ``generalized`` (USD plus value of time), ``reliable`` (P90 hours) or ``pareto``
        (every route no other beats on hours, USD and kg CO2e at once).
    k
        Number of routes, 1..20.
    teu, tonnes
        Shipment size, one or the other (default 1 TEU).
    avoid_countries, avoid_places, avoid_links
        ISO 3166-1 alpha-2 codes, places and link ids the routes must not touch (50 each at most).
    modes
        Modes the routes may use (default rail, road and sea).
    via
        Places to pass, in order (10 at most).
    corridor
        Keep the trunk of the route on this corridor (id, name or alias).
    max_border_crossings, max_transshipments
        Upper limits (whole numbers >= 0).
    max_shared_fraction
        Two returned routes share at most this fraction (0..1) of the shorter one's distance
        (default 0.9; 1 switches the bound off).
    max_stretch
        No alternative is worse than this factor (1..10, default 1.5) times the best route on the
        ranked criterion; fewer than ``k`` routes come back when fewer qualify.
    value_of_time_usd_per_teu_hour
        USD per TEU per hour, for the generalized cost.
    tonnes_per_teu
        Cargo tonnes per TEU, to convert between ``teu`` and ``tonnes`` (CO2e is per tonne).
    service
        ``express``, ``scheduled`` (default) or ``standard``: which dwell, queue and wait figures apply.
    container
        ``20ft`` (default), ``40ft`` or ``40hc`` for a TEU shipment (a 40 ft box counts 2 TEU, so
        ``teu`` must then be even; it defaults to 2). Not for bulk ``tonnes``.
    departure_date
        ISO date (``YYYY-MM-DD``) the shipment is ready at the origin (00:00): waits for services
        with published weekdays are then exact, and routes carry arrival dates.
    month
        1-12: seasonal waits of that month apply (default: the month of ``departure_date``, else none).
    check_places
        False leaves out the checks that depend on the origin and destination (the same place twice,
        a via place at an end, an end avoided): :func:`check_places` makes them for another pair.

    Returns
    -------
    RouteRequest
        The request with ids in place of names.

    Raises
    ------
    UnknownPlaceError
        A place matches nothing, or several places (with suggestions).
    InvalidRequestError
        An option is out of range or contradicts another; ``field`` names it.
    """
    try:
        rank = Rank(rank)
    except ValueError:
        choices = ", ".join(r.value for r in Rank)
        raise InvalidRequestError(f"unknown rank {rank!r}; expected one of {choices}", field="rank") from None
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidRequestError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}", field="k")
    if teu is not None and tonnes is not None:
        raise InvalidRequestError("give teu or tonnes, not both", field="tonnes")
    service_level = _service(service)
    box: ContainerType | None = None if container is None else _container(container)
    departure = _date(departure_date)
    season_month = _month(month, departure)
    tonnes_per_teu = _number(tonnes_per_teu, "tonnes_per_teu", low=0.0, high=40.0)
    if tonnes is not None:
        if box is not None:
            raise InvalidRequestError(
                "container applies to TEU shipments; bulk tonnes are priced per wagon, truck or box of each mode",
                field="container",
            )
        tonnes = _number(tonnes, "tonnes", low=0.0, high=MAX_TONNES)
        teu_value, shipment = tonnes / tonnes_per_teu, "tonnes"
    else:
        box = box or ContainerType.FT20
        teu_value = _number(float(box.teu) if teu is None else teu, "teu", low=0.0, high=MAX_TEU)
        if box.teu > 1 and teu_value % box.teu:
            raise InvalidRequestError(
                f"a {box.value} container counts {box.teu} TEU, so teu must be a multiple of {box.teu} "
                f"(whole boxes), got {teu_value:g}",
                field="teu",
            )
        tonnes, shipment = teu_value * tonnes_per_teu, "teu"
    fraction = max_shared_fraction
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0.0 <= fraction <= 1.0:
        raise InvalidRequestError(
            f"max_shared_fraction must be between 0 and 1, got {fraction!r}", field="max_shared_fraction"
        )
    stretch = max_stretch
    if isinstance(stretch, bool) or not isinstance(stretch, int | float) or not 1.0 <= stretch <= MAX_STRETCH:
        raise InvalidRequestError(
            f"max_stretch must be a number from 1 to {MAX_STRETCH:g}, got {stretch!r}", field="max_stretch"
        )
    vot = value_of_time_usd_per_teu_hour
    if isinstance(vot, bool) or not isinstance(vot, int | float) or not math.isfinite(vot) or vot < 0:
        raise InvalidRequestError(
            f"value_of_time_usd_per_teu_hour must be a finite number >= 0, got {vot!r}",
            field="value_of_time_usd_per_teu_hour",
        )
    origin_id = find_place(network, origin, field="origin").id
    destination_id = find_place(network, destination, field="destination").id
    if check_places and origin_id == destination_id:
        raise _same_place(network, origin_id)
    countries = []
    for code in _list(avoid_countries, "avoid_countries", MAX_AVOID):
        normalized = str(code).strip().upper()
        if len(normalized) != 2 or not normalized.isalpha() or not normalized.isascii():
            raise UnknownCountryError(
                f"country code {code!r} is not an ISO 3166-1 alpha-2 code (two letters, e.g. RU)",
                field="avoid_countries",
            )
        if normalized not in network.countries:
            known = ", ".join(sorted(network.countries))
            raise UnknownCountryError(
                f"country {normalized} has no place in the network; known: {known}", field="avoid_countries"
            )
        if normalized not in countries:
            countries.append(normalized)
    places = []
    for query in _list(avoid_places, "avoid_places", MAX_AVOID):
        place_id = find_place(network, query, field="avoid_places").id
        if place_id not in places:
            places.append(place_id)
    links = []
    for link_id in _list(avoid_links, "avoid_links", MAX_AVOID):
        if link_id not in network.links:
            raise UnknownLinkError(f"unknown link {link_id!r} in avoid_links", field="avoid_links")
        if link_id not in links:
            links.append(link_id)
    mode_list: list[Mode] = []
    for item in _list(modes, "modes", 3) if modes is not None else [m.value for m in Mode]:
        try:
            mode = Mode(str(item).strip().lower())
        except ValueError:
            raise UnknownModeError(f"unknown mode {item!r}; expected rail, road or sea", field="modes") from None
        if mode not in mode_list:
            mode_list.append(mode)
    if not mode_list:
        raise InvalidRequestError("modes must name at least one of rail, road, sea", field="modes")
    via_ids = []
    for query in _list(via, "via", MAX_VIA):
        place_id = find_place(network, query, field="via").id
        if check_places and place_id in (origin_id, destination_id):
            raise _via_at_an_end(network, place_id)
        via_ids.append(place_id)
    corridor_id = resolve_corridor(network, corridor).id if corridor else None
    if check_places:
        _check_avoided(network, origin_id, destination_id, via_ids, places, countries)
    return RouteRequest(
        origin=origin_id,
        destination=destination_id,
        rank=rank,
        k=k,
        teu=teu_value,
        tonnes=float(tonnes),
        shipment=shipment,
        avoid_countries=tuple(countries),
        avoid_places=tuple(places),
        avoid_links=tuple(links),
        modes=tuple(mode_list),
        via=tuple(via_ids),
        corridor=corridor_id,
        max_border_crossings=_count(max_border_crossings, "max_border_crossings"),
        max_transshipments=_count(max_transshipments, "max_transshipments"),
        max_shared_fraction=float(fraction),
        max_stretch=float(stretch),
        value_of_time_usd_per_teu_hour=float(vot),
        tonnes_per_teu=tonnes_per_teu,
        service=service_level,
        container=box,
        departure_date=departure,
        month=season_month,
        _resolved=_RESOLVED,
    )


def check_places(network: Network, request: RouteRequest, origin: str, destination: str) -> None:
    """Raise what :func:`resolve_request` raises for ``request``'s options between ``origin`` and ``destination`` (ids).

    Raises
    ------
    SamePlaceError, InvalidRequestError
        The two are the same place, a via place is one of them, or one is avoided (by place or country).
    """
    if origin == destination:
        raise _same_place(network, origin)
    for place_id in request.via:
        if place_id in (origin, destination):
            raise _via_at_an_end(network, place_id)
    _check_avoided(network, origin, destination, request.via, request.avoid_places, request.avoid_countries)


def _same_place(network: Network, place_id: str) -> SamePlaceError:
    return SamePlaceError(f"origin and destination are the same place ({network.places[place_id].name})", field="destination")


def _via_at_an_end(network: Network, place_id: str) -> InvalidRequestError:
    return NetworkConflictError(f"via place {network.places[place_id].name} is the origin or destination", field="via")


def _check_avoided(
    network: Network,
    origin: str,
    destination: str,
    via: Sequence[str],
    avoid_places: Sequence[str],
    avoid_countries: Sequence[str],
) -> None:
    for end, place_id in (("origin", origin), ("destination", destination), *(("via", v) for v in via)):
        place = network.places[place_id]
        if place_id in avoid_places:
            raise NetworkConflictError(f"{end} {place.name} is also in avoid_places", field="avoid_places")
        if place.country in avoid_countries:
            raise NetworkConflictError(
                f"{end} {place.name} is in {place.country}, which avoid_countries excludes", field="avoid_countries"
            )


def check_request(network: Network, request: RouteRequest) -> None:
    """Check that a request's place and corridor ids belong to ``network`` (it may have been resolved on another).

    Raises
    ------
    UnknownPlaceError, UnknownCorridorError
        An id the network does not have, with the field it came from.
    """
    if not isinstance(request, RouteRequest):
        raise InvalidRequestError(
            f"expected a RouteRequest from planner.resolve_request, got {type(request).__name__}", field="request"
        )
    for name, ids in (
        ("origin", (request.origin,)),
        ("destination", (request.destination,)),
        ("via", request.via),
        ("avoid_places", request.avoid_places),
    ):
        for place_id in ids:
            if place_id not in network.places:
                raise UnknownPlaceError(place_id, field=name)
    if request.corridor is not None and request.corridor not in network.corridors:
        resolve_corridor(network, request.corridor)
