"""The state-expanded graph the router searches, compiled once per network.

Each place becomes one node per mode state it has links for (``rail1435``, ``rail1520``,
``road``, ``sea``). Link edges join the same state at two places and carry the link's
travel, departure wait and border figures; transfer edges join two states of one place and
carry transshipment or gauge-change figures. Figures are stored per TEU (cost) and per tonne
(CO2e) so that a request only scales them; nothing here depends on a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Link, Mode, Network, Place
from .route import EventKind

HOURS_PER_WEEK = 168.0

# (min, typical, max) hours of one independent time component of an edge.
Part = tuple[float, float, float]


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


LINK, TRANSFER = 0, 1


def state_of(link: Link) -> str:
    """The mode state a link runs in: ``rail1435``, ``rail1520``, ``road`` or ``sea``."""
    if link.mode is Mode.RAIL:
        return f"rail{link.gauge_mm}"
    return link.mode.value


def _mode_of_state(state: str) -> Mode:
    return Mode.RAIL if state.startswith("rail") else Mode(state)


class CompiledGraph:
    """Arrays describing the state-expanded graph; read-only after construction."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.node_place: list[str] = []
        self.node_state: list[str] = []
        self.place_nodes: dict[str, list[int]] = {}
        self._node_index: dict[tuple[str, str], int] = {}
        self.adj: list[list[tuple[int, int]]] = []
        self.edge_src: list[int] = []
        self.edge_dst: list[int] = []
        self.edge_kind: list[int] = []
        self.edge_link: list[str | None] = []
        self.edge_place: list[str | None] = []
        self.hours: list[float] = []
        self.hours_min: list[float] = []
        self.hours_max: list[float] = []
        self.cost_teu: list[float] = []
        self.co2e_t: list[float] = []
        self.distance: list[float] = []
        self.border: list[int] = []
        self.transship: list[int] = []
        self.parts: list[tuple[Part, ...]] = []
        # A stable name per part (same link, direction and kind -> same name in every process and
        # scenario): it seeds that part's Monte Carlo draws, see planner._pricing.
        self.part_keys: list[tuple[str, ...]] = []
        self.events: list[tuple[EventTemplate, ...]] = []
        self._build()

    # -- construction ------------------------------------------------------------------------

    def node(self, place: str, state: str) -> int:
        index = self._node_index.get((place, state))
        if index is None:
            key = (place, state)
            index = len(self.node_place)
            self._node_index[key] = index
            self.node_place.append(place)
            self.node_state.append(state)
            self.place_nodes.setdefault(place, []).append(index)
            self.adj.append([])
        return index

    def _edge(
        self,
        src: int,
        dst: int,
        kind: int,
        *,
        link: str | None,
        place: str | None,
        parts: tuple[Part, ...],
        part_keys: tuple[str, ...],
        cost_teu: float,
        co2e_t: float,
        distance: float,
        border: int,
        transship: int,
        events: tuple[EventTemplate, ...],
    ) -> None:
        index = len(self.edge_src)
        self.edge_src.append(src)
        self.edge_dst.append(dst)
        self.edge_kind.append(kind)
        self.edge_link.append(link)
        self.edge_place.append(place)
        # The three sums in one pass, in the same order and from the same int 0 as sum(): identical floats.
        low: float = 0
        typical: float = 0
        high: float = 0
        for part_min, part_typical, part_max in parts:
            low += part_min
            typical += part_typical
            high += part_max
        self.hours.append(typical)
        self.hours_min.append(low)
        self.hours_max.append(high)
        self.cost_teu.append(cost_teu)
        self.co2e_t.append(co2e_t)
        self.distance.append(distance)
        self.border.append(border)
        self.transship.append(transship)
        self.parts.append(parts)
        self.part_keys.append(part_keys)
        self.events.append(events)
        self.adj[src].append((dst, index))

    def _build(self) -> None:
        network = self.network
        for link in network.operational_links():
            state = state_of(link)
            self._add_link(link, link.origin, link.destination, state)
            if link.bidirectional:
                self._add_link(link, link.destination, link.origin, state)
        for place_id in list(self.place_nodes):
            self._add_transfers(network.places[place_id])

    def _add_link(self, link: Link, a: str, b: str, state: str) -> None:
        network = self.network
        defaults = network.modes[link.mode]
        origin, destination = network.places[a], network.places[b]
        distance = link.distance_km.value
        parts: list[Part] = []
        keys: list[str] = []
        name = f"{link.id}:{a}>{b}"
        events: list[EventTemplate] = []
        if link.departures_per_week is not None:
            headway = HOURS_PER_WEEK / link.departures_per_week.value
            wait: Part = (0.0, headway / 2.0, headway)
            parts.append(wait)
            keys.append(name + ":wait")
            events.append(
                EventTemplate(
                    EventKind.WAIT,
                    a,
                    wait,
                    0.0,
                    f"wait for a departure at {origin.name} ({link.departures_per_week.value:g} per week)",
                    departures_per_week=link.departures_per_week.value,
                )
            )
        if link.transit_hours is not None:
            t = link.transit_hours
            parts.append((t.min, t.typical, t.max))
        else:
            running = distance / defaults.speed_kmh.value
            parts.append((running, running, running))
        keys.append(name + ":run")
        cost = link.cost_usd_per_teu.value if link.cost_usd_per_teu is not None else distance * defaults.cost_usd_per_teu_km.value
        crossing = 0
        if origin.country != destination.country:
            crossing = 1
            for place in (origin, destination) if link.border_controls else ():
                if place.border is None:
                    continue
                dwell = place.border.dwell_hours
                part = (dwell.min, dwell.typical, dwell.max)
                parts.append(part)
                keys.append(f"{name}:border:{place.id}")
                fee = place.border.fee_usd_per_teu.value
                cost += fee
                events.append(
                    EventTemplate(
                        EventKind.BORDER,
                        place.id,
                        part,
                        fee,
                        f"border controls at {place.name} ({origin.country} -> {destination.country})",
                        from_country=origin.country,
                        to_country=destination.country,
                    )
                )
        if destination.delay_hours:
            d = destination.delay_hours
            parts.append((d, d, d))
            keys.append(name + ":delay")
            events.append(EventTemplate(EventKind.DELAY, b, (d, d, d), 0.0, f"scenario delay at {destination.name}"))
        factor = link.co2e_g_per_tonne_km or defaults.co2e_g_per_tonne_km
        co2e_t = distance * factor.value / 1000.0
        self._edge(
            self.node(a, state),
            self.node(b, state),
            LINK,
            link=link.id,
            place=None,
            parts=tuple(parts),
            part_keys=tuple(keys),
            cost_teu=cost,
            co2e_t=co2e_t,
            distance=distance,
            border=crossing,
            transship=0,
            events=tuple(events),
        )

    def _add_transfers(self, place: Place) -> None:
        nodes = self.place_nodes[place.id]
        if len(nodes) < 2:
            return
        modes = [_mode_of_state(self.node_state[i]) for i in nodes]
        for a, i in enumerate(nodes):
            for b, j in enumerate(nodes):
                if i == j:
                    continue
                si, sj = self.node_state[i], self.node_state[j]
                mi, mj = modes[a], modes[b]
                if mi is Mode.RAIL and mj is Mode.RAIL:
                    gc = place.gauge_change
                    if gc is None:
                        continue
                    part: Part = (gc.hours.min, gc.hours.typical, gc.hours.max)
                    cost = gc.cost_usd_per_teu.value
                    event = EventTemplate(
                        EventKind.GAUGE_CHANGE,
                        place.id,
                        part,
                        cost,
                        f"gauge change {si[4:]} -> {sj[4:]} mm at {place.name}",
                        from_gauge_mm=int(si[4:]),
                        to_gauge_mm=int(sj[4:]),
                    )
                else:
                    handling = place.transshipment(mi, mj)
                    if handling is None:
                        continue
                    part = (handling.hours.min, handling.hours.typical, handling.hours.max)
                    cost = handling.cost_usd_per_teu.value
                    event = EventTemplate(
                        EventKind.TRANSSHIPMENT,
                        place.id,
                        part,
                        cost,
                        f"transshipment {mi.value} -> {mj.value} at {place.name}",
                        from_mode=mi,
                        to_mode=mj,
                    )
                self._edge(
                    i,
                    j,
                    TRANSFER,
                    link=None,
                    place=place.id,
                    parts=(part,),
                    part_keys=(f"{place.id}:{si}>{sj}",),
                    cost_teu=cost,
                    co2e_t=0.0,
                    distance=0.0,
                    border=0,
                    transship=1,
                    events=(event,),
                )


def compiled(network: Network) -> CompiledGraph:
    """Return the network's compiled graph, building it on first use."""
    graph = network.cached("compiled_graph", lambda: CompiledGraph(network))
    assert isinstance(graph, CompiledGraph)
    return graph
