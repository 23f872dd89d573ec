"""The network's assets: links, border controls, gauge-change yards and transshipment points.

Every operational link is an asset (``link:l013``), and so is every place's border controls
(``border:altynkol``), gauge-change yard (``gauge_change:altynkol``) and mode changes
(``transshipment:aktau``). An asset is a set of edges of the compiled index: a flow uses the
asset when its path uses one of them (a path never uses two edges of one asset at one visit).

An asset with published capacity (``capacity`` in the network file) has one or more
:class:`AssetQueue`: one per direction its figures apply to, each with its yearly capacity in
TEU-equivalents and/or tonnes. The assignment turns a queue's volume over capacity into waiting days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ._compile import LINK, TRANSFER, CompiledGraph, compiled
from .cache import CacheSlot
from .capacity import Throughput, throughput
from .errors import InvalidRequestError
from .graph import link_label
from .model import Capacity, CapacityDirection, Link, Mode, ServiceLevel
from .network import Network

__all__ = ["Asset", "AssetKind", "AssetQueue", "AssetTable", "asset_table", "network_assets"]


class AssetKind(StrEnum):
    """What kind of facility an asset is."""

    LINK = "link"
    BORDER = "border"
    GAUGE_CHANGE = "gauge_change"
    TRANSSHIPMENT = "transshipment"


@dataclass(frozen=True, slots=True)
class Asset:
    """A facility flows pass through: a link, or a place's border controls, gauge-change yard or mode changes."""

    id: str
    kind: AssetKind
    name: str
    place: str | None = None
    link: str | None = None
    mode: Mode | None = None
    """The link's mode (a sea link is a ferry or feeder service); None for a place's facility."""


@dataclass(frozen=True, slots=True)
class AssetQueue:
    """One direction of an asset with published capacity: its edges and yearly capacity.

    ``capacity_teu_eq_per_year`` and ``capacity_tonnes_per_year`` are the smallest figures given in each
    unit (None when none is); ``services_per_day`` counts the trains, sailings or trucks of the binding
    figure (the queue's customers); ``base_hours`` is the asset's own time (a BPR curve's free-flow time).
    """

    asset: Asset
    direction: str
    edges: tuple[int, ...]
    capacity_teu_eq_per_year: float | None
    capacity_tonnes_per_year: float | None
    services_per_day: float
    base_hours: float
    variability: float
    text: str
    sources: tuple[str, ...]
    estimate: bool


VARIABILITY = {"rail": 0.5, "road": 0.5, "sea": 1.0, "port": 1.0}
"""Kingman's ``(ca² + cs²) / 2`` by kind of facility: 0.5 for rail and road (random arrivals, regular
service: M/D/1), 1.0 for ferries and ports (weather and berthing make service times as variable as arrivals)."""


@dataclass(frozen=True, slots=True)
class AssetTable:
    """Every asset of a network, the compiled edges of each, and the queues of those with capacity."""

    assets: tuple[Asset, ...]
    edges: Mapping[str, tuple[int, ...]]
    queues: tuple[AssetQueue, ...]

    def asset(self, asset_id: str) -> Asset:
        for asset in self.assets:
            if asset.id == asset_id:
                return asset
        raise InvalidRequestError(f"unknown asset {asset_id!r}; asset ids look like link:l013 or border:altynkol", field="assets")

    def edges_of(self, asset_ids: Iterable[str]) -> frozenset[int]:
        """The compiled edges of these assets (InvalidRequestError for an unknown id)."""
        out: set[int] = set()
        for asset_id in asset_ids:
            if asset_id not in self.edges:
                self.asset(asset_id)  # raises with the message
            out.update(self.edges[asset_id])
        return frozenset(out)


_TABLE = CacheSlot[None, AssetTable]("assets", max_entries=1)


def asset_table(network: Network) -> AssetTable:
    """The network's assets and capacity queues (built once per network)."""
    return network.caches.get(_TABLE, None, lambda: _build(network, compiled(network)))


def network_assets(network: Network) -> tuple[Asset, ...]:
    """Every asset of the network: operational links, then places' border controls, yards and mode changes."""
    return asset_table(network).assets


def _state_mode(state: str) -> str:
    return "rail" if state.startswith("rail") else state


def _build(network: Network, graph: CompiledGraph) -> AssetTable:
    places, links = network.places, network.links
    by_asset: dict[str, list[int]] = defaultdict(list)
    # (asset id, slot) -> edges; slots: "fwd"/"rev" for links, "in"/"out" for borders, "a>b" for transfers
    slots: dict[tuple[str, str], list[int]] = defaultdict(list)
    for edge in range(len(graph.edge_src)):
        a, b = graph.node_place[graph.edge_src[edge]], graph.node_place[graph.edge_dst[edge]]
        if graph.edge_kind[edge] == LINK:
            link_id = graph.edge_link[edge]
            assert link_id is not None
            asset_id = f"link:{link_id}"
            by_asset[asset_id].append(edge)
            slots[(asset_id, "fwd" if links[link_id].origin == a else "rev")].append(edge)
            # Border controls at both ends: between two countries, or into and out of a transit country.
            if places[a].country != places[b].country or links[link_id].transit_countries:
                for end, slot in ((a, "out"), (b, "in")):
                    by_asset[f"border:{end}"].append(edge)
                    slots[(f"border:{end}", slot)].append(edge)
        elif graph.edge_kind[edge] == TRANSFER:
            # A composite change (sea -> road -> rail where the data has no sea/rail handling) uses each facility it chains.
            for si, sj in _transfer_hops(graph, edge):
                kind = "gauge_change" if si.startswith("rail") and sj.startswith("rail") else "transshipment"
                asset_id = f"{kind}:{a}"
                if edge not in by_asset[asset_id]:
                    by_asset[asset_id].append(edge)
                slot = f"{si}>{sj}" if kind == "gauge_change" else f"{_state_mode(si)}>{_state_mode(sj)}"
                slots[(asset_id, slot)].append(edge)
    assets: list[Asset] = []
    for link in links.values():
        if f"link:{link.id}" in by_asset:
            assets.append(Asset(f"link:{link.id}", AssetKind.LINK, link_label(link, places), link=link.id, mode=link.mode))
    for place in places.values():
        for kind, label in ((AssetKind.BORDER, "border"), (AssetKind.GAUGE_CHANGE, "gauge change"), (AssetKind.TRANSSHIPMENT, "transshipment")):
            if f"{kind.value}:{place.id}" in by_asset:
                assets.append(Asset(f"{kind.value}:{place.id}", kind, f"{place.name} {label}", place=place.id))
    known = {a.id: a for a in assets}
    queues: list[AssetQueue] = []
    for link in links.values():
        asset = known.get(f"link:{link.id}")
        if asset is None or not link.capacity:
            continue
        fwd, rev = f"{link.origin}>{link.destination}", f"{link.destination}>{link.origin}"
        names = {"fwd": fwd, "rev": rev, "both": "both"}
        hours = graph.hours
        groups: dict[str, list[tuple[Capacity, Throughput]]] = defaultdict(list)
        for figure in link.capacity:
            found = throughput(
                figure,
                mode=link.mode,
                gauge_mm=link.gauge_mm,
                departures_per_week=_scheduled_departures(link),
            )
            for slot in _link_slots(figure.direction):
                groups[slot].append((figure, found))
        for slot, figures in groups.items():
            edges = slots.get((asset.id, "fwd"), []) + slots.get((asset.id, "rev"), []) if slot == "both" else slots.get((asset.id, slot), [])
            if not edges:
                continue
            base = sum(hours[e] for e in edges) / len(edges)
            variability = VARIABILITY["sea" if link.mode is Mode.SEA else link.mode.value]
            queues.append(_queue(asset, names[slot], edges, figures, base, variability))
    for place in places.values():
        if place.capacity is None:
            continue
        facilities = (
            (AssetKind.BORDER, place.capacity.border),
            (AssetKind.GAUGE_CHANGE, place.capacity.gauge_change),
            (AssetKind.TRANSSHIPMENT, place.capacity.transshipment),
        )
        for kind, figures_of_kind in facilities:
            asset = known.get(f"{kind.value}:{place.id}")
            if asset is None or not figures_of_kind:
                continue
            own = sorted(slot for (asset_id, slot) in slots if asset_id == asset.id)
            groups = defaultdict(list)
            for figure in figures_of_kind:
                mode = _place_mode(kind, figure, graph, by_asset[asset.id])
                found = throughput(figure, mode=mode)
                for slot in _place_slots(kind, figure, own):
                    groups[slot].append((figure, found))
            for slot, figures in groups.items():
                edges = by_asset[asset.id] if slot == "both" else slots[(asset.id, slot)]
                edges = [e for e in edges if slot == "both" or e in set(slots[(asset.id, slot)])]
                if kind is AssetKind.TRANSSHIPMENT:
                    pairs = {f.modes for f, _ in figures if f.modes}
                    if pairs:
                        edges = [e for e in edges if _transfer_modes(graph, e) & pairs]
                if not edges:
                    continue
                base = _place_hours(place, kind, graph, edges)
                variability = VARIABILITY["port" if kind is AssetKind.TRANSSHIPMENT else "rail"]
                label = {"in": "inbound", "out": "outbound"}.get(slot, slot)
                queues.append(_queue(asset, label, edges, figures, base, variability))
    return AssetTable(tuple(assets), {k: tuple(v) for k, v in by_asset.items()}, tuple(queues))


def _link_slots(direction: CapacityDirection) -> tuple[str, ...]:
    return {
        CapacityDirection.EACH: ("fwd", "rev"),
        CapacityDirection.BOTH: ("both",),
        CapacityDirection.FORWARD: ("fwd",),
        CapacityDirection.REVERSE: ("rev",),
    }[direction]


def _place_slots(kind: AssetKind, figure: Capacity, own: list[str]) -> tuple[str, ...]:
    if figure.direction is CapacityDirection.BOTH:
        return ("both",)
    if figure.direction is CapacityDirection.INBOUND:
        return ("in",)
    if figure.direction is CapacityDirection.OUTBOUND:
        return ("out",)
    if kind is AssetKind.TRANSSHIPMENT and figure.modes:
        wanted = {m.value for m in figure.modes}
        return tuple(slot for slot in own if set(slot.split(">")) == wanted)
    return tuple(own)


def _transfer_hops(graph: CompiledGraph, edge: int) -> list[tuple[str, str]]:
    """The changes of state a transfer edge makes, in order: one, or each change of a composite edge.

    Read from its part keys (``<place>:<state>><state>``, one per change).
    """
    hops = []
    for key in graph.part_keys[edge]:
        si, change, sj = key.rpartition(":")[2].partition(">")
        if change:
            hops.append((si, sj))
    return hops or [(graph.node_state[graph.edge_src[edge]], graph.node_state[graph.edge_dst[edge]])]


def _transfer_modes(graph: CompiledGraph, edge: int) -> set[frozenset[Mode]]:
    """The mode pairs of the changes a transfer edge makes."""
    return {frozenset(Mode(_state_mode(s)) for s in hop) for hop in _transfer_hops(graph, edge)}


def _place_mode(kind: AssetKind, figure: Capacity, graph: CompiledGraph, edges: list[int]) -> Mode:
    """The mode whose services carry a place's traffic: rail for a yard, else the mode of its edges (rail first)."""
    if kind is AssetKind.GAUGE_CHANGE:
        return Mode.RAIL
    modes = {Mode(_state_mode(graph.node_state[graph.edge_src[e]])) for e in edges}
    if kind is AssetKind.TRANSSHIPMENT:
        modes |= {Mode(_state_mode(graph.node_state[graph.edge_dst[e]])) for e in edges}
        modes.discard(Mode.SEA) if len(modes) > 1 else None
    for mode in (Mode.RAIL, Mode.ROAD, Mode.SEA):
        if mode in modes:
            return mode
    return Mode.RAIL


def _place_hours(place: object, kind: AssetKind, graph: CompiledGraph, edges: list[int]) -> float:
    """The facility's own hours: the border dwell at the place, else the transfer's hours."""
    if kind is AssetKind.BORDER:
        border = getattr(place, "border", None)
        if border is None:
            return 0.0
        # The post's dwell at the default (scheduled) level, the longer of its two directions.
        controls = border.controls
        return float(max(controls.entering.at(ServiceLevel.SCHEDULED).typical, controls.leaving.at(ServiceLevel.SCHEDULED).typical))
    return sum(graph.hours[e] for e in edges) / len(edges)


def _queue(
    asset: Asset, direction: str, edges: list[int], figures: list[tuple[Capacity, Throughput]], base: float, variability: float
) -> AssetQueue:
    teu = [t for _, t in figures if t.teu_eq_per_year is not None]
    tonnes = [t for _, t in figures if t.tonnes_per_year is not None]
    best_teu = min(teu, key=lambda t: t.teu_eq_per_year or 0.0) if teu else None
    best_t = min(tonnes, key=lambda t: t.tonnes_per_year or 0.0) if tonnes else None
    binding = best_teu or best_t
    assert binding is not None
    sources = tuple(dict.fromkeys(k for f, _ in figures for k in _figure_sources(f)))
    estimate = any(f.provenance.estimate is not None for f, _ in figures)
    text = "; ".join(t.text for t in (best_teu, best_t) if t is not None)
    return AssetQueue(
        asset=asset,
        direction=direction,
        edges=tuple(sorted(set(edges))),
        capacity_teu_eq_per_year=best_teu.teu_eq_per_year if best_teu else None,
        capacity_tonnes_per_year=best_t.tonnes_per_year if best_t else None,
        services_per_day=binding.services_per_day,
        base_hours=base,
        variability=variability,
        text=text,
        sources=sources,
        estimate=estimate,
    )


def _figure_sources(figure: Capacity) -> tuple[str, ...]:
    keys = list(figure.provenance.sources)
    for name in ("trains_per_day", "teu_per_train", "sailings_per_week", "teu_per_sailing", "teu_per_day", "teu_per_year", "tonnes_per_year", "wagons_per_day", "trucks_per_day"):
        value = getattr(figure, name)
        if value is not None:
            keys.extend(value.provenance.sources)
    return tuple(keys)


def _scheduled_departures(link: Link) -> float | None:
    """Departures a week of the link's scheduled service level (its published timetable), or None."""
    if link.departures is None:
        return None
    timetable = link.departures.at(ServiceLevel.SCHEDULED)
    return timetable.per_week.value if timetable is not None else None
