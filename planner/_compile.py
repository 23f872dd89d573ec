"""The state-expanded graph the router searches, compiled once per network from ``network.graph``.

Each place becomes one node per mode state it has links for (``rail1435``, ``rail1520``,
``road``, ``sea``). Link edges join the same state at two places and carry the link's
travel, departure wait and border figures; transfer edges join two states of one place and
carry transshipment or gauge-change figures. Figures are stored per TEU (cost) and per tonne
(CO2e) so that a request only scales them; nothing here depends on a request.

A route changes state at most once in a row at a place (the search never takes two transfer
edges in a row, see :mod:`planner._search`). Where the data allows a change between two states
only through a third (sea -> road -> rail at a port with no sea/rail handling), that chain is one
*composite* transfer edge carrying each handling's figures and events; where a direct change
exists, no chain is compiled, so a route never handles a unit twice to save on the direct figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._gc import without_cyclic_gc
from .cache import CacheSlot
from .graph import TimePart
from .model import LinkStatus, Mode
from .network import Network
from .route import EventKind

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
        with without_cyclic_gc():
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
        hours: Part,
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
        low, typical, high = hours
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
        graph = self.network.graph
        base = _base_of(self.network)
        for a, b, link_id, data in graph.edges(keys=True, data=True):
            if data["status"] is not LinkStatus.OPERATIONAL:
                continue
            if base is not None and (edge := base.link_edge(a, b, link_id, data)) is not None:
                self._copy(base.compiled, edge, self.node(a, base.compiled.node_state[base.compiled.edge_src[edge]]))
            else:
                self._add_link(a, b, link_id, data)
        for place_id in list(self.place_nodes):
            self._add_transfers(place_id, graph.nodes[place_id], base)

    def _copy(self, other: CompiledGraph, edge: int, src: int, dst: int | None = None) -> None:
        """Add ``other``'s edge (the same figures) from node ``src`` (to ``dst``, or the same state at its other end)."""
        if dst is None:
            dst = self.node(other.node_place[other.edge_dst[edge]], other.node_state[other.edge_dst[edge]])
        self._edge(
            src,
            dst,
            other.edge_kind[edge],
            link=other.edge_link[edge],
            place=other.edge_place[edge],
            parts=other.parts[edge],
            part_keys=other.part_keys[edge],
            hours=(other.hours_min[edge], other.hours[edge], other.hours_max[edge]),
            cost_teu=other.cost_teu[edge],
            co2e_t=other.co2e_t[edge],
            distance=other.distance[edge],
            border=other.border[edge],
            transship=other.transship[edge],
            events=other.events[edge],
        )

    def _add_link(self, a: str, b: str, link_id: str, data: Mapping[str, Any]) -> None:
        nodes = self.network.graph.nodes
        origin, destination = nodes[a], nodes[b]
        state = state_of(data["mode"], data["gauge_mm"])
        name = f"{link_id}:{a}>{b}"
        parts: list[Part] = []
        keys: list[str] = []
        events: list[EventTemplate] = []
        time_part: TimePart
        transit_seen = 0
        for time_part in data["hours_parts"]:
            part: Part = (time_part.min, time_part.typical, time_part.max)
            parts.append(part)
            if time_part.kind == "wait":
                keys.append(name + ":wait")
                per_week = data["departures_per_week"]
                events.append(
                    EventTemplate(
                        EventKind.WAIT,
                        a,
                        part,
                        0.0,
                        f"wait for a departure at {origin['name']} ({per_week:g} per week)",
                        departures_per_week=per_week,
                    )
                )
            elif time_part.kind == "running":
                keys.append(name + ":run")
            elif time_part.kind == "border":
                place_id = time_part.place
                assert place_id is not None
                keys.append(f"{name}:border:{place_id}")
                place = nodes[place_id]
                countries = data["countries"]
                from_country, to_country = countries[:2] if place_id == a else countries[-2:]
                events.append(
                    EventTemplate(
                        EventKind.BORDER,
                        place_id,
                        part,
                        place["border"].fee_usd_per_teu.value,
                        f"border controls at {place['name']} ({from_country} -> {to_country})",
                        from_country=from_country,
                        to_country=to_country,
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
                from_country, to_country = (countries[at - 1], country) if time_part.entry else (country, countries[at + 1])
                events.append(
                    EventTemplate(
                        EventKind.BORDER,
                        a,
                        part,
                        data["link"].transit_border.fee_usd_per_teu.value,
                        f"border controls {'entering' if time_part.entry else 'leaving'} {country} in transit "
                        f"({from_country} -> {to_country}) between {origin['name']} and {destination['name']}",
                        from_country=from_country,
                        to_country=to_country,
                    )
                )
            else:
                keys.append(name + ":delay")
                events.append(EventTemplate(EventKind.DELAY, b, part, 0.0, f"scenario delay at {destination['name']}"))
        self._edge(
            self.node(a, state),
            self.node(b, state),
            LINK,
            link=link_id,
            place=None,
            parts=tuple(parts),
            part_keys=tuple(keys),
            hours=(data["hours_min"], data["hours"], data["hours_max"]),
            cost_teu=data["cost_usd_per_teu"],
            co2e_t=data["co2e_kg_per_tonne"],
            distance=data["distance_km"],
            border=data["border_crossings"],
            transship=0,
            events=tuple(events),
        )

    def _add_transfers(self, place_id: str, place: Mapping[str, Any], base: _Base | None) -> None:
        nodes = self.place_nodes[place_id]
        if len(nodes) < 2:
            return
        states = [self.node_state[i] for i in nodes]
        if base is not None and base.same_place(place_id, place, states):
            # The same place with the same states as in the base network: the same changes between them.
            for i, j in itertools.permutations(nodes, 2):
                for edge in base.transfer_edges(place_id, self.node_state[i], self.node_state[j]):
                    self._copy(base.compiled, edge, i, j)
            return
        first = len(self.edge_src)
        self._add_direct_transfers(place_id, place, nodes)
        self._add_composite_transfers(place_id, nodes, range(first, len(self.edge_src)))

    def _add_composite_transfers(self, place_id: str, nodes: list[int], direct: range) -> None:
        """One edge per chain of two or three changes between states with no direct change between them."""
        out: dict[int, list[int]] = {}
        for edge in direct:
            out.setdefault(self.edge_src[edge], []).append(edge)
        pairs = {(self.edge_src[e], self.edge_dst[e]) for e in direct}
        chains: list[list[int]] = [[e] for e in direct]
        for _ in range(len(nodes) - 2):
            longer = []
            for chain in chains:
                seen = {self.edge_src[e] for e in chain}
                for edge in out.get(self.edge_dst[chain[-1]], ()):
                    if self.edge_dst[edge] not in seen:
                        longer.append([*chain, edge])
            chains = longer
            for chain in chains:
                src, dst = self.edge_src[chain[0]], self.edge_dst[chain[-1]]
                if (src, dst) in pairs:
                    continue
                self._edge(
                    src,
                    dst,
                    TRANSFER,
                    link=None,
                    place=place_id,
                    parts=tuple(p for e in chain for p in self.parts[e]),
                    part_keys=tuple(k for e in chain for k in self.part_keys[e]),
                    hours=(
                        sum(self.hours_min[e] for e in chain),
                        sum(self.hours[e] for e in chain),
                        sum(self.hours_max[e] for e in chain),
                    ),
                    cost_teu=sum(self.cost_teu[e] for e in chain),
                    co2e_t=0.0,
                    distance=0.0,
                    border=0,
                    transship=sum(self.transship[e] for e in chain),
                    events=tuple(t for e in chain for t in self.events[e]),
                )

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
                    part: Part = (gc.hours.min, gc.hours.typical, gc.hours.max)
                    cost = gc.cost_usd_per_teu.value
                    event = EventTemplate(
                        EventKind.GAUGE_CHANGE,
                        place_id,
                        part,
                        cost,
                        f"gauge change {si[4:]} -> {sj[4:]} mm at {name}",
                        from_gauge_mm=int(si[4:]),
                        to_gauge_mm=int(sj[4:]),
                    )
                else:
                    handling = handling_by_modes.get(frozenset((mi, mj)))
                    if handling is None:
                        continue
                    part = (handling.hours.min, handling.hours.typical, handling.hours.max)
                    cost = handling.cost_usd_per_teu.value
                    event = EventTemplate(
                        EventKind.TRANSSHIPMENT,
                        place_id,
                        part,
                        cost,
                        f"transshipment {mi.value} -> {mj.value} at {name}",
                        from_mode=mi,
                        to_mode=mj,
                    )
                self._edge(
                    i,
                    j,
                    TRANSFER,
                    link=None,
                    place=place_id,
                    parts=(part,),
                    part_keys=(f"{place_id}:{si}>{sj}",),
                    hours=part,
                    cost_teu=cost,
                    co2e_t=0.0,
                    distance=0.0,
                    border=0,
                    transship=1,
                    events=(event,),
                )


_COMPILED = CacheSlot[None, CompiledGraph]("compiled graph", max_entries=1)


class _Base:
    """The compiled graph of the network a scenario's network derives from, to copy unchanged edges from."""

    def __init__(self, compiled: CompiledGraph) -> None:
        self.compiled = compiled
        self.graph = compiled.network.graph
        self.by_link: dict[tuple[str, str, str], int] = {}
        self.transfers: dict[tuple[str, str, str], list[int]] = {}
        for edge, link in enumerate(compiled.edge_link):
            src, dst = compiled.node_place[compiled.edge_src[edge]], compiled.node_place[compiled.edge_dst[edge]]
            if link is not None:
                self.by_link[(src, dst, link)] = edge
            else:
                states = (compiled.node_state[compiled.edge_src[edge]], compiled.node_state[compiled.edge_dst[edge]])
                self.transfers.setdefault((src, *states), []).append(edge)

    def link_edge(self, a: str, b: str, link: str, data: Mapping[str, Any]) -> int | None:
        """The base's compiled edge of ``link`` from ``a`` to ``b`` if its graph edge is this very ``data``."""
        edge = self.by_link.get((a, b, link))
        if edge is None or self.graph._succ[a][b].get(link) is not data:
            return None
        return edge

    def same_place(self, place: str, data: Mapping[str, Any], states: list[str]) -> bool:
        """The place's graph node is this very ``data`` and it has exactly these states in the base."""
        if self.graph._node.get(place) is not data:
            return False
        compiled = self.compiled
        return sorted(compiled.node_state[n] for n in compiled.place_nodes.get(place, ())) == sorted(states)

    def transfer_edges(self, place: str, from_state: str, to_state: str) -> list[int]:
        """The base's transfer edges (direct or composite) between two states of a place."""
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
