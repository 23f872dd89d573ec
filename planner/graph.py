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
``border``          :class:`~planner.Border` (dwell and fee at a border crossing) or None
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
``departures_per_week``   scheduled departures, or None (no wait modelled)
``hours``                 typical hours from departure at one end to arrival at the other: half the
                          headway waiting for a departure, running time, border dwell at both ends
                          (when the link crosses a border with controls), the ``transit_border``
                          dwell at the entry and exit of each transit country, and any scenario delay
                          at the arrival place; ``hours_min``/``hours_max`` the same sums of each
                          part's range
``hours_parts``           those parts, as :class:`TimePart`
``cost_usd_per_teu``      tariff (the link's own, else distance x the mode's rate) plus border fees
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
from .model import Corridor, Link, Mode, ModeDefaults, NetworkInfo, Place

__all__ = ["HOURS_PER_WEEK", "GraphBase", "TimePart", "build_graph", "corridor_link_ids", "link_label"]

HOURS_PER_WEEK = 168.0

PartKind = Literal["wait", "running", "border", "transit", "delay"]


class TimePart(NamedTuple):
    """One independent part of an edge's time, in hours (min, typical, max).

    ``place`` is where a border dwell or a scenario delay happens (None for waits and running).
    A ``transit`` part is the dwell entering (``entry``) or leaving a transit ``country`` of the link.
    """

    kind: PartKind
    place: str | None
    min: float
    typical: float
    max: float
    country: str | None = None
    entry: bool = False


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
        self.borders: dict[str, TimePart] = {}
        self.delays: dict[str, TimePart] = {}
        self.pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def link_parts(self, link: Link, defaults: ModeDefaults) -> tuple[TimePart, ...]:
        """The parts of a link the same in both directions: waiting for a departure, then running."""
        parts: list[TimePart] = []
        if link.departures_per_week is not None:
            headway = HOURS_PER_WEEK / link.departures_per_week.value
            parts.append(TimePart("wait", None, 0.0, headway / 2.0, headway))
        if link.transit_hours is not None:
            t = link.transit_hours
            parts.append(TimePart("running", None, t.min, t.typical, t.max))
        else:
            running = link.distance_km.value / defaults.speed_kmh.value
            parts.append(TimePart("running", None, running, running, running))
        return tuple(parts)

    def direction_parts(self, link: Link, origin: Place, destination: Place) -> tuple[TimePart, ...]:
        """The parts of one direction, in travel order: border dwell leaving the origin, at the entry and exit
        of each transit country, arriving at the destination; a scenario delay on arrival."""
        parts: list[TimePart] = []
        if (origin.country != destination.country or link.transit_countries) and link.border_controls:
            transit = link.transit_countries if origin.id == link.origin else link.transit_countries[::-1]
            for place in (origin, destination):
                if place is destination and link.transit_border is not None:
                    dwell = link.transit_border.dwell_hours
                    for country in transit:
                        for entry in (True, False):
                            parts.append(TimePart("transit", None, dwell.min, dwell.typical, dwell.max, country, entry))
                if place.border is not None:
                    part = self.borders.get(place.id)
                    if part is None:
                        dwell = place.border.dwell_hours
                        part = self.borders[place.id] = TimePart("border", place.id, dwell.min, dwell.typical, dwell.max)
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


def _edge_attributes(
    link: Link,
    origin: Place,
    destination: Place,
    defaults: ModeDefaults,
    corridors: tuple[str, ...],
    common: tuple[TimePart, ...],
    shared: _Shared,
) -> _ReadOnlyDict:
    extra = shared.direction_parts(link, origin, destination)
    parts = common + extra if extra else common
    # Summed in order from int 0, like sum(): the compiled index and the weights see identical floats.
    low: float = 0
    typical: float = 0
    high: float = 0
    for part in parts:
        low += part.min
        typical += part.typical
        high += part.max
    distance = link.distance_km.value
    cost = link.cost_usd_per_teu.value if link.cost_usd_per_teu is not None else distance * defaults.cost_usd_per_teu_km.value
    for part in extra:
        if part.kind == "border":
            place = origin if part.place == origin.id else destination
            assert place.border is not None
            cost += place.border.fee_usd_per_teu.value
        elif part.kind == "transit":
            assert link.transit_border is not None
            cost += link.transit_border.fee_usd_per_teu.value
    factor = link.co2e_g_per_tonne_km or defaults.co2e_g_per_tonne_km
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
        departures_per_week=link.departures_per_week.value if link.departures_per_week is not None else None,
        hours=typical,
        hours_min=low,
        hours_max=high,
        hours_parts=parts,
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
        common: tuple[TimePart, ...] | None = None
        for u, v in ((a, b), (b, a)) if link.bidirectional else ((a, b),):
            data = base.graph._succ[u.id][v.id][link.id] if same and base is not None else None
            if data is None or data["corridors"] != on:
                common = common or shared.link_parts(link, defaults)
                data = _edge_attributes(link, u, v, defaults, on, common, shared)
            keydict = succ[u.id].get(v.id)
            if keydict is None:
                keydict = succ[u.id][v.id] = pred[v.id][u.id] = {}
            keydict[link.id] = data
    nx.freeze(graph)
    return graph
