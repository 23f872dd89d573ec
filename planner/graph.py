"""The network as a networkx graph: places are nodes, links are keyed edges.

:attr:`planner.Network.graph` is a frozen :class:`networkx.MultiDiGraph` built once per network.
Its structure cannot change (:func:`networkx.freeze`) and its attribute dictionaries are read-only,
so every request and thread can read it at once. Run networkx on it directly (docs/networkx.md);
the router searches an index compiled from it (:mod:`planner._compile`).

Nodes are place ids, with the place's attributes:

==================  ====================================================================
``name``            the place's name
``country``         ISO 3166-1 alpha-2 code
``lat``, ``lon``    degrees
``kinds``           frozenset of :class:`~planner.PlaceKind`
``aliases``         other names
``border``          :class:`~planner.Border` (dwell and fees at a border crossing, by mode, direction and
                    service level) or None
``gauge_change``    :class:`~planner.GaugeChange` or None
``transshipments``  tuple of :class:`~planner.Transshipment` (handling between two modes)
``delay_hours``     hours added to every arrival (set by scenarios only; 0 otherwise)
``capacity``        :class:`~planner.PlaceCapacity` (border, gauge change, transshipment) or None
``sources``         source keys of the place's figures; ``estimate`` the reason when estimated
``note``            free text or None
==================  ====================================================================

Each link is one edge per direction it runs (two for a two-way link), keyed by the link id, so
``graph.edges[a, b, link_id]`` is the link travelled from ``a`` to ``b``. Planned links are edges
too (``status == "planned"``); the weight functions of :func:`planner.weight` hide them.

========================  ==============================================================================
``id``                    the link id (also the edge key)
``mode``                  :class:`~planner.Mode`; ``gauge_mm`` 1435/1520 for rail, else None
``status``                :class:`~planner.LinkStatus`
``distance_km``           length
``departures_per_week``   departures a week of the ``scheduled`` service level, or None (no timetable)
``hours``                 typical hours from departure at one end to arrival at the other at the default
                          service level (``scheduled``): for a sea or road link with a timetable, half the
                          headway waiting for a departure; any slot queue; running time; border dwell at
                          both ends (leaving the departure country, entering the arrival country, when the
                          link crosses a border with controls), the ``transit_border`` dwell at the entry
                          and exit of each transit country, and any scenario delay at the arrival place;
                          ``hours_min``/``hours_max`` the same sums of each part's range. A rail link's
                          departure wait is not in it: trains run through, and the wait is charged only
                          where the link is boarded (``boarding_parts``)
``hours_parts``           those parts, as :class:`TimePart`
``service_parts``         the parts at each :class:`~planner.ServiceLevel`, a :class:`ByService`
                          (``hours_parts`` is its ``scheduled`` entry)
``boarding_parts``        per service level (a :class:`ByService`), the departure wait of a rail link with
                          a timetable this way, charged when a route boards it (at its origin or after a
                          gauge change or transshipment), else None
``season``                id of the season adding wait by month (``network.seasons``), or None
``cost_usd_per_teu``      tariff (the link's own, else distance x the mode's rate) plus border fees
                          (the departure post's fee for leaving, the arrival post's for entering)
``co2e_kg_per_tonne``     distance x the link's (else the mode's) emission factor
``countries``             the countries passed in travel order: the departure place's, any transit
                          countries, the arrival place's (``("TR", "BG", "RS", "HU")``)
``transit_countries``     the countries passed between the ends, in travel order (usually empty)
``border_crossing``       the link crosses at least one border
``border_crossings``      how many: one per change of country in ``countries`` (a transit country
                          adds its entry and exit)
``corridors``             ids of the corridors whose lines run over this link
``capacity``              tuple of :class:`~planner.Capacity` (empty when none is published)
``sources``, ``estimate``  the link's provenance (source keys; the reason when estimated)
``link``                  the :class:`~planner.Link` as written in the file: every figure with its own
                          provenance
========================  ==============================================================================

Changing mode or gauge happens at a place (``transshipments``, ``gauge_change``), not on an edge:
a path over this graph is exact for one mode (and one rail gauge); the planner's compiled index
adds the changes between modes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, NoReturn

import networkx as nx

from ._gc import without_cyclic_gc
from .model import BorderDirection, Corridor, Link, Mode, ModeDefaults, NetworkInfo, Place, ServiceLevel

__all__ = [
    "HOURS_PER_WEEK",
    "SERVICE_LEVELS",
    "ByService",
    "GraphBase",
    "TimePart",
    "build_graph",
    "corridor_link_ids",
    "link_label",
]

HOURS_PER_WEEK = 168.0
SERVICE_LEVELS: tuple[ServiceLevel, ...] = (ServiceLevel.EXPRESS, ServiceLevel.SCHEDULED, ServiceLevel.STANDARD)

PartKind = Literal["wait", "queue", "running", "border", "transit", "delay"]


class TimePart(NamedTuple):
    """One independent part of an edge's time, in hours (min, typical, max).

    ``place`` is where a border dwell or a scenario delay happens (None for waits and running);
    ``direction`` is ``"leaving"`` or ``"entering"`` for a border dwell.
    A ``transit`` part is the dwell entering (``entry``) or leaving a transit ``country`` of the link.
    """

    kind: PartKind
    place: str | None
    min: float
    typical: float
    max: float
    direction: str | None = None
    country: str | None = None
    entry: bool = False


class ByService(tuple):  # type: ignore[type-arg]
    """A value per service level, read as ``values[ServiceLevel.EXPRESS]`` or ``values["express"]``.

    Immutable and small (a 3-tuple): one of these per graph edge costs far less than a dict.
    """

    __slots__ = ()

    def __new__(cls, express: Any, scheduled: Any, standard: Any) -> ByService:
        return tuple.__new__(cls, (express, scheduled, standard))

    def __getitem__(self, level: Any) -> Any:
        return tuple.__getitem__(self, _LEVEL_INDEX[level])

    def keys(self) -> tuple[ServiceLevel, ...]:
        return SERVICE_LEVELS

    def values(self) -> tuple[Any, ...]:
        return tuple(self.__iter__())

    def items(self) -> tuple[tuple[ServiceLevel, Any], ...]:
        return tuple(zip(SERVICE_LEVELS, self.values(), strict=True))

    def __reduce__(self) -> tuple[Any, ...]:
        return (ByService, tuple(self.values()))


_LEVEL_INDEX: dict[Any, int] = {level: i for i, level in enumerate(SERVICE_LEVELS)}
_LEVEL_INDEX.update({level.value: i for i, level in enumerate(SERVICE_LEVELS)})
_NO_BOARDING = ByService(None, None, None)


class _ReadOnlyDict(dict[str, Any]):
    """An attribute dictionary of the shared graph: readable like a dict, never written to.

    Copies (``copy``, :func:`copy.deepcopy`, pickling) are plain, writable dicts.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("the network graph is shared and read-only; copy it first (graph.copy())")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _refuse

    def copy(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, object]) -> dict[str, Any]:
        return {key: copy.deepcopy(value, memo) for key, value in self.items()}

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        return (dict, (dict(self),))


def corridor_link_ids(
    corridors: Mapping[str, Corridor], links: Iterable[Link], *, main_line_only: bool = False
) -> dict[str, frozenset[str]]:
    """Link ids on each corridor: every link joining two consecutive places of one of its lines.

    With ``main_line_only`` the branches are left out.
    """
    by_pair: dict[frozenset[str], list[str]] = {}
    for link in links:
        by_pair.setdefault(frozenset(link.ends), []).append(link.id)
    out: dict[str, frozenset[str]] = {}
    for corridor in corridors.values():
        ids: set[str] = set()
        for line in (corridor.places,) if main_line_only else corridor.lines:
            for a, b in zip(line, line[1:], strict=False):
                ids.update(by_pair.get(frozenset((a, b)), ()))
        out[corridor.id] = frozenset(ids)
    return out


def link_label(link: Link, places: Mapping[str, Place]) -> str:
    """A link as people read it on the map: ``"Aktau port–Port of Baku at Alat sea link (l156)"``."""
    a = places[link.origin].name if link.origin in places else link.origin
    b = places[link.destination].name if link.destination in places else link.destination
    return f"{a}–{b} {link.mode.value} link ({link.id})"


class _Shared:
    """Parts and small tuples many edges have in common, made once per graph: fewer objects to keep and to scan."""

    def __init__(self) -> None:
        self.borders: dict[tuple[str, Mode, BorderDirection, ServiceLevel], TimePart] = {}
        self.delays: dict[str, TimePart] = {}
        self.pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def link_parts(self, link: Link, defaults: ModeDefaults, service: ServiceLevel) -> tuple[TimePart, ...]:
        """The parts of a link the same in both directions: a departure wait (not for rail), a queue, running."""
        parts: list[TimePart] = []
        timetable = link.departures.at(service) if link.departures is not None else None
        if timetable is not None and link.mode is not Mode.RAIL:
            # Dropped again for the reverse of a one-direction timetable (see _edge_attributes).
            headway = timetable.headway_hours
            parts.append(TimePart("wait", None, 0.0, headway / 2.0, headway))
        if link.queue_hours is not None and link.queue_hours.at(service).max > 0:
            q = link.queue_hours.at(service)
            parts.append(TimePart("queue", None, q.min, q.typical, q.max))
        if link.transit_hours is not None:
            t = link.transit_hours
            parts.append(TimePart("running", None, t.min, t.typical, t.max))
        else:
            running = link.distance_km.value / defaults.speed_kmh.value
            parts.append(TimePart("running", None, running, running, running))
        return tuple(parts)

    def direction_parts(
        self, link: Link, origin: Place, destination: Place, service: ServiceLevel
    ) -> tuple[TimePart, ...]:
        """The parts of one direction, in travel order: border dwell leaving the origin's country, at the entry
        and exit of each transit country, entering the destination's; a scenario delay on arrival."""
        parts: list[TimePart] = []
        if (origin.country != destination.country or link.transit_countries) and link.border_controls:
            transit = link.transit_countries if origin.id == link.origin else link.transit_countries[::-1]
            for place, direction in ((origin, BorderDirection.LEAVING), (destination, BorderDirection.ENTERING)):
                if place is destination and link.transit_border is not None:
                    controls = link.transit_border.for_mode(link.mode)
                    for country in transit:
                        for entry, way in ((True, BorderDirection.ENTERING), (False, BorderDirection.LEAVING)):
                            dwell = controls.dwell(way, service)
                            parts.append(
                                TimePart(
                                    "transit", None, dwell.min, dwell.typical, dwell.max, way.value, country=country, entry=entry
                                )
                            )
                if place.border is not None:
                    key = (place.id, link.mode, direction, service)
                    part = self.borders.get(key)
                    if part is None:
                        dwell = place.border.for_mode(link.mode).dwell(direction, service)
                        part = self.borders[key] = TimePart(
                            "border", place.id, dwell.min, dwell.typical, dwell.max, direction.value
                        )
                    parts.append(part)
        if destination.delay_hours:
            part = self.delays.get(destination.id)
            if part is None:
                d = destination.delay_hours
                part = self.delays[destination.id] = TimePart("delay", destination.id, d, d, d)
            parts.append(part)
        return tuple(parts)

    def pair(self, a: str, b: str) -> tuple[str, str]:
        return self.pairs.setdefault((a, b), (a, b))


def _sums(parts: tuple[TimePart, ...]) -> tuple[float, float, float]:
    # Summed in order from int 0, like sum(): the compiled index and the weights see identical floats.
    low: float = 0
    typical: float = 0
    high: float = 0
    for part in parts:
        low += part.min
        typical += part.typical
        high += part.max
    return low, typical, high


def _link_uniform(link: Link) -> bool:
    d, q = link.departures, link.queue_hours
    return (d is None or d.express is d.scheduled is d.standard) and (q is None or q.express is q.scheduled is q.standard)


def _boarding(link: Link, service: ServiceLevel, forward: bool) -> TimePart | None:
    timetable = link.departures.at(service) if link.departures is not None else None
    if timetable is None or link.mode is not Mode.RAIL or not timetable.applies(forward):
        return None
    headway = timetable.headway_hours
    return TimePart("wait", None, 0.0, headway / 2.0, headway)


def _same_at_every_level(link: Link, origin: Place, destination: Place) -> bool:
    """Whether nothing on this link and at its ends differs by service level (most links): then one set of parts."""
    d, q = link.departures, link.queue_hours
    if d is not None and not (d.express is d.scheduled is d.standard):
        return False
    if q is not None and not (q.express is q.scheduled is q.standard):
        return False
    if (origin.country != destination.country or link.transit_countries) and link.border_controls:
        borders = [place.border for place in (origin, destination) if place.border is not None]
        if link.transit_border is not None and link.transit_countries:
            borders.append(link.transit_border)
        for border in borders:
            if border is not None:
                controls = border.for_mode(link.mode)
                for hours in (controls.entering, controls.leaving):
                    if not (hours.express is hours.scheduled is hours.standard):
                        return False
    return True


def _edge_attributes(
    link: Link,
    origin: Place,
    destination: Place,
    defaults: ModeDefaults,
    corridors: tuple[str, ...],
    common: dict[ServiceLevel, tuple[TimePart, ...]],
    shared: _Shared,
) -> _ReadOnlyDict:
    forward = origin.id == link.origin
    uniform = _same_at_every_level(link, origin, destination)
    parts_by_level: list[tuple[TimePart, ...]] = []
    for service in (ServiceLevel.SCHEDULED,) if uniform else SERVICE_LEVELS:
        extra = shared.direction_parts(link, origin, destination, service)
        level_parts = common[service] + extra if extra else common[service]
        timetable = link.departures.at(service) if link.departures is not None else None
        if timetable is not None and not timetable.applies(forward):
            level_parts = tuple(p for p in level_parts if p.kind != "wait")
        # One tuple for the levels a link does not distinguish.
        parts_by_level.append(next((p for p in parts_by_level if p == level_parts), level_parts))
    if uniform:
        parts = parts_by_level[0]
        service_parts = ByService(parts, parts, parts)
    else:
        service_parts = ByService(*parts_by_level)
        parts = service_parts[ServiceLevel.SCHEDULED]
    low, typical, high = _sums(parts)
    distance = link.distance_km.value
    cost = link.cost_usd_per_teu.value if link.cost_usd_per_teu is not None else distance * defaults.cost_usd_per_teu_km.value
    if (origin.country != destination.country or link.transit_countries) and link.border_controls:
        for place, direction in ((origin, BorderDirection.LEAVING), (destination, BorderDirection.ENTERING)):
            if place.border is not None:
                cost += place.border.for_mode(link.mode).fee(direction).value
        if link.transit_border is not None:
            controls = link.transit_border.for_mode(link.mode)
            for _ in link.transit_countries:  # entering and leaving each transit country
                cost += controls.fee(BorderDirection.ENTERING).value
                cost += controls.fee(BorderDirection.LEAVING).value
    factor = link.co2e_g_per_tonne_km or defaults.co2e_g_per_tonne_km
    timetable = link.departures.at(ServiceLevel.SCHEDULED) if link.departures is not None else None
    if timetable is not None and not timetable.applies(forward):
        timetable = None
    boarding = _NO_BOARDING
    if link.departures is not None and link.mode is Mode.RAIL:
        made: dict[int, TimePart | None] = {}  # one part for the levels that share a timetable
        for service in SERVICE_LEVELS:
            timetable_id = id(link.departures.at(service))
            if timetable_id not in made:
                made[timetable_id] = _boarding(link, service, forward)
        boarding = ByService(*(made[id(link.departures.at(service))] for service in SERVICE_LEVELS))
        if boarding == _NO_BOARDING:
            boarding = _NO_BOARDING
    reverse = origin.id != link.origin
    countries = link.countries_between(
        destination.country if reverse else origin.country, origin.country if reverse else destination.country, reverse=reverse
    )
    crossings = sum(1 for x, y in zip(countries, countries[1:], strict=False) if x != y)
    return _ReadOnlyDict(
        id=link.id,
        mode=link.mode,
        gauge_mm=link.gauge_mm,
        status=link.status,
        distance_km=distance,
        departures_per_week=timetable.per_week.value if timetable is not None else None,
        hours=typical,
        hours_min=low,
        hours_max=high,
        hours_parts=parts,
        service_parts=service_parts,
        boarding_parts=boarding,
        season=link.season,
        cost_usd_per_teu=cost,
        co2e_kg_per_tonne=distance * factor.value / 1000.0,
        countries=shared.pair(origin.country, destination.country) if len(countries) == 2 else countries,
        transit_countries=countries[1:-1],
        border_crossing=crossings > 0,
        border_crossings=crossings,
        corridors=corridors,
        capacity=link.capacity,
        sources=link.provenance.sources,
        estimate=link.provenance.estimate,
        link=link,
    )


def _node_attributes(place: Place) -> _ReadOnlyDict:
    return _ReadOnlyDict(
        name=place.name,
        country=place.country,
        lat=place.lat,
        lon=place.lon,
        kinds=place.kinds,
        aliases=place.aliases,
        border=place.border,
        gauge_change=place.gauge_change,
        transshipments=place.transshipments,
        delay_hours=place.delay_hours,
        capacity=place.capacity,
        sources=place.provenance.sources,
        estimate=place.provenance.estimate,
        note=place.note,
    )


@dataclass(frozen=True, slots=True)
class GraphBase:
    """The content and graph of a network another one is derived from (by a scenario).

    Nodes and edges whose inputs are the very same objects are shared with its graph, not rebuilt:
    both graphs are read-only, and a scenario changes few places and links.
    """

    places: Mapping[str, Place]
    links: Mapping[str, Link]
    modes: Mapping[Mode, ModeDefaults]
    graph: nx.MultiDiGraph


@without_cyclic_gc()
def build_graph(
    info: NetworkInfo,
    places: Mapping[str, Place],
    links: Mapping[str, Link],
    corridors: Mapping[str, Corridor],
    modes: Mapping[Mode, ModeDefaults],
    *,
    base: GraphBase | None = None,
) -> nx.MultiDiGraph:
    """The frozen graph of a network's content (see the module docstring for its attributes)."""
    graph = nx.MultiDiGraph()
    graph.graph = _ReadOnlyDict(
        id=info.id, name=info.name, version=info.version, description=info.description, currency_year=info.currency_year
    )
    # Filled in networkx's own layout (node -> attributes; node -> neighbour -> key -> attributes, the
    # key dicts shared by successors and predecessors) with read-only attribute dicts made once: at
    # 300,000 places add_edge and a second pass to wrap every dict cost seconds.
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    shared_nodes = base.graph._node if base is not None else {}
    for place_id, place in places.items():
        same = base is not None and base.places.get(place_id) is place
        nodes[place_id] = shared_nodes[place_id] if same else _node_attributes(place)
        succ[place_id] = {}
        pred[place_id] = {}
    membership: dict[str, list[str]] = {}
    for corridor_id, ids in corridor_link_ids(corridors, links.values()).items():
        for link_id in ids:
            membership.setdefault(link_id, []).append(corridor_id)
    shared = _Shared()
    for link in links.values():
        on = tuple(membership.get(link.id, ()))
        a, b = places[link.origin], places[link.destination]
        defaults = modes[link.mode]
        same = (
            base is not None
            and base.links.get(link.id) is link
            and base.places.get(a.id) is a
            and base.places.get(b.id) is b
            and base.modes.get(link.mode) is defaults
        )
        common: dict[ServiceLevel, tuple[TimePart, ...]] | None = None
        for u, v in ((a, b), (b, a)) if link.bidirectional else ((a, b),):
            data = base.graph._succ[u.id][v.id][link.id] if same and base is not None else None
            if data is None or data["corridors"] != on:
                if common is None:
                    common = {}
                    for service in SERVICE_LEVELS:
                        if common and _link_uniform(link):
                            common[service] = common[ServiceLevel.EXPRESS]
                            continue
                        parts = shared.link_parts(link, defaults, service)
                        # One tuple for the levels a link does not distinguish.
                        common[service] = next((p for p in common.values() if p == parts), parts)
                data = _edge_attributes(link, u, v, defaults, on, common, shared)
            keydict = succ[u.id].get(v.id)
            if keydict is None:
                keydict = succ[u.id][v.id] = pred[v.id][u.id] = {}
            keydict[link.id] = data
    nx.freeze(graph)
    return graph
