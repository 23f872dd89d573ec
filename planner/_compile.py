"""The state-expanded graph the router searches, compiled once per network from ``network.graph``.

Each place becomes one node per mode state it has links for (``rail1435``, ``rail1520``,
``road``, ``sea``). Link edges join the same state at two places and carry the link's
travel, queue and border figures; transfer edges join two states of one place and carry
transshipment or gauge-change figures. Two more node roles model waiting for a service:

- a *boarding* node of a rail state, where a route enters the state after a change of mode or
  gauge; a link with a timetable adds the wait for its departure and puts the route on that
  service (trains run through places, so a route arriving on a service never waits there); a
  link without one leaves the route boarding at the next place (the first timetabled link it
  takes is waited for);
- an *origin* node of a state, where routes start; its link edges add the wait for the link's
  timetabled departure or, where the link has no timetable at a service level, the mode's
  ``origin_wait_hours`` (wagon supply, train formation). It has no transfer edges: a route that
  uses a mode from its origin starts in that mode (so a change at the origin cannot dodge a wait).

Every time figure exists once per service level (:class:`LevelFigures`); costs are stored per
TEU of a 20 ft box (with the mode whose 40 ft ratio applies) and CO2e per tonne, so that a
request only scales them. Nothing here depends on a request.

A route changes state at most once in a row at a place (the search never takes two transfer
edges in a row, see :mod:`planner._search`). Where the data allows a change between two states
only through a third (sea -> road -> rail at a port with no sea/rail handling), that chain is one
*composite* transfer edge carrying each handling's figures and events; where a direct change
exists, no chain is compiled, so a route never handles a unit twice to save on the direct figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ._gc import without_cyclic_gc
from .cache import CacheSlot
from .graph import SERVICE_LEVELS, TimePart
from .model import BorderDirection, LinkStatus, Mode, ServiceHours, ServiceLevel, Timetable
from .network import Network
from .route import EventKind

# (min, typical, max) hours of one independent time component of an edge.
Part = tuple[float, float, float]

THROUGH, BOARDING, ORIGIN = 0, 1, 2
"""Node roles: arriving or passing through; entering a state after a change to board a service; starting a route."""

LINK, TRANSFER = 0, 1
"""Edge kinds: a link travelled; a change of mode or gauge at a place."""

_SCHEDULED_ONLY = (ServiceLevel.SCHEDULED,)


@dataclass(frozen=True, slots=True)
class EventTemplate:
    kind: EventKind
    place: str
    hours: Part
    cost_usd_per_teu: float
    description: str
    from_mode: Mode | None = None
    to_mode: Mode | None = None
    from_country: str | None = None
    to_country: str | None = None
    from_gauge_mm: int | None = None
    to_gauge_mm: int | None = None
    departures_per_week: float | None = None
    direction: str | None = None
    cost_mode: Mode | None = None
    """The mode whose 40 ft ratio and bulk load unit price this event's cost."""


@dataclass(frozen=True, slots=True)
class Timed:
    """A departure wait whose weekdays are published: the part's index in its edge, and the weekdays (0 = Monday)."""

    part: int
    weekdays: tuple[int, ...]


@dataclass(slots=True)
class LevelFigures:
    """The time figures of every edge at one service level (lists indexed by edge)."""

    hours: list[float] = field(default_factory=list)
    hours_min: list[float] = field(default_factory=list)
    hours_max: list[float] = field(default_factory=list)
    parts: list[tuple[Part, ...]] = field(default_factory=list)
    # A stable name per part (same link, direction and kind -> same name in every process, scenario
    # and service level): it seeds that part's Monte Carlo draws, see planner._pricing.
    part_keys: list[tuple[str, ...]] = field(default_factory=list)
    events: list[tuple[EventTemplate, ...]] = field(default_factory=list)
    timed: dict[int, tuple[Timed, ...]] = field(default_factory=dict)
    """The departure waits with published weekdays, of the edges that have some (few do)."""


def _sum(parts: tuple[Part, ...]) -> Part:
    low: float = 0
    typical: float = 0
    high: float = 0
    for a, b, c in parts:
        low += a
        typical += b
        high += c
    return (low, typical, high)


class _Level:
    """One edge's figures at one level, before they are appended (with the sums of its parts)."""

    __slots__ = ("events", "keys", "parts", "sums", "timed")

    def __init__(
        self, parts: tuple[Part, ...], keys: tuple[str, ...], events: tuple[EventTemplate, ...], timed: tuple[Timed, ...] = ()
    ) -> None:
        self.parts = parts
        self.keys = keys
        self.events = events
        self.timed = timed
        self.sums = _sum(parts)


def state_of(mode: Mode, gauge_mm: int | None) -> str:
    """The mode state a link runs in: ``rail1435``, ``rail1520``, ``road`` or ``sea``."""
    if mode is Mode.RAIL:
        return f"rail{gauge_mm}"
    return mode.value


def _mode_of_state(state: str) -> Mode:
    return Mode.RAIL if state.startswith("rail") else Mode(state)


class CompiledGraph:
    """Arrays describing the state-expanded graph; read-only after construction."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.node_place: list[str] = []
        self.node_state: list[str] = []
        self.node_role: list[int] = []
        self.node_mode: list[Mode] = []
        """The mode of each node's state: the mode whose 40 ft ratio and bulk units price the edges into it."""
        self.place_nodes: dict[str, list[int]] = {}
        """Every node of a place: where routes may end (and what avoiding a place bans)."""
        self.start_nodes: dict[str, list[int]] = {}
        """Where routes starting at a place begin: one node per state (its origin or entry node)."""
        self._node_index: dict[tuple[str, str, int], int] = {}
        self.adj: list[list[tuple[int, int]]] = []
        self.edge_src: list[int] = []
        self.edge_dst: list[int] = []
        self.edge_kind: list[int] = []
        self.edge_link: list[str | None] = []
        self.edge_place: list[str | None] = []
        self.edge_season: dict[int, str] = {}
        """The season of the edges that have one (few do)."""
        self.cost_teu: list[float] = []
        self.co2e_t: list[float] = []
        self.distance: list[float] = []
        self.border: list[int] = []
        self.transship: list[int] = []
        shared = LevelFigures()
        self.levels: dict[ServiceLevel, LevelFigures] = dict.fromkeys(SERVICE_LEVELS, shared)
        """The time figures by service level; the same object for every level until some edge differs by level."""
        self._split = False
        self._origin_waits: dict[str, ServiceHours | None] = {}
        self._wait_events: dict[tuple[str, float, tuple[int, ...], Part], EventTemplate] = {}
        self.rail_timetables = False
        """Whether any rail link has a timetable (then rail states have boarding nodes)."""
        with without_cyclic_gc():
            self._build()
        # Build-time indexes only: nodes are not added after construction.
        self._wait_events.clear()
        self._node_index.clear()

    # The default service level's figures, by their historical names.
    @property
    def hours(self) -> list[float]:
        return self.levels[ServiceLevel.SCHEDULED].hours

    @property
    def hours_min(self) -> list[float]:
        return self.levels[ServiceLevel.SCHEDULED].hours_min

    @property
    def hours_max(self) -> list[float]:
        return self.levels[ServiceLevel.SCHEDULED].hours_max

    @property
    def parts(self) -> list[tuple[Part, ...]]:
        return self.levels[ServiceLevel.SCHEDULED].parts

    @property
    def part_keys(self) -> list[tuple[str, ...]]:
        return self.levels[ServiceLevel.SCHEDULED].part_keys

    @property
    def events(self) -> list[tuple[EventTemplate, ...]]:
        return self.levels[ServiceLevel.SCHEDULED].events

    # -- construction ------------------------------------------------------------------------

    def node(self, place: str, state: str, role: int = THROUGH) -> int:
        key = (place, state, role)
        index = self._node_index.get(key)
        if index is None:
            index = len(self.node_place)
            self._node_index[key] = index
            self.node_place.append(place)
            self.node_state.append(state)
            self.node_role.append(role)
            self.node_mode.append(_mode_of_state(state))
            self.place_nodes.setdefault(place, []).append(index)
            self.adj.append([])
        return index

    def entry(self, place: str, state: str) -> int:
        """The node a route enters a state at (its boarding node where it has one)."""
        boarding = self._node_index.get((place, state, BOARDING))
        return boarding if boarding is not None else self.node(place, state)

    def _edge(
        self,
        src: int,
        dst: int,
        kind: int,
        *,
        link: str | None,
        place: str | None,
        levels: Mapping[ServiceLevel, _Level],
        cost_teu: float,
        co2e_t: float,
        distance: float,
        border: int,
        transship: int,
        season: str | None = None,
    ) -> None:
        index = len(self.edge_src)
        self.edge_src.append(src)
        self.edge_dst.append(dst)
        self.edge_kind.append(kind)
        self.edge_link.append(link)
        self.edge_place.append(place)
        if season is not None:
            self.edge_season[index] = season
        self.cost_teu.append(cost_teu)
        self.co2e_t.append(co2e_t)
        self.distance.append(distance)
        self.border.append(border)
        self.transship.append(transship)
        scheduled = levels[ServiceLevel.SCHEDULED]
        if not self._split and not (levels[ServiceLevel.EXPRESS] is scheduled is levels[ServiceLevel.STANDARD]):
            self._split_levels()
        # Unsplit, every level is the one LevelFigures: append once.
        for service in SERVICE_LEVELS if self._split else _SCHEDULED_ONLY:
            level = levels[service]
            figures = self.levels[service]
            low, typical, high = level.sums
            figures.hours.append(typical)
            figures.hours_min.append(low)
            figures.hours_max.append(high)
            figures.parts.append(level.parts)
            figures.part_keys.append(level.keys)
            figures.events.append(level.events)
            if level.timed:
                figures.timed[index] = level.timed
        self.adj[src].append((dst, index))

    def _split_levels(self) -> None:
        """Give each service level lists of its own, from the first edge whose figures differ by level on.

        Until then (and for a network where nothing differs by level) the levels share one set of lists.
        """
        shared = self.levels[ServiceLevel.SCHEDULED]
        for service in SERVICE_LEVELS:
            if service is not ServiceLevel.SCHEDULED:
                self.levels[service] = LevelFigures(
                    list(shared.hours), list(shared.hours_min), list(shared.hours_max), list(shared.parts),
                    list(shared.part_keys), list(shared.events), dict(shared.timed),
                )  # fmt: skip
        self._split = True

    def _copy(self, other: CompiledGraph, edge: int, src: int, dst: int) -> None:
        """Add ``other``'s edge (the same figures) from node ``src`` to node ``dst``."""
        made: dict[tuple[int, ...], _Level] = {}
        levels = {}
        for service in SERVICE_LEVELS:
            f = other.levels[service]
            items = (f.parts[edge], f.part_keys[edge], f.events[edge], f.timed.get(edge, ()))
            key = tuple(id(x) for x in items)
            levels[service] = made.get(key) or made.setdefault(key, _Level(*items))
        self._edge(
            src,
            dst,
            other.edge_kind[edge],
            link=other.edge_link[edge],
            place=other.edge_place[edge],
            levels=levels,
            cost_teu=other.cost_teu[edge],
            co2e_t=other.co2e_t[edge],
            distance=other.distance[edge],
            border=other.border[edge],
            transship=other.transship[edge],
            season=other.edge_season.get(edge),
        )

    def _build(self) -> None:
        graph = self.network.graph
        base = _base_of(self.network)
        # A first pass for what decides the nodes: each place's states and whether any rail link has a timetable.
        states: dict[str, list[str]] = {}
        timetables = False
        for a, b, _, data in graph.edges(keys=True, data=True):
            if data["status"] is not LinkStatus.OPERATIONAL:
                continue
            state = state_of(data["mode"], data["gauge_mm"])
            for place in (a, b):
                known = states.setdefault(place, [])
                if state not in known:
                    known.append(state)
            timetables = timetables or (data["mode"] is Mode.RAIL and any(data["boarding_parts"]))
        # Boarding nodes, where a route enters a rail state after a change of mode or gauge: a link with a
        # timetable adds its wait and puts the route on that service (a through node); a link without one
        # keeps it boarding, so a detour cannot reach a timetabled link as if through.
        self.rail_timetables = timetables
        origins = {(p, st) for p, found in states.items() for st in found if self._needs_origin(graph.nodes[p], st, found)}
        for a, b, link_id, data in graph.edges(keys=True, data=True):
            if data["status"] is not LinkStatus.OPERATIONAL:
                continue
            state = state_of(data["mode"], data["gauge_mm"])
            self._add_link_edges(a, b, state, link_id, data, base, origin=(a, state) in origins)
        for place_id in list(self.place_nodes):
            self._add_transfers(place_id, graph.nodes[place_id], base)
        for place_id, found in states.items():
            self.start_nodes[place_id] = [
                self.node(place_id, st, ORIGIN) if (place_id, st) in origins else self.entry(place_id, st)
                for st in sorted(found, key=lambda x: self._node_index[(place_id, x, THROUGH)])
            ]

    def _needs_origin(self, place: Mapping[str, Any], state: str, states: list[str]) -> bool:
        """A start node of its own for a state with an origin wait, and for a state from which a change of mode
        at the origin leads into one: a route that uses a mode from its origin starts in that mode."""
        waiting = [s for s in states if self._origin_wait(s) is not None]
        if state in waiting:
            return True
        return any(_can_change(place, state, other) for other in waiting)

    def _add_link_edges(
        self, a: str, b: str, state: str, link_id: str, data: Mapping[str, Any], base: _Base | None, *, origin: bool
    ) -> None:
        """A link's edge from the through node, and from the boarding and origin nodes where they exist."""
        through = self._link_edge(THROUGH, a, b, state, link_id, data, base, None, {})
        prefixes: dict[Any, Any] = {}
        if self.rail_timetables and data["mode"] is Mode.RAIL:
            self._link_edge(BOARDING, a, b, state, link_id, data, base, through, prefixes)
        if origin:
            self._link_edge(ORIGIN, a, b, state, link_id, data, base, through, prefixes)

    def _sources(self, place: str, through: int) -> tuple[int, ...]:
        """Where a change from a through node's state can start: that node, and the state's boarding node."""
        boarding = self._node_index.get((place, self.node_state[through], BOARDING))
        return (through,) if boarding is None else (through, boarding)

    def _origin_wait(self, state: str) -> ServiceHours | None:
        if state not in self._origin_waits:
            wait = self.network.modes[_mode_of_state(state)].origin_wait_hours
            if wait is not None and all(wait.at(service).max <= 0 for service in SERVICE_LEVELS):
                wait = None
            self._origin_waits[state] = wait
        return self._origin_waits[state]

    def _link_edge(
        self,
        role: int,
        a: str,
        b: str,
        state: str,
        link_id: str,
        data: Mapping[str, Any],
        base: _Base | None,
        through: dict[ServiceLevel, _Level] | None,
        prefixes: dict[Any, Any],
    ) -> dict[ServiceLevel, _Level] | None:
        """Add one role's edge of a link; returns its figures (None when copied from the base)."""
        # Boarding (and starting) on a rail link without a timetable leaves the route boarding at the next place.
        boarding = role != THROUGH and self.rail_timetables and state.startswith("rail") and not any(data["boarding_parts"])
        src, dst = self.node(a, state, role), self.node(b, state, BOARDING if boarding else THROUGH)
        edge = base.link_edge(role, a, b, link_id, data, self.network) if base is not None else None
        if edge is not None and base is not None:
            self._copy(base.compiled, edge, src, dst)
            return None
        origin_wait = self._origin_wait(state) if role == ORIGIN else None
        if role == THROUGH:
            levels = self._link_levels(a, b, link_id, data)
        else:
            if through is None:  # the through edge was copied from the base network
                through = self._link_levels(a, b, link_id, data)
            if not any(data["boarding_parts"]) and origin_wait is None:
                levels = through  # no wait of its own: the through edge's very figures
            else:
                levels = self._boarding_levels(a, b, link_id, data, through, origin_wait, prefixes)
        self._edge(
            src,
            dst,
            LINK,
            link=link_id,
            place=None,
            levels=levels,
            cost_teu=data["cost_usd_per_teu"],
            co2e_t=data["co2e_kg_per_tonne"],
            distance=data["distance_km"],
            border=data["border_crossings"],
            transship=0,
            season=data["season"],
        )
        return levels

    def _link_levels(self, a: str, b: str, link_id: str, data: Mapping[str, Any]) -> dict[ServiceLevel, _Level]:
        """The through edge's figures at each level: running, sea or road waits, queues, borders, delay."""
        nodes = self.network.graph.nodes
        origin, destination = nodes[a], nodes[b]
        name = f"{link_id}:{a}>{b}"
        link = data["link"]
        levels: dict[ServiceLevel, _Level] = {}
        made: dict[tuple[int, int], _Level] = {}  # by the ids of what makes a level's figures
        express, scheduled, standard = data["service_parts"]
        departures = link.departures
        # Most links differ by nothing: one level's figures serve all three.
        uniform = express is scheduled is standard and (
            departures is None or departures.express is departures.scheduled is departures.standard
        )
        for service in _SCHEDULED_ONLY if uniform else SERVICE_LEVELS:
            service_parts: tuple[TimePart, ...] = data["service_parts"][service]
            timetable = self._timetable(link, a, service)
            key = (id(service_parts), id(timetable))
            if key in made:  # a level with the very same parts: share its figures
                levels[service] = made[key]
                continue
            parts: list[Part] = []
            keys: list[str] = []
            events: list[EventTemplate] = []
            timed: list[Timed] = []
            transit_seen = 0
            for time_part in service_parts:
                part: Part = (time_part.min, time_part.typical, time_part.max)
                if time_part.kind == "wait":
                    assert timetable is not None
                    event, days = self._wait_event(origin, a, link, timetable, part)
                    if days:
                        timed.append(Timed(len(parts), days))
                    keys.append(name + ":wait")
                    events.append(event)
                elif time_part.kind == "queue":
                    keys.append(name + ":queue")
                    events.append(EventTemplate(EventKind.QUEUE, a, part, 0.0, f"queue for a slot at {origin['name']}"))
                elif time_part.kind == "running":
                    keys.append(name + ":run")
                elif time_part.kind == "border":
                    place_id = time_part.place
                    assert place_id is not None
                    keys.append(f"{name}:border:{place_id}")
                    place = nodes[place_id]
                    countries = data["countries"]
                    from_country, to_country = countries[:2] if place_id == a else countries[-2:]
                    direction = time_part.direction or "entering"
                    country = from_country if direction == "leaving" else to_country
                    events.append(
                        EventTemplate(
                            EventKind.BORDER,
                            place_id,
                            part,
                            place["border"].for_mode(data["mode"]).fee(_DIRECTIONS[direction]).value,
                            f"border controls at {place['name']}, {direction} {country} ({from_country} -> {to_country})",
                            from_country=from_country,
                            to_country=to_country,
                            direction=direction,
                            cost_mode=data["mode"],
                        )
                    )
                elif time_part.kind == "transit":
                    country = time_part.country
                    assert country is not None
                    side = "entry" if time_part.entry else "exit"
                    keys.append(f"{name}:transit:{country}:{side}")
                    countries = data["countries"]
                    at = 1 + transit_seen // 2  # parts come in travel order: entry then exit of each transit country
                    transit_seen += 1
                    if time_part.entry:
                        from_country, to_country = countries[at - 1], country
                    else:
                        from_country, to_country = country, countries[at + 1]
                    direction = "entering" if time_part.entry else "leaving"
                    events.append(
                        EventTemplate(
                            EventKind.BORDER,
                            a,
                            part,
                            link.transit_border.for_mode(data["mode"]).fee(_DIRECTIONS[direction]).value,
                            f"border controls {direction} {country} in transit ({from_country} -> {to_country}) "
                            f"between {origin['name']} and {destination['name']}",
                            from_country=from_country,
                            to_country=to_country,
                            direction=direction,
                            cost_mode=data["mode"],
                        )
                    )
                else:
                    keys.append(name + ":delay")
                    events.append(EventTemplate(EventKind.DELAY, b, part, 0.0, f"scenario delay at {destination['name']}"))
                parts.append(part)
            levels[service] = made[key] = _Level(tuple(parts), tuple(keys), tuple(events), tuple(timed))
        if uniform:
            return dict.fromkeys(SERVICE_LEVELS, levels[ServiceLevel.SCHEDULED])
        return levels

    def _boarding_levels(
        self,
        a: str,
        b: str,
        link_id: str,
        data: Mapping[str, Any],
        through: dict[ServiceLevel, _Level],
        origin_wait: ServiceHours | None,
        prefixes: dict[tuple[int, int], tuple[tuple[Part, ...], tuple[str, ...], tuple[EventTemplate, ...], tuple[Timed, ...]]],
    ) -> dict[ServiceLevel, _Level]:
        """A boarding or origin edge's figures: the wait for the link's departure (or the origin wait) first,
        then the through edge's. ``prefixes`` shares the waits between a link's boarding and origin edges."""
        origin = self.network.graph.nodes[a]
        link = data["link"]
        state = state_of(data["mode"], data["gauge_mm"])
        levels: dict[ServiceLevel, _Level] = {}
        made: dict[tuple[int, int, int], _Level] = {}
        for service in SERVICE_LEVELS:
            rest = through[service]
            board: TimePart | None = data["boarding_parts"][service]
            timetable = self._timetable(link, a, service)
            first = origin_wait.at(service) if origin_wait is not None and timetable is None else None
            if first is not None and first.max <= 0:
                first = None
            key = (id(rest), id(board), id(first))
            if key in made:
                levels[service] = made[key]
                continue
            prefix = prefixes.get(key[1:])
            if prefix is None:
                if board is not None:
                    assert timetable is not None
                    part: Part = (board.min, board.typical, board.max)
                    event, days = self._wait_event(origin, a, link, timetable, part)
                    prefix = ((part,), (f"{link_id}:{a}>{b}:wait",), (event,), (Timed(0, days),) if days else ())
                elif first is not None:
                    part = (first.min, first.typical, first.max)
                    event = EventTemplate(
                        EventKind.WAIT, a, part, 0.0,
                        f"wait at {origin['name']} for the first {data['mode'].value} departure ({service.value} service, no timetable)",
                    )  # fmt: skip
                    prefix = ((part,), (f"{a}:{state}:origin",), (event,), ())
                else:
                    prefix = ((), (), (), ())
                prefixes[key[1:]] = prefix
            parts, keys, events, timed = prefix
            if not parts:
                levels[service] = made[key] = rest
                continue
            shifted = tuple(Timed(t.part + len(parts), t.weekdays) for t in rest.timed)
            levels[service] = made[key] = _Level(parts + rest.parts, keys + rest.keys, events + rest.events, timed + shifted)
        return levels

    def _timetable(self, link: Any, a: str, service: ServiceLevel) -> Timetable | None:
        """The link's timetable at a level for travel from ``a``, if it has one that way."""
        timetable: Timetable | None = link.departures.at(service) if link.departures is not None else None
        if timetable is not None and not timetable.applies(a == link.origin):
            return None
        return timetable

    def _wait_event(
        self, origin: Mapping[str, Any], a: str, link: Any, timetable: Timetable, part: Part
    ) -> tuple[EventTemplate, tuple[int, ...]]:
        weekdays = timetable.weekdays if a == link.origin else timetable.weekdays_back
        per_week = timetable.per_week.value
        key = (a, per_week, weekdays, part)
        event = self._wait_events.get(key)  # the same wait at the same place: one event for every link
        if event is None:
            days = f", {'/'.join(_DAY_NAMES[d] for d in weekdays)}" if weekdays else ""
            event = self._wait_events[key] = EventTemplate(
                EventKind.WAIT, a, part, 0.0, f"wait for a departure at {origin['name']} ({per_week:g} per week{days})",
                departures_per_week=per_week,
            )  # fmt: skip
        return event, weekdays

    def _add_transfers(self, place_id: str, place: Mapping[str, Any], base: _Base | None) -> None:
        """The changes of mode and gauge at a place, from its through nodes and, for a route still boarding
        (on no timetabled service yet), from its boarding nodes."""
        nodes = [n for n in self.place_nodes[place_id] if self.node_role[n] == THROUGH]
        if len(nodes) < 2:
            return
        states = [self.node_state[i] for i in nodes]
        if base is not None and base.same_place(place_id, place, states):
            # The same place with the same states as in the base network: the same changes between them.
            for i, j in itertools.permutations(nodes, 2):
                for edge in base.transfer_edges(place_id, self.node_state[i], self.node_state[j]):
                    target = self.entry(place_id, self.node_state[j])
                    for src in self._sources(place_id, i):
                        self._copy(base.compiled, edge, src, target)
            return
        first = len(self.edge_src)
        self._add_direct_transfers(place_id, place, nodes)
        self._add_composite_transfers(place_id, len(nodes), range(first, len(self.edge_src)))

    def _add_composite_transfers(self, place_id: str, states: int, direct: range) -> None:
        """One edge per chain of two or more changes between states with no direct change between them."""
        out: dict[int, list[int]] = {}
        for edge in direct:
            out.setdefault(self.edge_src[edge], []).append(edge)
        pairs = {(self.edge_src[e], self.edge_dst[e]) for e in direct}
        node_state = self.node_state
        chains: list[list[int]] = [[e] for e in direct]
        for _ in range(states - 2):
            longer = []
            for chain in chains:
                seen = {node_state[self.edge_src[e]] for e in chain}
                for edge in out.get(self.edge_dst[chain[-1]], ()):
                    if node_state[self.edge_dst[edge]] not in seen:
                        longer.append([*chain, edge])
            chains = longer
            for chain in chains:
                src, dst = self.edge_src[chain[0]], self.edge_dst[chain[-1]]
                if (src, dst) in pairs or node_state[src] == node_state[dst]:
                    continue
                self._edge(
                    src,
                    dst,
                    TRANSFER,
                    link=None,
                    place=place_id,
                    levels=self._chain_levels(chain),
                    cost_teu=sum(self.cost_teu[e] for e in chain),
                    co2e_t=0.0,
                    distance=0.0,
                    border=0,
                    transship=sum(self.transship[e] for e in chain),
                )

    def _chain_levels(self, chain: list[int]) -> dict[ServiceLevel, _Level]:
        """The figures of a chain of transfer edges at each level: each change's parts and events in turn."""
        made: dict[int, _Level] = {}
        levels: dict[ServiceLevel, _Level] = {}
        for service in SERVICE_LEVELS:
            f = self.levels[service]
            if id(f) not in made:
                made[id(f)] = _Level(
                    tuple(p for e in chain for p in f.parts[e]),
                    tuple(k for e in chain for k in f.part_keys[e]),
                    tuple(t for e in chain for t in f.events[e]),
                )
            levels[service] = made[id(f)]
        return levels

    def _add_direct_transfers(self, place_id: str, place: Mapping[str, Any], nodes: list[int]) -> None:
        name = place["name"]
        handling_by_modes = {t.modes: t for t in place["transshipments"]}
        modes = [_mode_of_state(self.node_state[i]) for i in nodes]
        for a, i in enumerate(nodes):
            for b, j in enumerate(nodes):
                if i == j:
                    continue
                si, sj = self.node_state[i], self.node_state[j]
                mi, mj = modes[a], modes[b]
                if mi is Mode.RAIL and mj is Mode.RAIL:
                    gc = place["gauge_change"]
                    if gc is None:
                        continue
                    hours, cost = gc.hours, gc.cost_usd_per_teu.value
                    make = partial(
                        EventTemplate,
                        EventKind.GAUGE_CHANGE,
                        place_id,
                        cost_usd_per_teu=cost,
                        description=f"gauge change {si[4:]} -> {sj[4:]} mm at {name}",
                        from_gauge_mm=int(si[4:]),
                        to_gauge_mm=int(sj[4:]),
                        cost_mode=Mode.RAIL,
                    )
                else:
                    handling = handling_by_modes.get(frozenset((mi, mj)))
                    if handling is None:
                        continue
                    hours, cost = handling.hours, handling.cost_usd_per_teu.value
                    make = partial(
                        EventTemplate,
                        EventKind.TRANSSHIPMENT,
                        place_id,
                        cost_usd_per_teu=cost,
                        description=f"transshipment {mi.value} -> {mj.value} at {name}",
                        from_mode=mi,
                        to_mode=mj,
                        cost_mode=mj,
                    )
                key = (f"{place_id}:{si}>{sj}",)
                levels: dict[ServiceLevel, _Level] = {}
                for service in SERVICE_LEVELS:
                    h = hours.at(service)
                    part: Part = (h.min, h.typical, h.max)
                    same = next((lv for lv in levels.values() if lv.parts[0] == part), None)
                    levels[service] = same or _Level((part,), key, (make(hours=part),))
                target = self.entry(place_id, sj)
                for src in self._sources(place_id, i):
                    self._edge(
                        src,
                        target,
                        TRANSFER,
                        link=None,
                        place=place_id,
                        levels=levels,
                        cost_teu=cost,
                        co2e_t=0.0,
                        distance=0.0,
                        border=0,
                        transship=1,
                    )

def _can_change(place: Mapping[str, Any], a: str, b: str) -> bool:
    """Whether a place has a change from state ``a`` to state ``b`` (a gauge change or a transshipment)."""
    ma, mb = _mode_of_state(a), _mode_of_state(b)
    if ma is Mode.RAIL and mb is Mode.RAIL:
        return place["gauge_change"] is not None
    pair = frozenset((ma, mb))
    return any(t.modes == pair for t in place["transshipments"])


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


_DIRECTIONS = {d.value: d for d in BorderDirection}

_COMPILED = CacheSlot[None, CompiledGraph]("compiled graph", max_entries=1)


class _Base:
    """The compiled graph of the network a scenario's network derives from, to copy unchanged edges from."""

    def __init__(self, compiled: CompiledGraph) -> None:
        self.compiled = compiled
        self.graph = compiled.network.graph
        self.by_link: dict[tuple[int, str, str, str], int] = {}
        self.transfers: dict[tuple[str, str, str], list[int]] = {}
        for edge, link in enumerate(compiled.edge_link):
            src_node, dst_node = compiled.edge_src[edge], compiled.edge_dst[edge]
            src, dst = compiled.node_place[src_node], compiled.node_place[dst_node]
            if compiled.edge_kind[edge] == LINK and link is not None:
                self.by_link[(compiled.node_role[src_node], src, dst, link)] = edge
            elif compiled.node_role[src_node] == THROUGH:
                self.transfers.setdefault((src, compiled.node_state[src_node], compiled.node_state[dst_node]), []).append(edge)

    def link_edge(self, role: int, a: str, b: str, link: str, data: Mapping[str, Any], network: Network) -> int | None:
        """The base's compiled edge of ``link`` from ``a`` to ``b`` (from a node of ``role``) if its graph edge is this very ``data``.

        An origin edge also needs the same mode defaults (its origin wait).
        """
        edge = self.by_link.get((role, a, b, link))
        if edge is None or self.graph._succ[a][b].get(link) is not data:
            return None
        if role == ORIGIN and self.compiled.network.modes.get(data["mode"]) is not network.modes.get(data["mode"]):
            return None
        return edge

    def same_place(self, place: str, data: Mapping[str, Any], states: list[str]) -> bool:
        """The place's graph node is this very ``data`` and it has exactly these states in the base."""
        if self.graph._node.get(place) is not data:
            return False
        compiled = self.compiled
        have = [compiled.node_state[n] for n in compiled.place_nodes.get(place, ()) if compiled.node_role[n] == THROUGH]
        return sorted(have) == sorted(states)

    def transfer_edges(self, place: str, from_state: str, to_state: str) -> list[int]:
        """The base's transfer edges (direct or composite) from a through node between two states of a place."""
        return self.transfers.get((place, from_state, to_state), [])


_BASE = CacheSlot[None, _Base]("compiled graph as a base", max_entries=1)


def _base_of(network: Network) -> _Base | None:
    """The base to copy from: the network this one derives from, once that one is compiled."""
    origin = network.derived_from
    if origin is None:
        return None
    compiled_origin = origin.caches.peek(_COMPILED, None)
    if compiled_origin is None:
        return None
    return origin.caches.get(_BASE, None, lambda: _Base(compiled_origin))


def compiled(network: Network) -> CompiledGraph:
    """Return the network's compiled graph, building it from ``network.graph`` on first use."""
    return network.caches.get(_COMPILED, None, lambda: CompiledGraph(network))
