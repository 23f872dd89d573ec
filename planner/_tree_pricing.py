"""Pricing every destination of shortest-path trees at once, with NumPy arrays.

:func:`planner._pricing.price` walks one path and adds its figures up in a fixed order: the time
parts of each leg (the changes before a link, then the link) from 0, then the legs from 0, a change
at the very end onto the last leg; costs the same way; CO2e, distance and counters edge by edge;
the Monte Carlo draws part by part. Floating-point sums depend on their order, so each tree node
keeps the partial sums that order leaves there (the legs before the last one, the last leg, the
changes since it) and they are extended down the trees one depth at a time, every node of that
depth in every tree in one array operation: each destination gets the very numbers ``price`` gives
its path.

Each node's draws (MONTE_CARLO_SAMPLES per node) are its parent's plus its edge's parts' draws,
the same seeded draws :mod:`planner._pricing` uses, so P50 and P90 are identical too. Only the
nodes on a path to a wanted destination are priced, and draws are kept for one depth at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._compile import LINK, CompiledGraph
from ._pricing import MONTE_CARLO_SAMPLES, edge_time, part_draws, quantile_rows
from ._tree import Tree
from .cache import CacheSlot, MiB
from .corridors import corridor_links
from .model import ServiceLevel

__all__ = ["EdgeTables", "Pricing", "TreePrices", "edge_tables", "join", "price_trees"]

# Columns of a node's state: the legs before the last (typical, min, max hours), the last leg, the
# changes since the last link, the constant parts' hours, then sums kept edge by edge. Costs and
# CO2e, which depend on the shipment, are kept apart (per shipment).
_PREV, _LAST, _PEND = slice(0, 3), slice(3, 6), slice(6, 9)
_CONST = 9
_SUMS = 10
_KM, _BORDERS, _TRANSSHIP, _TIMED = 10, 11, 12, 13
_CORRIDORS = 14  # kilometres on each corridor follow, one column per corridor


@dataclass(frozen=True, slots=True)
class EdgeTables:
    """Every compiled edge's time parts at one service level and month, as arrays (edges x parts)."""

    hours: np.ndarray
    """(edges, parts, 3): typical, min, max hours of each part, 0 past an edge's last part."""
    parts: np.ndarray
    """(edges,): how many parts each edge has."""
    alone: np.ndarray
    """(edges, 3): the parts' hours added up from 0 in order (an edge's leg when nothing comes before it)."""
    constant: np.ndarray
    """(edges, constant parts): the hours of each constant part (min == max) in order, 0 past the last."""
    random: np.ndarray
    """(edges, random parts): row of ``draws`` of each random part in order, the zero row past the last."""
    randoms: np.ndarray
    """(edges,): how many random parts each edge has."""
    timed: np.ndarray
    """(edges,): 1 where a part waits for a service with published weekdays."""
    draws: np.ndarray
    """(random parts + 1, MONTE_CARLO_SAMPLES): each random part's draws; the last row is zeros."""


def _tables_bytes(tables: EdgeTables) -> int:
    return sum(a.nbytes for a in (tables.hours, tables.alone, tables.constant, tables.random, tables.draws)) + 4096


_TABLES = CacheSlot[tuple[ServiceLevel, int | None], EdgeTables](
    "tree pricing tables", max_entries=8, max_bytes=512 * MiB, sizeof=_tables_bytes
)


def edge_tables(graph: CompiledGraph, service: ServiceLevel, month: int | None) -> EdgeTables:
    """The graph's :class:`EdgeTables` for a service level and month; built once per network and key."""
    return graph.network.caches.get(_TABLES, (service, month), lambda: _build_tables(graph, service, month))


def _build_tables(graph: CompiledGraph, service: ServiceLevel, month: int | None) -> EdgeTables:
    times = [edge_time(graph, e, service, month) for e in range(len(graph.edge_src))]
    edges = len(times)
    width = max((len(t.parts) for t in times), default=0) or 1
    hours = np.zeros((edges, width, 3))
    alone = np.zeros((edges, 3))
    counts = np.zeros(edges, dtype=np.int64)
    timed = np.zeros(edges)
    index: dict[tuple[str, tuple[float, float, float]], int] = {}
    constant_rows: list[list[float]] = []
    random_rows: list[list[int]] = []
    for e, time in enumerate(times):
        counts[e] = len(time.parts)
        timed[e] = 1.0 if time.timed else 0.0
        constants: list[float] = []
        randoms: list[int] = []
        low_sum = typical_sum = high_sum = 0.0
        for j, (key, part) in enumerate(zip(time.keys, time.parts, strict=True)):
            low, typical, high = part
            hours[e, j] = (typical, low, high)
            low_sum += low
            typical_sum += typical
            high_sum += high
            if high - low <= 1e-12:  # a constant, as _pricing.percentiles reads it
                constants.append(typical)
            else:
                randoms.append(index.setdefault((key, part), len(index)))
        alone[e] = (typical_sum, low_sum, high_sum)
        constant_rows.append(constants)
        random_rows.append(randoms)
    zero = len(index)
    draws = np.zeros((zero + 1, MONTE_CARLO_SAMPLES))
    for (key, part), row in index.items():
        draws[row] = part_draws(key, part)
    constant = np.zeros((edges, max((len(r) for r in constant_rows), default=0)))
    for e, values in enumerate(constant_rows):
        constant[e, : len(values)] = values
    randoms_count = np.array([len(r) for r in random_rows], dtype=np.int64)
    random = np.full((edges, max(int(randoms_count.max(initial=0)), 1)), zero, dtype=np.int64)
    for e, rows in enumerate(random_rows):
        random[e, : len(rows)] = rows
    for array in (hours, alone, constant, random, randoms_count, counts, timed, draws):
        array.setflags(write=False)
    return EdgeTables(hours, counts, alone, constant, random, randoms_count, timed, draws)


@dataclass(frozen=True, slots=True)
class _Edges:
    """Per-edge figures that depend on the network alone."""

    is_link: np.ndarray
    co2e_t: np.ndarray
    """(edges,): kg CO2e per tonne of link edges, 0 for changes."""
    cost_teu: np.ndarray
    cost_mode: np.ndarray
    """(edges,): 0, 1, 2 for the rail, road, sea factor that prices the edge's cost."""
    sums: np.ndarray
    """(edges, columns from _SUMS): km, borders, transshipments, 0 (timed, per level), km on each corridor."""
    corridors: tuple[str, ...]


_EDGES = CacheSlot[None, _Edges]("tree pricing edges", max_entries=1)


def _edges(graph: CompiledGraph) -> _Edges:
    return graph.network.caches.get(_EDGES, None, lambda: _build_edges(graph))


def _build_edges(graph: CompiledGraph) -> _Edges:
    by_corridor = corridor_links(graph.network)
    ids = tuple(by_corridor)
    count = len(graph.edge_src)
    is_link = np.array([k == LINK for k in graph.edge_kind], dtype=bool)
    distance = np.where(is_link, np.array(graph.distance, dtype=np.float64), 0.0)
    sums = np.zeros((count, _CORRIDORS - _SUMS + len(ids)))
    sums[:, _KM - _SUMS] = distance
    sums[:, _BORDERS - _SUMS] = graph.border
    sums[:, _TRANSSHIP - _SUMS] = graph.transship
    for c, corridor in enumerate(ids):
        links = by_corridor[corridor]
        on = [e for e, link in enumerate(graph.edge_link) if is_link[e] and link in links]
        sums[on, _CORRIDORS - _SUMS + c] = distance[on]
    modes = {"rail": 0, "road": 1, "sea": 2}
    cost_mode = np.array([modes[graph.node_mode[d].value] for d in graph.edge_dst], dtype=np.int64)
    co2e_t = np.where(is_link, np.array(graph.co2e_t, dtype=np.float64), 0.0)
    cost_teu = np.array(graph.cost_teu, dtype=np.float64)
    for array in (is_link, co2e_t, cost_teu, cost_mode, sums):
        array.setflags(write=False)
    return _Edges(is_link, co2e_t, cost_teu, cost_mode, sums, ids)


@dataclass(frozen=True, slots=True)
class TreePrices:
    """Figures of one tree's paths to its ends, one entry per end, in their order (see :func:`price_trees`)."""

    transit_hours: np.ndarray
    transit_hours_min: np.ndarray
    transit_hours_max: np.ndarray
    cost_usd: np.ndarray
    co2e_kg: np.ndarray
    distance_km: np.ndarray
    border_crossings: np.ndarray
    transshipments: np.ndarray
    timed: np.ndarray
    """Whether the path waits for a service with published weekdays (then a departure date changes its times)."""
    corridor_km: np.ndarray
    """(ends, corridors): kilometres on each corridor of ``corridors``."""
    corridors: tuple[str, ...]
    quantiles: dict[float, np.ndarray]
    """Percentile -> hours, for each percentile asked for."""
    places: list[tuple[str, ...]]
    loops: list[bool]
    """Whether the path passes a place twice."""


def join(first: TreePrices, second: TreePrices) -> TreePrices:
    """The ends of ``first`` then those of ``second`` (priced on the same graph, level and month)."""
    arrays = {
        name: np.concatenate((getattr(first, name), getattr(second, name)))
        for name in (
            "transit_hours", "transit_hours_min", "transit_hours_max", "cost_usd", "co2e_kg", "distance_km",
            "border_crossings", "transshipments", "timed", "corridor_km",
        )
    }  # fmt: skip
    return TreePrices(
        **arrays,
        corridors=first.corridors,
        quantiles={q: np.concatenate((v, second.quantiles[q])) for q, v in first.quantiles.items()},
        places=[*first.places, *second.places],
        loops=[*first.loops, *second.loops],
    )


@dataclass(frozen=True, slots=True)
class Pricing:
    """What a request scales: the shipment's cost factors (rail, road, sea) and its tonnes."""

    cost_factors: tuple[float, float, float]
    tonnes: float


MAX_ROWS_PER_DEPTH = 4096
"""Ends priced together (a depth has at most as many nodes, whose draws take 16 KiB each); more are priced in turns."""


def price_trees(
    trees: Sequence[Tree],
    ends: Sequence[Sequence[int]],
    pricings: Sequence[Sequence[Pricing]],
    *,
    service: ServiceLevel,
    month: int | None,
    qs: Sequence[float] = (50.0, 90.0),
) -> list[list[TreePrices]]:
    """Price each tree's paths to its ends (distinct reached nodes) as :func:`planner._pricing.price` would.

    The trees share one compiled graph; each is priced for each of its shipments (:class:`Pricing`):
    times, distances and counters once, costs and CO2e per shipment. ``qs`` are the transit-time
    percentiles wanted. Returns, per tree, one :class:`TreePrices` per shipment.
    """
    if not trees:
        return []
    graph = trees[0].graph
    if any(tree.graph is not graph for tree in trees):
        raise ValueError("price_trees: the trees must share one compiled graph")
    out: list[list[TreePrices]] = []
    first = 0
    while first < len(trees):
        # A depth holds at most as many nodes as there are ends below it: bound the ends priced together.
        last, rows = first + 1, len(ends[first])
        while last < len(trees) and rows + len(ends[last]) <= MAX_ROWS_PER_DEPTH:
            rows += len(ends[last])
            last += 1
        picked = range(first, last)
        out.extend(
            _price(graph, [trees[i] for i in picked], [ends[i] for i in picked], [pricings[i] for i in picked], service, month, qs)
        )
        first = last
    return out


def _price(
    graph: CompiledGraph,
    trees: list[Tree],
    ends: list[Sequence[int]],
    pricings: list[Sequence[Pricing]],
    service: ServiceLevel,
    month: int | None,
    qs: Sequence[float],
) -> list[list[TreePrices]]:
    tables = edge_tables(graph, service, month)
    edges = _edges(graph)
    forest = _Forest(trees, ends)
    width = _CORRIDORS + len(edges.corridors)
    total = sum(len(e) for e in ends)
    shipments = max(len(p) for p in pricings)
    # (trees, shipments, rail/road/sea) and (trees, shipments); a tree with fewer shipments repeats its first.
    factors = np.array([[p[min(i, len(p) - 1)].cost_factors for i in range(shipments)] for p in pricings], dtype=np.float64)
    tonnes = np.array([[p[min(i, len(p) - 1)].tonnes for i in range(shipments)] for p in pricings], dtype=np.float64)
    result = np.zeros((total, width))
    money = np.zeros((total, shipments, 4))  # cost: legs before the last, last leg, changes since; CO2e
    quantiles = {q: np.zeros(total) for q in qs}
    sums = edges.sums.copy()
    sums[:, _TIMED - _SUMS] = tables.timed
    starts = len(forest.levels[0].trees)
    state = np.zeros((starts, width))
    spent = np.zeros((starts, shipments, 4))
    draws = np.zeros((starts, MONTE_CARLO_SAMPLES))
    for level in forest.levels[1:]:
        e, up, tree = level.edges, level.parents, level.trees
        new = state[up]
        # This edge's parts added to the changes since the last link, in order (from 0 when there are none).
        acc = tables.alone[e]
        waiting = np.flatnonzero(new[:, _PEND].any(axis=1))
        if waiting.size:
            acc = acc.copy()
            slow = new[waiting, _PEND].copy()
            ew = e[waiting]
            for j in range(int(tables.parts[ew].max())):
                slow += tables.hours[ew, j]
            acc[waiting] = slow
        for j in range(tables.constant.shape[1]):
            new[:, _CONST] += tables.constant[e, j]
        paid = spent[up]
        cost = paid[:, :, 2] + edges.cost_teu[e][:, None] * factors[tree, :, edges.cost_mode[e]]
        link = edges.is_link[e]
        if link.all():
            new[:, _PREV] += new[:, _LAST]
            new[:, _LAST] = acc
            new[:, _PEND] = 0.0
            paid[:, :, 0] += paid[:, :, 1]
            paid[:, :, 1] = cost
            paid[:, :, 2] = 0.0
        else:
            lk = link[:, None]
            new[:, _PREV] = np.where(lk, new[:, _PREV] + new[:, _LAST], new[:, _PREV])
            new[:, _LAST] = np.where(lk, acc, new[:, _LAST])
            new[:, _PEND] = np.where(lk, 0.0, acc)
            paid[:, :, 0] = np.where(lk, paid[:, :, 0] + paid[:, :, 1], paid[:, :, 0])
            paid[:, :, 1] = np.where(lk, cost, paid[:, :, 1])
            paid[:, :, 2] = np.where(lk, 0.0, cost)
        paid[:, :, 3] += edges.co2e_t[e][:, None] * tonnes[tree]
        new[:, _SUMS:] += sums[e]
        state, spent = new, paid
        parts = draws[up]
        spread = tables.randoms[e]
        for j in range(int(spread.max(initial=0))):
            rows = np.flatnonzero(spread > j)
            if rows.size == len(e):
                parts += tables.draws[tables.random[e, j]]
            else:
                parts[rows] += tables.draws[tables.random[e[rows], j]]
        draws = parts
        if level.ends.size:
            result[level.at] = state[level.ends]
            money[level.at] = spent[level.ends]
            if qs:
                values = quantile_rows(draws[level.ends], qs)
                for q, v in zip(qs, values, strict=True):
                    quantiles[q][level.at] = v + state[level.ends, _CONST]
    hours = [result[:, _PREV.start + i] + (result[:, _LAST.start + i] + result[:, _PEND.start + i]) for i in range(3)]
    cost = money[:, :, 0] + (money[:, :, 1] + money[:, :, 2])
    out = []
    start = 0
    for t, tree_ends in enumerate(ends):
        part = slice(start, start + len(tree_ends))
        start = part.stop
        shared = {
            "transit_hours": hours[0][part],
            "transit_hours_min": hours[1][part],
            "transit_hours_max": hours[2][part],
            "distance_km": result[part, _KM],
            "border_crossings": result[part, _BORDERS].astype(np.int64),
            "transshipments": result[part, _TRANSSHIP].astype(np.int64),
            "timed": result[part, _TIMED] > 0,
            "corridor_km": result[part, _CORRIDORS:],
            "corridors": edges.corridors,
            "quantiles": {q: v[part] for q, v in quantiles.items()},
            "places": [forest.places[t][end] for end in tree_ends],
            "loops": [forest.loops[t][end] for end in tree_ends],
        }
        out.append(
            [TreePrices(cost_usd=cost[part, i], co2e_kg=money[part, i, 3], **shared) for i in range(len(pricings[t]))]  # type: ignore[arg-type]
        )
    return out


@dataclass(frozen=True, slots=True)
class _Level:
    """The nodes of one depth of every tree: the edges into them, their parents' rows one depth up, their
    trees, and which of them are ends (their rows here, and their rows in the result)."""

    edges: np.ndarray
    parents: np.ndarray
    trees: np.ndarray
    ends: np.ndarray
    at: np.ndarray


class _Forest:
    """The states on the paths to the ends of several trees, by depth (depth 0: the starts they leave from).

    Also each state's places (the path's places in order, a change of mode counted once) and whether its
    path passes a place twice.
    """

    def __init__(self, trees: Sequence[Tree], ends: Sequence[Sequence[int]]) -> None:
        self.places: list[dict[int, tuple[str, ...]]] = []
        self.loops: list[dict[int, bool]] = []
        walks = []
        for tree, tree_ends in zip(trees, ends, strict=True):
            by_depth, places, loops = _walk(tree, tree_ends)
            walks.append(by_depth)
            self.places.append(places)
            self.loops.append(loops)
        self.levels: list[_Level] = []
        positions = [[0] * (2 * tree.n) for tree in trees]
        ends_at: list[dict[int, int]] = []
        row = 0
        for tree_ends in ends:
            ends_at.append({end: row + i for i, end in enumerate(tree_ends)})
            row += len(tree_ends)
        for d in range(max(len(w) for w in walks)):
            edges: list[int] = []
            parents: list[int] = []
            owners: list[int] = []
            hits: list[int] = []
            rows: list[int] = []
            for t, (tree, by_depth) in enumerate(zip(trees, walks, strict=True)):
                if d >= len(by_depth):
                    continue
                states = by_depth[d]
                position = positions[t]
                first = len(owners)
                if d:
                    pred, prev = tree.pred, tree.prev
                    edges.extend([pred[state] for state in states])
                    parents.extend([position[prev[state]] for state in states])
                else:
                    edges.extend([0] * len(states))
                owners.extend([t] * len(states))
                at = ends_at[t]
                for i, state in enumerate(states):
                    position[state] = first + i
                    if state in at:
                        hits.append(first + i)
                        rows.append(at[state])
            self.levels.append(
                _Level(
                    np.array(edges, dtype=np.int64),
                    np.array(parents, dtype=np.int64),
                    np.array(owners, dtype=np.int64),
                    np.array(hits, dtype=np.int64),
                    np.array(rows, dtype=np.int64),
                )
            )


def _walk(tree: Tree, ends: Sequence[int]) -> tuple[list[list[int]], dict[int, tuple[str, ...]], dict[int, bool]]:
    """A tree's states on the paths to ``ends`` by depth, and each end's places and whether one repeats."""
    graph = tree.graph
    pred, prev, n = tree.pred, tree.prev, tree.n
    edge_kind, node_place = graph.edge_kind, graph.node_place
    depth = [-1] * (2 * n)
    by_depth: list[list[int]] = [[]]
    for end in ends:
        chain = []
        state = end
        while depth[state] < 0:
            if pred[state] < 0:
                depth[state] = 0
                by_depth[0].append(state)
                break
            chain.append(state)
            state = prev[state]
        d = depth[state]
        for state in reversed(chain):
            d += 1
            depth[state] = d
            if d == len(by_depth):
                by_depth.append([])
            by_depth[d].append(state)
    places: dict[int, tuple[str, ...]] = {}
    loops: dict[int, bool] = {}
    for end in ends:
        # The places of the path, from the end back: each link's destination, then the origin.
        back = []
        state = end
        while (edge := pred[state]) >= 0:
            if edge_kind[edge] == LINK:
                back.append(node_place[state % n])
            state = prev[state]
        back.append(node_place[state % n])
        back.reverse()
        places[end] = tuple(back)
        loops[end] = len(set(back)) != len(back)
    return by_depth, places, loops
