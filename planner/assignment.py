"""Volumes and capacity: assign yearly freight flows to the network and find the bottlenecks.

:func:`assign` loads a demand table (:mod:`planner.demand`) on the network's compiled index: every
OD pair's TEU-equivalents follow least-cost paths, and where assets have published capacity
(:mod:`planner.assets`) their volume over capacity turns into queue days (:mod:`planner.delay`),
which raise the cost of the paths through them, until no shipper could do better by switching
path (Wardrop's first principle, within the relative gap asked for). See docs/assignment.md.

Methods: ``aon`` (all-or-nothing on free-flow costs), ``incremental`` (the demand in equal slices,
costs updated between them), ``msa`` (method of successive averages), ``fw`` (Frank–Wolfe) and
``bfw`` (bi-conjugate Frank–Wolfe). ``capacity_mode="hard"`` keeps every asset below capacity and
reports what does not fit as unserved, instead of letting queues grow without bound.
"""

from __future__ import annotations

import math
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy.sparse import csr_matrix

from . import _flows
from ._compile import TRANSFER, CompiledGraph, compiled
from .assets import AssetKind, AssetQueue, AssetTable, asset_table
from .cache import CacheSlot, MiB
from .compare import DEFAULT_MIN_CORRIDOR_SHARE
from .corridors import corridor_links
from .delay import BPRDelay, DelayFunction, QueueDelay
from .demand import Demand, DemandRow, load_demand, read_demand
from .errors import InvalidRequestError
from .network import Network
from .request import DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR
from .scenario import Scenario, load_scenario
from .scenario_network import scenario_network

__all__ = [
    "DEFAULT_DESIGN_VC",
    "DEFAULT_GAP",
    "DEFAULT_MAX_ITERATIONS",
    "DEFAULT_MAX_QUEUE_DAYS",
    "METHODS",
    "AssetFlow",
    "Assignment",
    "AssignmentConvergenceWarning",
    "CorridorFlow",
    "LinkFlow",
    "ODFlow",
    "ODPath",
    "assign",
]

Method = Literal["aon", "incremental", "msa", "fw", "bfw"]
METHODS: tuple[str, ...] = ("aon", "incremental", "msa", "fw", "bfw")
DEFAULT_GAP = 1e-4
DEFAULT_MAX_ITERATIONS = 500
MAX_ITERATIONS = 10_000
DEFAULT_MAX_QUEUE_DAYS = 30.0
"""Hard capacity: the longest queue a shipper accepts on top of the free-flow route before the volume stays home."""
DEFAULT_DESIGN_VC = 0.85
"""Volume over capacity that the extra capacity needed is sized for: queues grow fast above it (M/D/1 waits 2.8
service times at 0.85, 9.5 at 0.95)."""
_TINY = 1e-9
_TIE = 1e-9


class AssignmentConvergenceWarning(UserWarning):
    """The assignment stopped at its iteration limit before reaching the relative gap asked for."""


@dataclass(frozen=True, slots=True)
class AssetFlow:
    """Volume, capacity and queue of one direction of an asset with published capacity.

    Volumes are yearly, in TEU-equivalents (``teu_per_year``) and tonnes; ``vc`` is the larger of the
    two volume/capacity ratios; ``extra_*`` is the capacity to add for ``vc`` to come down to the
    design ratio (:data:`DEFAULT_DESIGN_VC`), counting volume that hard capacity left unserved.
    """

    asset: str
    kind: AssetKind
    name: str
    direction: str
    place: str | None
    link: str | None
    mode: str | None
    teu_per_year: float
    tonnes_per_year: float
    capacity_teu_per_year: float | None
    capacity_tonnes_per_year: float | None
    vc: float
    queue_days: float
    extra_teu_per_year: float
    extra_tonnes_per_year: float
    capacity: str
    sources: tuple[str, ...]
    estimate: bool


@dataclass(frozen=True, slots=True)
class LinkFlow:
    """Yearly volume on a link, each way, with the worst V/C and queue of its capacity (if any)."""

    link: str
    name: str
    mode: str
    forward_teu_per_year: float
    reverse_teu_per_year: float
    tonnes_per_year: float
    vc: float | None
    queue_days: float

    @property
    def teu_per_year(self) -> float:
        return self.forward_teu_per_year + self.reverse_teu_per_year


@dataclass(frozen=True, slots=True)
class CorridorFlow:
    """Served volume whose path runs mostly on a corridor (``id`` None: on no corridor), and its share."""

    id: str | None
    name: str
    teu_per_year: float
    tonnes_per_year: float
    share: float


@dataclass(frozen=True, slots=True)
class ODPath:
    """One path an OD pair's flow takes: its places, the share of the pair's flow, loaded hours and corridor."""

    places: tuple[str, ...]
    share: float
    hours: float
    corridor: str | None


@dataclass(frozen=True, slots=True)
class ODFlow:
    """An origin-destination pair's yearly volume, what was served, and its loaded time, cost and CO2e.

    ``hours`` is the flow-weighted time of its paths with queues (``queue_hours`` of it); ``free_flow_hours``
    that of its best path on an empty network. ``cost_usd_per_teu`` is the tariff per TEU-eq (without the
    value of time); ``co2e_kg_per_year`` counts the served tonnes.
    """

    origin: str
    destination: str
    teu_per_year: float
    tonnes_per_year: float
    served_teu_per_year: float
    unserved_teu_per_year: float
    unserved_reason: str | None
    hours: float
    queue_hours: float
    free_flow_hours: float
    cost_usd_per_teu: float
    co2e_kg_per_year: float
    corridors: tuple[tuple[str | None, float], ...]
    paths: tuple[ODPath, ...] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The result of :func:`assign`: what went where, what queued, what did not fit, and how well it converged."""

    demand: str
    scenario: str | None
    network_digest: str
    method: str
    capacity_mode: str
    criterion: str
    gap: float
    """Relative gap of the returned volumes: (total cost − cost on shortest paths) / total cost."""
    target_gap: float
    iterations: int
    converged: bool
    seconds: float
    teu_per_year: float
    tonnes_per_year: float
    served_teu_per_year: float
    unserved_teu_per_year: float
    unserved_tonnes_per_year: float
    assets: tuple[AssetFlow, ...]
    links: tuple[LinkFlow, ...]
    corridors: tuple[CorridorFlow, ...]
    ods: tuple[ODFlow, ...]
    gaps: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()
    asset_volumes: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    """Every asset's yearly volume (TEU-eq, tonnes), with or without capacity, by asset id."""

    @property
    def bottlenecks(self) -> tuple[AssetFlow, ...]:
        """Assets with capacity, the most loaded first (V/C, then queue days)."""
        return tuple(sorted(self.assets, key=lambda a: (-a.vc, -a.queue_days, a.asset, a.direction)))

    @property
    def unserved(self) -> tuple[ODFlow, ...]:
        return tuple(od for od in self.ods if od.unserved_teu_per_year > 0)


# --- the problem on arrays ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Graph:
    """The compiled index as arrays for assignment, with a virtual origin and destination node per place.

    Nodes are the search's states (:mod:`planner._search`): compiled node ``s`` entered by a link (or
    at the start) is node ``s``, entered by a change of mode or gauge it is ``s + n``; a transfer edge
    leads from the first kind to the second only, so no path changes twice in a row at a place. A
    link edge therefore appears twice (from either kind of state); ``edge`` maps every edge back to
    its compiled edge (-1 for the virtual ones). The origin of place ``i`` is node ``zones + i``,
    its destination ``zones + places + i``.
    """

    compiled: CompiledGraph
    table: AssetTable
    places: tuple[str, ...]
    n_nodes: int
    zones: int
    src: np.ndarray
    dst: np.ndarray
    edge: np.ndarray
    n_real: int
    hours: np.ndarray
    cost: np.ndarray
    co2e_t: np.ndarray
    distance: np.ndarray
    queues: csr_matrix
    corridor_km: np.ndarray  # edges x corridors: km on each corridor (real edges; 0 on virtual)
    corridor_weight: np.ndarray  # edges x corridors: km / corridors sharing the link (to pick the main one)
    corridor_ids: tuple[str, ...]


def _graph_bytes(graph: _Graph) -> int:
    return 72 * len(graph.src) + 8 * graph.corridor_km.size * 2 + 4096


_GRAPHS = CacheSlot[None, _Graph]("assignment graph", max_entries=1, max_bytes=64 * MiB, sizeof=_graph_bytes)


def _assignment_graph(network: Network) -> _Graph:
    return network.caches.get(_GRAPHS, None, lambda: _build_graph(network))


def _build_graph(network: Network) -> _Graph:
    graph = compiled(network)
    table = asset_table(network)
    n = len(graph.node_place)
    zones = 2 * n
    places = tuple(network.places)
    index = {p: i for i, p in enumerate(places)}
    p = len(places)
    n_compiled = len(graph.edge_src)
    transfer = np.asarray(graph.edge_kind, dtype=np.int8) == TRANSFER
    compiled_src = np.asarray(graph.edge_src, dtype=np.int64)
    compiled_dst = np.asarray(graph.edge_dst, dtype=np.int64)
    links = np.flatnonzero(~transfer)
    # Every compiled edge from a state entered by a link (a transfer into the state entered by a
    # transfer), then each link edge again from the state entered by a transfer.
    src = list(np.concatenate([compiled_src, compiled_src[links] + n]))
    dst = list(np.concatenate([np.where(transfer, compiled_dst + n, compiled_dst), compiled_dst[links]]))
    edge = list(np.concatenate([np.arange(n_compiled), links]))
    n_real = len(src)
    for place, nodes in graph.place_nodes.items():
        i = index[place]
        # A route starts where routes start at its origin (a start node per state: its origin node,
        # which carries the first departure wait) and ends in any node of its destination, arriving
        # by a link (arriving by a change of mode at the destination only adds the change).
        for node in graph.start_nodes.get(place, ()):
            src.append(zones + i)
            dst.append(node)
            edge.append(-1)
        for node in nodes:
            src.append(node)
            dst.append(zones + p + i)
            edge.append(-1)
    edge_of = np.asarray(edge, dtype=np.int64)
    pad = np.zeros(len(src) - n_real)
    copies = csr_matrix(
        (np.ones(n_real), (edge_of[:n_real], np.arange(n_real))), shape=(n_compiled, len(src))
    )  # compiled edge x assignment edge
    rows: list[int] = []
    cols: list[int] = []
    for q, queue in enumerate(table.queues):
        rows.extend([q] * len(queue.edges))
        cols.extend(queue.edges)
    per_compiled = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(table.queues), n_compiled))
    queues = csr_matrix(per_compiled @ copies)
    corridor_ids = tuple(network.corridors)
    members = corridor_links(network)
    shared: dict[str, int] = defaultdict(int)
    for ids in members.values():
        for link in ids:
            shared[link] += 1
    km = np.zeros((len(src), len(corridor_ids)))
    weight = np.zeros_like(km)
    for e in range(n_real):
        edge_link = graph.edge_link[edge_of[e]]
        if edge_link is None:
            continue
        for c, corridor in enumerate(corridor_ids):
            if edge_link in members[corridor]:
                km[e, c] = graph.distance[edge_of[e]]
                weight[e, c] = graph.distance[edge_of[e]] / shared[edge_link]
    real = edge_of[:n_real]

    def per_edge(values: Iterable[float]) -> np.ndarray:
        return np.concatenate([np.asarray(values, dtype=float)[real], pad])

    return _Graph(
        compiled=graph,
        table=table,
        places=places,
        n_nodes=zones + 2 * p,
        zones=zones,
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        edge=edge_of,
        n_real=n_real,
        hours=per_edge(graph.hours),
        cost=per_edge(graph.cost_teu),
        co2e_t=per_edge(graph.co2e_t),
        distance=per_edge(graph.distance),
        queues=queues,
        corridor_km=km,
        corridor_weight=weight,
        corridor_ids=corridor_ids,
    )


# --- the facade ----------------------------------------------------------------------------------


def _check(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise InvalidRequestError(message, field=field_name)


def assign(
    network: Network,
    demand: Demand | str | Path | Iterable[DemandRow] | Iterable[Mapping[str, Any]],
    *,
    method: Method | str = "bfw",
    gap: float = DEFAULT_GAP,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    capacity_mode: Literal["queue", "hard"] | str = "queue",
    scenario: Scenario | str | None = None,
    criterion: Literal["generalized", "time"] | str = "generalized",
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    delay: DelayFunction | Literal["queue", "bpr"] | str = "queue",
    increments: int = 10,
    max_queue_days: float = DEFAULT_MAX_QUEUE_DAYS,
    design_vc: float = DEFAULT_DESIGN_VC,
    closed_assets: Iterable[str] = (),
    capacity_factors: Mapping[str, float] | None = None,
    od_paths: bool = True,
    progress: Callable[[int, float], None] | None = None,
) -> Assignment:
    """Assign yearly demand to the network and report volumes, queues, bottlenecks and unserved volume.

    Parameters
    ----------
    network
        A loaded network (never modified).
    demand
        A :class:`~planner.Demand`, a bundled demand set's name (``uz_kz_2030``), a file (CSV, JSON Lines
        or JSON), or rows (:class:`~planner.DemandRow` or mappings with the demand columns).
    method
        ``aon``, ``incremental``, ``msa``, ``fw`` or ``bfw`` (bi-conjugate Frank–Wolfe, the default).
    gap
        Relative gap to reach (equilibrium methods): (total cost − cost if every unit took its current
        shortest path) / total cost. A warning (:class:`AssignmentConvergenceWarning`) when
        ``max_iterations`` pass first.
    capacity_mode
        ``queue``: volume may pass capacity and queues grow (deterministic queue above capacity);
        ``hard``: every asset stays below capacity; a pair whose best path would queue more than
        ``max_queue_days`` beyond its free-flow route keeps the rest home (unserved).
    scenario
        A scenario (or a bundled scenario's name or a file) applied to the network first.
    criterion
        What shippers minimise: ``generalized`` (tariff + value of time x hours, USD per TEU) or ``time``.
    delay
        ``queue`` (:class:`~planner.QueueDelay`, the default), ``bpr`` (:class:`~planner.BPRDelay`) or an instance.
    increments
        Slices of the ``incremental`` method.
    design_vc
        V/C the extra capacity needed is sized for.
    closed_assets, capacity_factors
        Asset ids (``link:l013``, ``border:altynkol``) to close, and factors to scale assets' capacity by
        (0.5 halves it): what-ifs without building another network.
    od_paths
        Rebuild each OD pair's paths (places, shares, corridors); False skips it on very large matrices
        (OD results then come from the final shortest paths).
    progress
        Called with (iteration, relative gap) after each iteration.

    Returns
    -------
    Assignment
        Per asset (with capacity) volume, capacity, V/C, queue days and extra capacity needed; per link
        volume; per corridor volume and share; per OD pair loaded time, cost, CO2e and corridor split.

    Raises
    ------
    InvalidRequestError
        An option is out of range or unknown; :class:`~planner.DemandError` for bad demand rows;
        :class:`~planner.ScenarioError` for a bad scenario.

    Examples
    --------
    >>> import planner
    >>> result = planner.assign(planner.load_network(), "uz_kz_2030", method="fw")  # doctest: +SKIP
    >>> result.bottlenecks[0].name, result.bottlenecks[0].vc  # doctest: +SKIP
    """
    _check(method in METHODS, "method", f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    _check(capacity_mode in ("queue", "hard"), "capacity_mode", f"unknown capacity mode {capacity_mode!r}; expected queue or hard")
    _check(criterion in ("generalized", "time"), "criterion", f"unknown criterion {criterion!r}; expected generalized or time")
    _check(
        isinstance(gap, int | float) and not isinstance(gap, bool) and 0 < gap < 1,
        "gap",
        f"gap must be a number between 0 and 1 (exclusive), got {gap!r}",
    )
    _check(
        isinstance(max_iterations, int) and not isinstance(max_iterations, bool) and 1 <= max_iterations <= MAX_ITERATIONS,
        "max_iterations",
        f"max_iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, got {max_iterations!r}",
    )
    _check(
        isinstance(increments, int) and not isinstance(increments, bool) and 1 <= increments <= 1000,
        "increments",
        f"increments must be a whole number from 1 to 1,000, got {increments!r}",
    )
    _check(
        math.isfinite(value_of_time_usd_per_teu_hour) and value_of_time_usd_per_teu_hour > 0,
        "value_of_time_usd_per_teu_hour",
        f"value_of_time_usd_per_teu_hour must be a finite number > 0, got {value_of_time_usd_per_teu_hour!r}",
    )
    _check(math.isfinite(max_queue_days) and max_queue_days > 0, "max_queue_days", f"max_queue_days must be > 0, got {max_queue_days!r}")
    _check(0 < design_vc <= 1, "design_vc", f"design_vc must be in (0, 1], got {design_vc!r}")
    delay_function = _delay(delay)
    scenario_name: str | None = None
    if scenario is not None:
        parsed = load_scenario(scenario, network) if isinstance(scenario, str) else scenario
        scenario_name = parsed.name
        network = scenario_network(network, parsed)
    resolved = _demand(demand, network)
    graph = _assignment_graph(network)
    closed = graph.table.edges_of(closed_assets)
    factors = dict(capacity_factors or {})
    for asset_id, factor in factors.items():
        graph.table.asset(asset_id)
        _check(
            isinstance(factor, int | float) and not isinstance(factor, bool) and 0 <= factor <= 100,
            "capacity_factors",
            f"capacity factor of {asset_id} must be a number from 0 to 100, got {factor!r}",
        )
    started = time.perf_counter()
    run = _Run(network, graph, resolved, criterion, value_of_time_usd_per_teu_hour, closed, factors)
    hard = capacity_mode == "hard"
    solution, problem = run.solve(
        delay_function,
        method=str(method),
        gap=float(gap),
        max_iterations=max_iterations,
        increments=increments,
        hard=hard,
        max_queue_days=max_queue_days,
        keep_trees=od_paths,
        progress=progress,
    )
    result = run.result(
        solution,
        problem,
        delay_function,
        method=str(method),
        capacity_mode=str(capacity_mode),
        target_gap=float(gap),
        design_vc=design_vc,
        scenario=scenario_name,
        started=started,
        hard=hard,
    )
    if not result.converged:
        warnings.warn(result.warnings[0], AssignmentConvergenceWarning, stacklevel=2)
    return result


def _delay(value: DelayFunction | str) -> DelayFunction:
    if value == "queue":
        return QueueDelay()
    if value == "bpr":
        return BPRDelay()
    if isinstance(value, str):
        raise InvalidRequestError(f"unknown delay {value!r}; expected queue or bpr", field="delay")
    return value


def _demand(value: Demand | str | Path | Iterable[DemandRow] | Iterable[Mapping[str, Any]], network: Network) -> Demand:
    if isinstance(value, Demand):
        return value
    if isinstance(value, str | Path):
        return load_demand(value, network)
    return read_demand(value, network)


class _Run:
    """One assignment: the demand as OD arrays on the assignment graph, then the results."""

    def __init__(
        self,
        network: Network,
        graph: _Graph,
        demand: Demand,
        criterion: str,
        vot: float,
        closed: frozenset[int],
        factors: Mapping[str, float],
    ) -> None:
        self.network = network
        self.graph = graph
        self.demand = demand
        self.looping = 0
        index = {p: i for i, p in enumerate(graph.places)}
        n = graph.zones
        p = len(graph.places)
        totals: dict[tuple[str, str], list[float]] = {}
        for flow in demand.flows:
            pair = totals.setdefault((flow.origin, flow.destination), [0.0, 0.0])
            pair[0] += flow.teu_eq_per_year
            pair[1] += flow.tonnes_per_year
        self.pairs = list(totals)
        self.od_origin = np.array([n + index[o] for o, _ in self.pairs], dtype=np.int64)
        self.od_destination = np.array([n + p + index[d] for _, d in self.pairs], dtype=np.int64)
        self.od_demand = np.array([totals[k] for k in self.pairs], dtype=float).T.reshape(2, -1)
        self.cost_per_hour = vot if criterion == "generalized" else 1.0
        base = graph.cost + vot * graph.hours if criterion == "generalized" else graph.hours + _TIE * graph.cost
        base = base.copy()
        base[graph.n_real :] = _TINY
        if closed:
            base[np.isin(graph.edge, np.fromiter(closed, dtype=np.int64))] = np.inf
        self.base = base
        self.criterion = criterion
        queues = graph.table.queues
        capacity = np.array(
            [
                [q.capacity_teu_eq_per_year if q.capacity_teu_eq_per_year is not None else np.inf for q in queues],
                [q.capacity_tonnes_per_year if q.capacity_tonnes_per_year is not None else np.inf for q in queues],
            ]
        ).reshape(2, len(queues))
        scale = np.array([factors.get(q.asset.id, 1.0) for q in queues], dtype=float)
        self.capacity = capacity * scale
        self.services = np.array([q.services_per_day * max(factors.get(q.asset.id, 1.0), 1e-9) for q in queues], dtype=float)

    def problem(self, *, extra_src: np.ndarray | None = None, extra_dst: np.ndarray | None = None, extra_cost: np.ndarray | None = None) -> _flows.Problem:
        g = self.graph
        queues = list(g.table.queues)
        src, dst, base, matrix = g.src, g.dst, self.base, g.queues
        if extra_src is not None and extra_dst is not None and extra_cost is not None:
            src = np.concatenate([src, extra_src])
            dst = np.concatenate([dst, extra_dst])
            base = np.concatenate([base, extra_cost])
            matrix = csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], len(src)))
        return _flows.Problem(
            n_nodes=g.n_nodes,
            src=src,
            dst=dst,
            base_cost=base,
            od_origin=self.od_origin,
            od_destination=self.od_destination,
            od_demand=self.od_demand,
            queues=matrix,
            capacity=self.capacity,
            services_per_day=self.services,
            variability=np.array([q.variability for q in queues], dtype=float),
            base_hours=np.array([q.base_hours for q in queues], dtype=float),
            cost_per_hour=self.cost_per_hour,
        )

    def solve(
        self,
        delay: DelayFunction,
        *,
        method: str,
        gap: float,
        max_iterations: int,
        increments: int,
        hard: bool,
        max_queue_days: float,
        keep_trees: bool,
        progress: Callable[[int, float], None] | None,
    ) -> tuple[_flows.Solution, _flows.Problem]:
        plain = self.problem()
        free = _flows.Solver(plain, delay, hard=False, keep_trees=False, max_tree_bytes=0).aon(plain.base_cost)
        self.free_cost = free.od_cost
        self.reachable = np.isfinite(free.od_cost)
        penalty_edges = None
        problem = plain
        if hard and method not in ("aon", "incremental"):
            # Staying home costs the free-flow route plus the longest queue accepted: a path costlier than
            # that loses its volume to this edge, which is how unserved volume is counted.
            reach = np.flatnonzero(self.reachable)
            penalty = self.free_cost[reach] + self.cost_per_hour * 24.0 * max_queue_days
            start = len(plain.src)
            problem = self.problem(
                extra_src=self.od_origin[reach], extra_dst=self.od_destination[reach], extra_cost=penalty
            )
            penalty_edges = np.arange(start, start + len(reach))
        self.penalty_edges = penalty_edges
        solution = _flows.solve(
            problem,
            delay,
            method=method,  # type: ignore[arg-type]
            gap=gap,
            max_iterations=max_iterations,
            increments=increments,
            hard=hard,
            penalty_edges=penalty_edges,
            keep_trees=keep_trees,
            progress=progress,
        )
        return solution, problem

    # --- results ---------------------------------------------------------------------------------

    def result(
        self,
        solution: _flows.Solution,
        problem: _flows.Problem,
        delay: DelayFunction,
        *,
        method: str,
        capacity_mode: str,
        target_gap: float,
        design_vc: float,
        scenario: str | None,
        started: float,
        hard: bool,
    ) -> Assignment:
        g = self.graph
        network = self.network
        n_edges = len(g.src)
        flows = solution.flows[:, :n_edges]
        ods = self._ods(solution, problem, hard)
        served = np.array([od.served_teu_per_year for od in ods])
        unserved_t = math.fsum(
            od.unserved_teu_per_year / od.teu_per_year * od.tonnes_per_year for od in ods if od.teu_per_year > 0
        )
        wanted = flows.copy()
        unserved_demand = np.array([[od.unserved_teu_per_year for od in ods], [
            od.unserved_teu_per_year / od.teu_per_year * od.tonnes_per_year if od.teu_per_year > 0 else 0.0 for od in ods
        ]])
        if unserved_demand[0].sum() > 0:
            plain = self.problem()
            solver = _flows.Solver(plain, delay, hard=False, keep_trees=False, max_tree_bytes=0)
            wanted = wanted + solver.aon(plain.base_cost, unserved_demand).flows
        loads = np.asarray(g.queues @ flows.T)
        wanted_loads = np.asarray(g.queues @ wanted.T)
        rho = np.zeros(len(g.table.queues))
        with np.errstate(divide="ignore", invalid="ignore"):
            if len(rho):
                ratio = np.nan_to_num(loads / self.capacity.T, nan=0.0, posinf=np.inf)
                rho = ratio.max(axis=1)
        hours = solution.queue_hours
        assets = []
        for q, queue in enumerate(g.table.queues):
            cap_teu, cap_t = self.capacity[0, q], self.capacity[1, q]
            extra_teu = max(0.0, wanted_loads[q, 0] / design_vc - cap_teu) if math.isfinite(cap_teu) else 0.0
            extra_t = max(0.0, wanted_loads[q, 1] / design_vc - cap_t) if math.isfinite(cap_t) else 0.0
            assets.append(
                AssetFlow(
                    asset=queue.asset.id,
                    kind=queue.asset.kind,
                    name=queue.asset.name,
                    direction=queue.direction,
                    place=queue.asset.place,
                    link=queue.asset.link,
                    mode=queue.asset.mode.value if queue.asset.mode is not None else None,
                    teu_per_year=float(loads[q, 0]),
                    tonnes_per_year=float(loads[q, 1]),
                    capacity_teu_per_year=float(cap_teu) if math.isfinite(cap_teu) else None,
                    capacity_tonnes_per_year=float(cap_t) if math.isfinite(cap_t) else None,
                    vc=float(rho[q]),
                    queue_days=float(hours[q]) / 24.0 if math.isfinite(hours[q]) else math.inf,
                    extra_teu_per_year=float(extra_teu),
                    extra_tonnes_per_year=float(extra_t),
                    capacity=queue.text,
                    sources=queue.sources,
                    estimate=queue.estimate,
                )
            )
        per_compiled = np.zeros((2, len(g.compiled.edge_src)))
        for unit in (0, 1):
            np.add.at(per_compiled[unit], g.edge[: g.n_real], flows[unit, : g.n_real])
        volumes = {
            asset.id: (float(per_compiled[0, list(edges)].sum()), float(per_compiled[1, list(edges)].sum()))
            for asset in g.table.assets
            if (edges := g.table.edges[asset.id])
        }
        links = self._links(per_compiled, g.table.queues, rho, hours)
        corridors = self._corridors(ods)
        total_teu = float(self.od_demand[0].sum())
        warnings_out: list[str] = []
        if not solution.converged:
            warnings_out.append(
                f"the assignment did not reach the relative gap of {target_gap:g} in {solution.iterations} iterations "
                f"(gap {solution.gap:.3g}); raise max_iterations or accept a larger gap"
            )
        if self.looping:
            warnings_out.append(
                f"{self.looping} OD pair(s) have a path that passes a place twice (left by one mode, entered again by "
                "another); a route never does, so their times and costs may be lower than a route's"
            )
        if solution.trees is not None and not solution.trees.complete:
            warnings_out.append("too many paths to keep: OD paths and corridor shares come from the final shortest paths")
        return Assignment(
            demand=self.demand.name,
            scenario=scenario,
            network_digest=network.digest,
            method=method,
            capacity_mode=capacity_mode,
            criterion=self.criterion,
            gap=float(solution.gap),
            target_gap=target_gap,
            iterations=solution.iterations,
            converged=solution.converged,
            seconds=time.perf_counter() - started,
            teu_per_year=total_teu,
            tonnes_per_year=float(self.od_demand[1].sum()),
            served_teu_per_year=float(served.sum()),
            unserved_teu_per_year=float(total_teu - served.sum()),
            unserved_tonnes_per_year=float(unserved_t),
            assets=tuple(assets),
            links=links,
            corridors=corridors,
            ods=tuple(ods),
            gaps=tuple(solution.gaps),
            warnings=tuple(warnings_out),
            asset_volumes=volumes,
        )

    def _links(self, flows: np.ndarray, queues: tuple[AssetQueue, ...], rho: np.ndarray, hours: np.ndarray) -> tuple[LinkFlow, ...]:
        """Per link, from ``flows`` per compiled edge (2 x compiled edges)."""
        g = self.graph
        worst: dict[str, tuple[float, float]] = {}
        for q, queue in enumerate(queues):
            if queue.asset.link is None:
                continue
            vc, days = worst.get(queue.asset.link, (0.0, 0.0))
            worst[queue.asset.link] = (max(vc, float(rho[q])), max(days, float(hours[q]) / 24.0))
        out = []
        network = self.network
        for asset in g.table.assets:
            if asset.link is None:
                continue
            edges = g.table.edges[asset.id]
            link = network.links[asset.link]
            fwd = rev = tonnes = 0.0
            for e in edges:
                tonnes += flows[1, e]
                if g.compiled.node_place[g.compiled.edge_src[e]] == link.origin:
                    fwd += flows[0, e]
                else:
                    rev += flows[0, e]
            if fwd + rev <= 0 and asset.link not in worst:
                continue
            vc, days = worst.get(asset.link, (None, 0.0))  # type: ignore[assignment]
            out.append(LinkFlow(asset.link, asset.name, link.mode.value, float(fwd), float(rev), float(tonnes), vc, days))
        return tuple(out)

    def _corridors(self, ods: list[ODFlow]) -> tuple[CorridorFlow, ...]:
        teu: dict[str | None, float] = defaultdict(float)
        tonnes: dict[str | None, float] = defaultdict(float)
        for od in ods:
            if od.served_teu_per_year <= 0:
                continue
            per_teu = od.tonnes_per_year / od.teu_per_year if od.teu_per_year > 0 else 0.0
            for corridor, share in od.corridors:
                teu[corridor] += od.served_teu_per_year * share
                tonnes[corridor] += od.served_teu_per_year * share * per_teu
        total = sum(teu.values())
        names = {c.id: c.name for c in self.network.corridors.values()}
        out = [
            CorridorFlow(c, names.get(c, "off the named corridors") if c else "off the named corridors", teu[c], tonnes[c], teu[c] / total if total else 0.0)
            for c in teu
        ]
        out.sort(key=lambda c: (-c.teu_per_year, c.id or "~"))
        return tuple(out)

    def _ods(self, solution: _flows.Solution, problem: _flows.Problem, hard: bool) -> list[ODFlow]:
        g = self.graph
        paths = _PathTable(self, solution, problem)
        out = []
        for k, (origin, destination) in enumerate(self.pairs):
            teu, tonnes = float(self.od_demand[0, k]), float(self.od_demand[1, k])
            if not self.reachable[k]:
                out.append(ODFlow(origin, destination, teu, tonnes, 0.0, teu, "no route", math.nan, 0.0, math.nan, math.nan, 0.0, ()))
                continue
            found = paths.of(k)
            served_share = sum(p[1] for p in found if p[0] is not None)
            served_share = min(1.0, served_share)
            unserved = teu * (1.0 - served_share)
            if unserved < 1e-9 * max(teu, 1.0):
                unserved = 0.0
            real = [p for p in found if p[0] is not None]
            weight = sum(p[1] for p in real)
            if weight <= 0:
                out.append(ODFlow(origin, destination, teu, tonnes, 0.0, teu, "capacity", math.nan, 0.0, float(paths.free_hours(k)), math.nan, 0.0, ()))
                continue

            def mean(index: int, real: list[Any] = real, weight: float = weight) -> float:
                return float(sum(p[1] * p[2][index] for p in real) / weight)

            corridors: dict[str | None, float] = defaultdict(float)
            for p in real:
                corridors[p[3]] += float(p[1] / weight)
            od_paths = tuple(
                sorted(
                    (ODPath(p[0], float(p[1] / weight), float(p[2][0] + p[2][4]), p[3]) for p in real if p[0]),
                    key=lambda x: -x.share,
                )
            )
            out.append(
                ODFlow(
                    origin,
                    destination,
                    teu,
                    tonnes,
                    teu - unserved,
                    unserved,
                    ("capacity" if hard else "no route") if unserved > 0 else None,
                    mean(0) + mean(4),
                    mean(4),
                    float(paths.free_hours(k)),
                    mean(1),
                    mean(2) * tonnes * (1.0 - unserved / teu if teu else 0.0),
                    tuple(sorted(corridors.items(), key=lambda kv: (-kv[1], kv[0] or "~"))),
                    od_paths,
                )
            )
        del g
        # Routes pass each place once; equilibrium paths are shortest paths on the states, which may
        # (rarely: a place left by one mode and entered again by another) pass one twice. Said, not hidden.
        self.looping = len(paths.looping)
        return out


class _PathTable:
    """The paths of every OD pair with their shares, from the trees of the all-or-nothing loads."""

    def __init__(self, run: _Run, solution: _flows.Solution, problem: _flows.Problem) -> None:
        self.run = run
        g = run.graph
        self.problem = problem
        self.solution = solution
        n_edges = len(problem.src)
        queue_hours = np.asarray(g.queues.T @ solution.queue_hours).reshape(-1) if len(solution.queue_hours) else np.zeros(len(g.src))
        queue_hours = np.nan_to_num(queue_hours, posinf=0.0)
        pad = n_edges - len(g.src)
        # Per edge: hours, USD/TEU, kg CO2e per tonne, km, queue hours; then corridor weights and km.
        self.attributes = np.column_stack(
            [
                np.concatenate([g.hours, np.zeros(pad)]),
                np.concatenate([g.cost, np.zeros(pad)]),
                np.concatenate([g.co2e_t, np.zeros(pad)]),
                np.concatenate([g.distance, np.zeros(pad)]),
                np.concatenate([queue_hours, np.zeros(pad)]),
                np.vstack([g.corridor_weight, np.zeros((pad, len(g.corridor_ids)))]),
                np.vstack([g.corridor_km, np.zeros((pad, len(g.corridor_ids)))]),
            ]
        )
        self.penalty = np.zeros(n_edges, dtype=bool)
        if run.penalty_edges is not None:
            self.penalty[run.penalty_edges] = True
        trees = solution.trees
        self.free: tuple[_flows.Trees, dict[int, int]] | None = None
        if trees is None or not trees.complete or not trees.picks:
            # Only the final shortest paths: every pair on the one path of its final tree.
            solver = _flows.Solver(problem, _NoDelay(), hard=False, keep_trees=True, max_tree_bytes=1 << 40)
            load = solver.aon(solution.edge_cost, record=True)
            solver.record(load)
            trees = solver.trees
            assert trees is not None
            weights = np.ones(1)
        else:
            weights = solution.weights
        self.trees = trees
        self.weights = weights
        self.row_of = {int(o): r for r, o in enumerate(trees.origins)}
        self.capped = solution.capped if len(solution.capped) else None
        self._cache: dict[int, dict[int, tuple[np.ndarray, list[tuple[int, ...]]]]] = {}
        self.looping: set[int] = set()
        """OD pairs with a path passing a place twice (see :meth:`_Run._ods`)."""

    def free_hours(self, k: int) -> float:
        """Hours of the pair's best path on the empty network."""
        if self.free is None:
            plain = self.run.problem()
            solver = _flows.Solver(plain, _NoDelay(), hard=False, keep_trees=True, max_tree_bytes=1 << 40)
            load = solver.aon(plain.base_cost, record=True)
            solver.record(load)
            assert solver.trees is not None
            self.free = (solver.trees, {int(o): r for r, o in enumerate(solver.trees.origins)})
        trees, rows = self.free
        row = rows[int(self.run.od_origin[k])]
        tree = trees.stored[int(trees.picks[0][row])]
        node = int(self.run.od_destination[k])
        hours = 0.0
        g = self.run.graph
        while (e := int(tree[node])) >= 0:
            hours += float(g.hours[e]) if e < len(g.hours) else 0.0
            node = int(self.problem.src[e]) if e < len(self.problem.src) else -1
        return hours

    def of(self, k: int) -> list[tuple[tuple[str, ...] | None, float, np.ndarray, str | None]]:
        """(places or None for unserved, share of demand, attributes, main corridor) of each path of OD pair ``k``."""
        trees = self.trees
        row = self.row_of[int(self.run.od_origin[k])]
        share: dict[int, float] = defaultdict(float)
        for load, pick in enumerate(trees.picks):
            w = float(self.weights[load]) if load < len(self.weights) else 0.0
            if w > 0:
                share[int(pick[row])] += w
        scale = float(self.capped[k]) if self.capped is not None else 1.0
        merged: dict[tuple[int, ...], list[Any]] = {}
        g = self.run.graph
        for tree_index, w in share.items():
            tree = trees.stored[tree_index]
            node = int(self.run.od_destination[k])
            edges: list[int] = []
            while (e := int(tree[node])) >= 0:
                edges.append(e)
                node = int(self.problem.src[e])
            edges.reverse()
            key = tuple(edges)
            if key in merged:
                merged[key][1] += w * scale
                continue
            if any(self.penalty[e] for e in edges) or not edges:
                merged[key] = [None, w * scale if edges else 0.0, np.zeros(self.attributes.shape[1]), None]
                continue
            attrs = self.attributes[edges].sum(axis=0)
            places = self._places(edges)
            if len(set(places)) < len(places):
                self.looping.add(k)
            merged[key] = [places, w * scale, attrs, self._main_corridor(attrs)]
        out = [(m[0], m[1], m[2], m[3]) for m in merged.values()]
        if self.capped is not None and scale < 1.0:
            out.append((None, 1.0 - scale, np.zeros(self.attributes.shape[1]), None))
        del g
        return out

    def _places(self, edges: list[int]) -> tuple[str, ...]:
        g = self.run.graph
        compiled_graph = g.compiled
        places: list[str] = []
        for e in edges:
            if e >= g.n_real:
                continue
            compiled_edge = int(g.edge[e])
            for node in (compiled_graph.edge_src[compiled_edge], compiled_graph.edge_dst[compiled_edge]):
                place = compiled_graph.node_place[node]
                if not places or places[-1] != place:
                    places.append(place)
        return tuple(places)

    def _main_corridor(self, attrs: np.ndarray) -> str | None:
        g = self.run.graph
        c = len(g.corridor_ids)
        if c == 0 or attrs[3] <= 0:
            return None
        weights = attrs[5 : 5 + c]
        km = attrs[5 + c : 5 + 2 * c]
        best = int(np.argmax(weights))
        if weights[best] <= 0 or km[best] / attrs[3] < DEFAULT_MIN_CORRIDOR_SHARE:
            return None
        return g.corridor_ids[best]


class _NoDelay:
    """No queues: for rebuilding paths on fixed costs."""

    def hours(self, rho: np.ndarray, *args: Any, hard: bool) -> np.ndarray:
        return np.zeros_like(np.asarray(rho, dtype=float))

    def derivative(self, rho: np.ndarray, *args: Any, hard: bool) -> np.ndarray:
        return np.zeros_like(np.asarray(rho, dtype=float))

