"""Which assets matter: close each border, ferry, yard, port or link and see where its flow goes and what it costs.

:func:`criticality` takes the network's assets (:mod:`planner.assets`) and a demand table, finds
every OD pair's best route, and for each asset re-plans the pairs whose route uses it on the network
without it (or, for a partial closure, with its capacity cut). Per asset: TEU-eq and tonnes a year
affected, extra days (typical and P90) and USD and CO2e of the diverted flow, the flow with no
alternative (isolated: counted apart, never priced as zero), the corridors the flow moves to and,
with capacities, the V/C of the assets that take it and the volume that does not fit (unserved).

The screen: only the pairs whose best route uses the asset are re-planned (from the baseline routes),
and a link that is a bridge of the public graph (``networkx.bridges`` on ``network.graph``) isolates its
pairs without a search. See docs/criticality.md for the method and its limits.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np

from ._closure import ClosureEngine, ClosureOutcome, PathSet
from ._compile import CompiledGraph, compiled
from ._flow_graph import FlowGraph, flow_graph
from ._pricing import edge_samples, percentiles
from .assets import Asset, AssetKind, asset_table
from .cache import CacheSlot, MiB
from .compare import DEFAULT_MIN_CORRIDOR_SHARE
from .demand import Demand, DemandRow, load_demand, read_demand
from .errors import InvalidRequestError
from .model import LinkStatus
from .network import Network
from .request import DEFAULT_TONNES_PER_TEU, DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR, Rank
from .scenario import Scenario, load_scenario
from .scenario_network import scenario_network
from .weights import criterion_weights

__all__ = [
    "CLOSURES",
    "CRITERIA",
    "DEFAULT_DAYS",
    "DEFAULT_MAX_FLOWS",
    "DEFAULT_PARTIAL_FRACTION",
    "METRICS",
    "AffectedFlow",
    "AssetCriticality",
    "CorridorShift",
    "Criticality",
    "Diversion",
    "QueueChange",
    "FlowFigures",
    "bridge_links",
    "criticality",
]

ClosureKind = Literal["full", "partial"]
Metric = Literal["generalized", "teu_days", "usd", "co2e", "teu"]
CLOSURES: tuple[str, ...] = ("full", "partial")
METRICS: tuple[str, ...] = ("generalized", "teu_days", "usd", "co2e", "teu")
CRITERIA: tuple[str, ...] = ("generalized", "time", "cost", "co2e")
DEFAULT_DAYS = 365.0
DEFAULT_PARTIAL_FRACTION = 0.5
DEFAULT_MAX_FLOWS = 50
MAX_FLOWS = 10_000
MAX_WORKERS = 64
MAX_ROUNDS = 4
"""Fallback rounds: what does not fit on the first fallback tries the next best route, with full assets closed."""
_CRITERION_METRIC = {"generalized": "generalized", "time": "teu_days", "cost": "usd", "co2e": "co2e"}
_TINY = 1e-9
_LOST = 1e-6  # TEU-eq: less isolated or unserved volume than this is rounding, not loss


@dataclass(frozen=True, slots=True)
class FlowFigures:
    """One route of a flow: its places and per-unit figures (hours, USD per TEU, kg CO2e per tonne, km)."""

    places: tuple[str, ...]
    hours: float
    hours_p90: float
    cost_usd_per_teu: float
    co2e_kg_per_tonne: float
    distance_km: float
    corridor: str | None
    """The named corridor most of the route runs on (by km; None below a quarter of its distance)."""


@dataclass(frozen=True, slots=True)
class Diversion:
    """A fallback route of an affected flow and the volume it takes (TEU-eq a year), with the change per unit."""

    route: FlowFigures
    teu_per_year: float
    tonnes_per_year: float
    extra_hours: float
    extra_hours_p90: float
    extra_usd_per_teu: float
    extra_co2e_kg_per_tonne: float


@dataclass(frozen=True, slots=True)
class AffectedFlow:
    """An OD pair whose route used the asset: what had to move, where it went, and what found no way.

    ``teu_per_year`` is the pair's whole flow; ``moved_teu_per_year`` what had to leave the asset (all of
    it for a full closure); of that, ``isolated`` found no other route at all and ``unserved`` found
    every other route full. Volumes are yearly rates.
    """

    origin: str
    destination: str
    teu_per_year: float
    tonnes_per_year: float
    moved_teu_per_year: float
    isolated_teu_per_year: float
    unserved_teu_per_year: float
    before: FlowFigures
    after: tuple[Diversion, ...]

    @property
    def status(self) -> str:
        """``diverted``, ``isolated``, ``unserved`` or ``partly diverted``."""
        lost = self.isolated_teu_per_year + self.unserved_teu_per_year
        if lost <= _LOST:
            return "diverted"
        if lost >= self.moved_teu_per_year - _LOST:
            return "isolated" if self.isolated_teu_per_year > 0 else "unserved"
        return "partly diverted"


@dataclass(frozen=True, slots=True)
class QueueChange:
    """An asset with capacity whose load the closure changed: V/C before and after (the larger of TEU and tonnes)."""

    asset: str
    name: str
    direction: str
    vc_before: float
    vc_after: float
    capacity: str

    @property
    def full(self) -> bool:
        return self.vc_after >= 1.0 - 1e-9

    @property
    def took_flow(self) -> bool:
        """The asset carries more after the closure: it is part of the fallback."""
        return self.vc_after > self.vc_before + 1e-9


@dataclass(frozen=True, slots=True)
class CorridorShift:
    """Diverted volume (TEU-eq during the closure) by the corridor its fallback route mostly runs on."""

    id: str | None
    name: str
    teu: float


@dataclass(frozen=True, slots=True)
class AssetCriticality:
    """What closing one asset does to the flows (see :func:`criticality` for the units).

    Rates (``*_per_year``) are yearly; ``teu``, ``tonnes``, ``diverted_teu``, ``isolated_teu``,
    ``unserved_teu`` and the ``extra_*`` totals count the closure (the rate x days / 365);
    ``extra_days``, ``extra_days_p90`` and ``extra_usd_per_teu`` are means per diverted TEU-eq.
    """

    asset: Asset
    rank: int
    assessed: bool
    note: str | None
    bridge: bool
    pairs: int
    through_teu_per_year: float
    teu_per_year: float
    tonnes_per_year: float
    teu: float
    tonnes: float
    diverted_teu: float
    isolated_teu: float
    unserved_teu: float
    extra_days: float | None
    extra_days_p90: float | None
    extra_usd_per_teu: float | None
    extra_teu_days: float
    extra_usd: float
    extra_generalized_usd: float
    extra_co2e_t: float
    corridors: tuple[CorridorShift, ...]
    queues: tuple[QueueChange, ...]
    flows: tuple[AffectedFlow, ...]
    flows_total: int
    diverted_links: tuple[tuple[str, float], ...]
    """(link id, TEU-eq during the closure) of the fallback routes: where the flow goes."""
    vacated_links: tuple[tuple[str, float], ...]
    """(link id, TEU-eq during the closure) the moved flow left: where it went before."""

    @property
    def lost_teu(self) -> float:
        """Isolated plus unserved TEU-eq during the closure."""
        return self.isolated_teu + self.unserved_teu

    @property
    def busiest_fallback(self) -> QueueChange | None:
        """Of the other assets with capacity that take diverted flow, the one with the highest V/C after."""
        taking = [q for q in self.queues if q.took_flow and q.asset != self.asset.id]
        return max(taking, key=lambda q: q.vc_after, default=None)

    def value(self, metric: str) -> float:
        """The figure the ranking uses for ``metric``."""
        return {
            "generalized": self.extra_generalized_usd,
            "teu_days": self.extra_teu_days,
            "usd": self.extra_usd,
            "co2e": self.extra_co2e_t,
            "teu": self.teu,
        }[metric]


@dataclass(frozen=True, slots=True)
class Criticality:
    """The result of :func:`criticality`: every asset asked for, most critical first."""

    network_digest: str
    demand: str | None
    weighting: Literal["demand", "equal"]
    scenario: str | None
    closure: str
    fraction: float
    days: float
    criterion: str
    metric: str
    value_of_time_usd_per_teu_hour: float
    capacity_checked: bool
    pairs: int
    unrouted_pairs: int
    teu_per_year: float
    tonnes_per_year: float
    assets: tuple[AssetCriticality, ...]
    notes: tuple[str, ...]
    seconds: float
    searches: int
    """Shortest-path trees grown for re-planning (one per origin, asset and fallback round)."""
    bridges: int
    """Link assets that are bridges of the public graph: their pairs are isolated without a search."""

    def top(self, n: int) -> tuple[AssetCriticality, ...]:
        return self.assets[:n]


# --- the facade ----------------------------------------------------------------------------------


def _check(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise InvalidRequestError(message, field=field_name)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def criticality(
    network: Network,
    *,
    demand: Demand | str | Path | Iterable[DemandRow] | Iterable[Mapping[str, Any]] | None = None,
    assets: Iterable[str] | None = None,
    kinds: Iterable[AssetKind | str] | None = None,
    closure: ClosureKind | str = "full",
    fraction: float | None = None,
    days: float = DEFAULT_DAYS,
    metric: Metric | str | None = None,
    criterion: Literal["generalized", "time", "cost", "co2e"] | str = "generalized",
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    scenario: Scenario | str | None = None,
    check_capacity: bool = True,
    max_flows: int = DEFAULT_MAX_FLOWS,
    screen: bool = True,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Criticality:
    """Close each asset in turn, re-plan the flows that used it, and rank the assets by what the closure costs.

    Parameters
    ----------
    network
        A loaded network (never modified).
    demand
        A :class:`~planner.Demand`, a bundled set's name (``uz_kz_2030``), a file, or rows. None weighs
        every OD pair of the network equally (1 TEU-eq a year each) and the result says so.
    assets, kinds
        Asset ids (``border:altynkol``, ``link:l157``) and/or kinds (``border``, ``gauge_change``,
        ``transshipment``, ``port``, ``link``) to assess; by default every asset of the network.
    closure
        ``full``: the asset carries nothing for ``days`` days. ``partial``: its capacity is cut by
        ``fraction`` for ``days`` days; the pairs through it keep the same share of what is left
        (``(1 - fraction) x capacity / volume``, at most 1) and the rest moves. Needs a demand set, and
        only assets with published capacity can be assessed.
    fraction
        Share of capacity lost in a partial closure, in (0, 1] (default 0.5); 1 for a full closure.
    days
        Length of the closure, in (0, 365]. Volumes during the closure and the ``extra_*`` totals are
        the yearly rates x ``days`` / 365: the closure is taken as a steady state over its days (no
        backlog before or after it).
    metric
        What ranks the assets: ``generalized`` (extra USD plus value of time x extra hours), ``teu_days``,
        ``usd``, ``co2e`` or ``teu`` (volume affected); by default the criterion's own measure
        (``generalized``, ``teu_days``, ``usd``, ``co2e`` for the four criteria), which a closure can only
        raise. Isolated or unserved volume ranks first, by its size: a flow with no way through is worse
        than any detour.
    criterion
        What shippers choose routes by: ``generalized`` (tariff + value of time x hours), ``time``,
        ``cost`` or ``co2e``, as for :func:`planner.plan_routes`.
    scenario
        A scenario (or a bundled scenario's name, or a file) applied to the network first.
    check_capacity
        With a demand set and capacities in the network: ration diverted flow at assets it would fill
        and report unserved volume and V/C after the diversion.
    max_flows
        Affected OD pairs listed per asset (the heaviest first); totals always count every pair.
    screen
        False re-plans every OD pair for every asset, not only those using it (same result; for benchmarks).
    workers
        Processes to share the assets among (forked after the baseline is built; 1 where fork is not
        available). Keep 1 inside a server's worker processes.
    progress
        Called with (assets done, assets to do).

    Returns
    -------
    Criticality
        Every asset asked for, ranked; the run's options, weighting and notes.

    Raises
    ------
    InvalidRequestError
        An option is out of range or unknown, or an asset id is unknown; :class:`~planner.DemandError`
        for bad demand rows; :class:`~planner.ScenarioError` for a bad scenario.
    """
    if metric is None:
        metric = _CRITERION_METRIC.get(str(criterion), "generalized")
    _check(closure in CLOSURES, "closure", f"unknown closure {closure!r}; expected full or partial")
    _check(metric in METRICS, "metric", f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    _check(criterion in CRITERIA, "criterion", f"unknown criterion {criterion!r}; expected one of {', '.join(CRITERIA)}")
    _check(_number(days) and 0 < days <= 365, "days", f"days must be a number in (0, 365], got {days!r}")
    if closure == "full":
        _check(
            fraction is None or (_number(fraction) and fraction == 1),
            "fraction",
            f"a full closure takes all capacity; fraction applies to partial closures (got {fraction!r})",
        )
        cut = 1.0
    else:
        cut = DEFAULT_PARTIAL_FRACTION if fraction is None else fraction
        _check(_number(cut) and 0 < cut <= 1, "fraction", f"fraction must be a number in (0, 1], got {fraction!r}")
        _check(demand is not None, "demand", "a partial closure needs a demand set: capacity is cut against volumes")
    _check(
        _number(value_of_time_usd_per_teu_hour) and value_of_time_usd_per_teu_hour > 0,
        "value_of_time_usd_per_teu_hour",
        f"value_of_time_usd_per_teu_hour must be a finite number > 0, got {value_of_time_usd_per_teu_hour!r}",
    )
    _check(
        isinstance(workers, int) and not isinstance(workers, bool) and 1 <= workers <= MAX_WORKERS,
        "workers",
        f"workers must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}",
    )
    _check(
        isinstance(max_flows, int) and not isinstance(max_flows, bool) and 0 <= max_flows <= MAX_FLOWS,
        "max_flows",
        f"max_flows must be a whole number from 0 to {MAX_FLOWS:,}, got {max_flows!r}",
    )
    started = time.perf_counter()
    scenario_name: str | None = None
    if scenario is not None:
        parsed = load_scenario(scenario, network) if isinstance(scenario, str) else scenario
        scenario_name = parsed.name
        network = scenario_network(network, parsed)
    table = asset_table(network)
    chosen = _choose(table.assets, table.by_id, assets, kinds)
    run = _Run(network, _resolve(demand, network), str(criterion), float(value_of_time_usd_per_teu_hour))
    check = bool(check_capacity) and run.weighting == "demand" and len(table.queues) > 0
    notes = list(run.notes)
    if run.weighting == "demand" and check_capacity and not table.queues:
        notes.append("the network has no published capacity: diverted flow is never short of room")
    options = {"closure": str(closure), "cut": cut, "days": float(days), "check": check, "max_flows": max_flows, "screen": screen}
    rows = _assess_all(run, chosen, options, workers=workers, progress=progress)
    not_assessed = sum(1 for row in rows if not row.assessed)
    if not_assessed:
        notes.append(f"{not_assessed} asset(s) without published capacity cannot have capacity cut: not assessed")
    ranked = _rank(rows, str(metric))
    return Criticality(
        network_digest=network.digest,
        demand=run.demand_name,
        weighting=run.weighting,
        scenario=scenario_name,
        closure=str(closure),
        fraction=cut,
        days=float(days),
        criterion=str(criterion),
        metric=str(metric),
        value_of_time_usd_per_teu_hour=float(value_of_time_usd_per_teu_hour),
        capacity_checked=check,
        pairs=run.pairs,
        unrouted_pairs=run.unrouted,
        teu_per_year=float(run.volume[:, 0].sum()),
        tonnes_per_year=float(run.volume[:, 1].sum()),
        assets=ranked,
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
        searches=run.searches,
        bridges=sum(1 for r in rows if r.bridge),
    )


def _assess_all(
    run: _Run, chosen: list[Asset], options: dict[str, Any], *, workers: int, progress: Callable[[int, int], None] | None
) -> list[AssetCriticality]:
    """Every chosen asset assessed, in order: here, or shared with forked processes that inherit the baseline."""
    workers = min(workers, len(chosen)) if "fork" in multiprocessing.get_all_start_methods() else 1
    if workers <= 1:
        out = []
        for done, asset in enumerate(chosen, start=1):
            out.append(run.assess(asset, **options))
            if progress is not None:
                progress(done, len(chosen))
        return out
    context = multiprocessing.get_context("fork")
    children = []
    for worker in range(1, workers):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_assess_part, args=(run, chosen[worker::workers], options, send), daemon=True)
        process.start()
        send.close()
        children.append((worker, process, receive))
    mine = []
    for done, asset in enumerate(chosen[0::workers], start=1):
        mine.append(run.assess(asset, **options))
        if progress is not None:
            progress(min(done * workers, len(chosen) - 1), len(chosen))
    parts = {0: mine}
    for worker, process, receive in children:
        try:
            kind, payload, searches = receive.recv()
        except EOFError:
            kind, payload, searches = "error", "the process ended without an answer", 0
        process.join()
        if kind == "error":
            raise RuntimeError(f"criticality worker {worker} failed: {payload}")
        parts[worker] = payload
        run.searches += searches
    if progress is not None:
        progress(len(chosen), len(chosen))
    out_rows: list[AssetCriticality | None] = [None] * len(chosen)
    for worker, rows in parts.items():
        out_rows[worker::workers] = rows
    return [row for row in out_rows if row is not None]


def _assess_part(run: _Run, assets: list[Asset], options: dict[str, Any], send: Any) -> None:
    """In a forked process: assess ``assets`` and send the rows back (or the error's text)."""
    try:
        rows = [run.assess(asset, **options) for asset in assets]
        send.send(("ok", rows, run.searches))
    except BaseException as exc:  # the parent raises it; a child never prints a traceback of its own
        send.send(("error", f"{type(exc).__name__}: {exc}", 0))
    finally:
        send.close()


def _resolve(
    value: Demand | str | Path | Iterable[DemandRow] | Iterable[Mapping[str, Any]] | None, network: Network
) -> Demand | None:
    if value is None or isinstance(value, Demand):
        return value
    if isinstance(value, str | Path):
        return load_demand(value, network)
    return read_demand(value, network)


def _choose(
    every: tuple[Asset, ...], by_id: Mapping[str, Asset], ids: Iterable[str] | None, kinds: Iterable[AssetKind | str] | None
) -> list[Asset]:
    if isinstance(ids, str):
        raise InvalidRequestError("assets must be a list of asset ids, not one string", field="assets")
    chosen: dict[str, Asset] = {}
    if ids is not None:
        for asset_id in ids:
            if asset_id not in by_id:
                raise InvalidRequestError(
                    f"unknown asset {asset_id!r}; asset ids look like link:l013, border:altynkol, gauge_change:altynkol, "
                    "transshipment:aktau or port:aktau",
                    field="assets",
                )
            chosen[asset_id] = by_id[asset_id]
    if kinds is not None:
        known = {k.value for k in AssetKind}
        wanted = set()
        for kind in kinds:
            _check(str(kind) in known, "kinds", f"unknown asset kind {kind!r}; expected one of {', '.join(sorted(known))}")
            wanted.add(str(kind))
        for asset in every:
            if asset.kind.value in wanted:
                chosen.setdefault(asset.id, asset)
    if ids is None and kinds is None:
        return list(every)
    return list(chosen.values())


def _rank(rows: list[AssetCriticality], metric: str) -> tuple[AssetCriticality, ...]:
    def key(row: AssetCriticality) -> tuple[float, float, float, str]:
        lost = row.lost_teu if row.lost_teu > _LOST else 0.0
        if metric == "teu":
            return (0.0 if row.assessed else 1.0, -row.teu, -lost, row.asset.id)
        return (0.0 if row.assessed else 1.0, -lost, -row.value(metric), row.asset.id)

    ordered = sorted(rows, key=key)
    return tuple(_with_rank(row, rank) for rank, row in enumerate(ordered, start=1))


def _with_rank(row: AssetCriticality, rank: int) -> AssetCriticality:
    return replace(row, rank=rank)


# --- one run ---------------------------------------------------------------------------------------


def _samples_bytes(samples: np.ndarray | None) -> int:
    return 64 if samples is None else int(samples.nbytes)


_SAMPLES = CacheSlot[None, np.ndarray | None]("edge Monte Carlo draws", max_entries=1, max_bytes=512 * MiB, sizeof=_samples_bytes)
_BRIDGES = CacheSlot[None, frozenset[str]]("bridge links", max_entries=1)
_MAX_SAMPLE_BYTES = 256 * MiB


def _edge_samples(network: Network, graph: CompiledGraph) -> np.ndarray | None:
    """Every compiled edge's Monte Carlo draws, or None when the matrix would pass 256 MiB (P90 then per path)."""

    def build() -> np.ndarray | None:
        if len(graph.parts) * 2048 * 8 > _MAX_SAMPLE_BYTES:
            return None
        return edge_samples(graph)

    return network.caches.get(_SAMPLES, None, build)


def bridge_links(network: Network) -> frozenset[str]:
    """Operational links that are bridges of the public graph: removing one splits the network's places in two.

    ``networkx.bridges`` on ``network.graph`` made undirected, with planned links left out; a pair of
    places joined by two links has no bridge between them.
    """

    def build() -> frozenset[str]:
        graph = network.graph
        pairs: dict[frozenset[str], list[str]] = defaultdict(list)
        for link in network.links.values():
            if link.status is LinkStatus.OPERATIONAL:
                pairs[frozenset((link.origin, link.destination))].append(link.id)
        view = nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph.edges[u, v, k]["status"] is LinkStatus.OPERATIONAL)
        simple = nx.Graph(view.to_undirected(as_view=True))
        out: set[str] = set()
        for u, v in nx.bridges(simple):
            ids = pairs.get(frozenset((u, v)), [])
            if len(ids) == 1:
                out.add(ids[0])
        return frozenset(out)

    return network.caches.get(_BRIDGES, None, build)


class _Run:
    """The OD table on the flow graph, its baseline routes and queue loads; then one asset at a time."""

    def __init__(self, network: Network, demand: Demand | None, criterion: str, vot: float) -> None:
        self.network = network
        g = flow_graph(network)
        self.graph = g
        self.compiled = compiled(network)
        self.table = g.table
        self.vot = vot
        places = g.places
        index = {p: i for i, p in enumerate(places)}
        n, p = g.zones, len(places)
        notes: list[str] = []
        if demand is None:
            pairs = [(a, b) for a in places for b in places if a != b]
            volume = np.tile([1.0, DEFAULT_TONNES_PER_TEU], (len(pairs), 1))
            self.weighting: Literal["demand", "equal"] = "equal"
            self.demand_name: str | None = None
        else:
            totals: dict[tuple[str, str], list[float]] = {}
            for flow in demand.flows:
                pair = totals.setdefault((flow.origin, flow.destination), [0.0, 0.0])
                pair[0] += flow.teu_eq_per_year
                pair[1] += flow.tonnes_per_year
            pairs = list(totals)
            volume = np.array([totals[k] for k in pairs], dtype=float).reshape(-1, 2)
            self.weighting = "demand"
            self.demand_name = demand.name
        weights = np.asarray(criterion_weights(self.compiled, Rank(criterion), vot), dtype=float)
        cost = np.concatenate([weights[g.edge[: g.n_real]], np.full(len(g.src) - g.n_real, _TINY)])
        origin = np.array([n + index[a] for a, _ in pairs], dtype=np.int64)
        destination = np.array([n + p + index[b] for _, b in pairs], dtype=np.int64)
        samples = _edge_samples(network, self.compiled)
        engine = ClosureEngine(g, cost, origin, destination, samples)
        reached = engine.baseline.reached
        self.unrouted = int((~reached).sum())
        if self.unrouted:
            keep = np.flatnonzero(reached)
            names = ", ".join(f"{pairs[k][0]}>{pairs[k][1]}" for k in np.flatnonzero(~reached)[:5])
            notes.append(f"{self.unrouted} OD pair(s) have no route on the open network and are left out ({names}{', ...' if self.unrouted > 5 else ''})")
            pairs = [pairs[k] for k in keep]
            volume = volume[keep]
            engine = engine.restricted(keep)
        if self.weighting == "equal":
            notes.insert(
                0,
                f"no demand given: each of the {len(pairs):,} OD pairs with a route weighs 1 TEU-eq ({DEFAULT_TONNES_PER_TEU:g} t) a year; "
                "volumes count pairs, and capacity is not checked",
            )
        self.notes = notes
        self.pairs_list = pairs
        self.pairs = len(pairs)
        self.volume = volume
        self.engine = engine
        self.baseline = engine.baseline
        self.p90_of: dict[int, float] = {}  # path key -> P90 hours, for this run
        # keyed by compiled edge (a link edge appears twice in the flow graph, from either kind of state); 0 for virtual
        compiled_keys = np.random.default_rng(20261129).integers(1, 2**63, size=(2, len(self.compiled.edge_src)), dtype=np.uint64)
        self.edge_keys = np.where(g.edge >= 0, compiled_keys[:, np.maximum(g.edge, 0)], np.uint64(0))
        self.baseline_p90 = self._p90(engine.baseline)
        self.baseline_csc = engine.baseline.incidence(len(g.src)).tocsc()
        self.baseline_corridors = self._main_corridors(engine.baseline.totals)
        self.loads = engine.baseline.queues.T.astype(float) @ volume  # queues x units
        queues = self.table.queues
        self.capacity = np.array(
            [
                [q.capacity_teu_eq_per_year if q.capacity_teu_eq_per_year is not None else np.inf for q in queues],
                [q.capacity_tonnes_per_year if q.capacity_tonnes_per_year is not None else np.inf for q in queues],
            ]
        ).T.reshape(len(queues), 2)
        self.queues_of: dict[str, list[int]] = defaultdict(list)
        for i, q in enumerate(queues):
            self.queues_of[q.asset.id].append(i)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.isfinite(self.capacity) & (self.capacity > 0), self.loads / self.capacity, 0.0).max(axis=1) if len(queues) else np.zeros(0)
        over = [(queues[q], float(ratio[q])) for q in np.argsort(-ratio) if ratio[q] > 1.0]
        if over and self.weighting == "demand":
            names = ", ".join(f"{q.asset.name} ({q.direction}) V/C {vc:.2f}" for q, vc in over[:3])
            self.notes.append(
                f"{len(over)} asset(s) are over capacity with every pair on its best route ({names}{', ...' if len(over) > 3 else ''}): "
                "a partial closure there moves only the capacity it takes away, and diverted flow finds no room there"
            )
        self.bridges = bridge_links(network)
        self.searches = 0
        self.corridor_names = {c.id: c.name for c in network.corridors.values()}
        self.link_ids = tuple(network.links)
        position = {link: i for i, link in enumerate(self.link_ids)}
        link_of_compiled = np.array([position[link] if link is not None else -1 for link in self.compiled.edge_link] + [-1], dtype=np.int64)
        self.link_of_edge = link_of_compiled[g.edge]  # virtual edges (-1) read the last entry: no link
        # the flow graph's edges of each compiled edge, for closing an asset (its edges are compiled edges)
        order = np.argsort(g.edge, kind="stable")
        self.flow_edges_sorted = order
        self.flow_edges_key = g.edge[order]

    def _path_keys(self, paths: PathSet) -> list[int | None]:
        """A 128-bit key per path: two sums of random 64-bit numbers of its edges (a simple path is its edge set)."""
        lengths = np.diff(paths.indptr)
        keep = (lengths > 0) & paths.reached
        sums = np.zeros((2, len(paths)), dtype=np.uint64)
        if keep.any():
            rows = np.flatnonzero(keep)
            # empty rows are left out, so every start is followed by the row's own edges only
            sums[:, rows] = np.add.reduceat(self.edge_keys[:, paths.edges], paths.indptr[rows], axis=1)
        return [(a << 64) | b if k else None for a, b, k in zip(sums[0].tolist(), sums[1].tolist(), keep.tolist(), strict=True)]

    def _p90(self, paths: PathSet) -> np.ndarray:
        """P90 hours of each path, each distinct path computed once per run (closures share fallbacks)."""
        out = np.full(len(paths), np.nan)
        keys = self._path_keys(paths)
        missing: dict[int, int] = {}
        for row, key in enumerate(keys):
            if key is not None and key not in self.p90_of and key not in missing:
                missing[key] = row
        if missing:
            rows = np.fromiter(missing.values(), dtype=np.int64, count=len(missing))
            found = self._p90_of_paths(paths.take(rows))
            for key, value in zip(missing, found, strict=True):
                self.p90_of[key] = float(value)
        for row, key in enumerate(keys):
            if key is not None:
                out[row] = self.p90_of[key]
        return out

    def _p90_of_paths(self, paths: PathSet) -> np.ndarray:
        if self.engine.samples is not None:
            return self.engine.p90_hours(paths)
        compiled_graph = self.compiled
        out = np.full(len(paths), np.nan)
        for row in range(len(paths)):
            edges = [int(self.graph.edge[e]) for e in paths.path(row) if self.graph.edge[e] >= 0]
            parts = [part for e in edges for part in compiled_graph.parts[e]]
            keys = [key for e in edges for key in compiled_graph.part_keys[e]]
            out[row] = percentiles(parts, (90.0,), keys=keys)[0]
        return out

    # --- one asset -------------------------------------------------------------------------------

    def assess(self, asset: Asset, *, closure: str, cut: float, days: float, check: bool, max_flows: int, screen: bool) -> AssetCriticality:
        edges = self._flow_edges(self.table.edges.get(asset.id, ()))
        share_of_year = days / 365.0
        bridge = asset.link is not None and asset.link in self.bridges
        own_queues = self.queues_of.get(asset.id, [])
        through = self.baseline_csc[:, edges].indices if len(edges) else np.zeros(0, dtype=np.int64)
        ods = np.unique(through)
        through_teu = float(self.volume[ods, 0].sum())
        if closure == "partial" and not own_queues:
            return _empty(asset, through_teu, bridge, assessed=False, note="no published capacity to cut")
        first: PathSet | None = None
        if not screen:
            # Re-plan every pair with the asset closed and keep those whose route changed.
            cost = self.engine.cost.copy()
            cost[edges] = np.inf
            everything, grown = self.engine.paths(np.arange(self.pairs), cost)
            self.searches += grown
            changed = _changed(self.baseline, everything)
            if closure == "full":
                ods = changed
                first = everything.take(changed)
        volume = self.volume[ods]
        if closure == "partial":
            # What the cut takes away: the asset carried min(volume, capacity) and now min(volume, cut capacity);
            # volume past capacity on the baseline did not fit before the closure and is not the closure's.
            before = self.capacity[own_queues]
            after = before * (1.0 - cut)
            load = self.loads[own_queues]
            with np.errstate(divide="ignore", invalid="ignore"):
                lost_unit = np.where((load > 0) & np.isfinite(before), (np.minimum(load, before) - np.minimum(load, after)) / load, 0.0)
            keep_queue = 1.0 - lost_unit.max(axis=1)
            uses = self.baseline.queues[ods][:, own_queues]
            keep = np.where(uses, keep_queue, 1.0).min(axis=1) if len(own_queues) else np.ones(len(ods))
            moved = volume * (1.0 - keep)[:, None]
            moving = moved[:, 0] > _TINY * np.maximum(volume[:, 0], 1.0)
            ods, moved, volume = ods[moving], moved[moving], volume[moving]
            first = None
        else:
            moved = volume.copy()
        if not len(ods):
            note = "its flow fits in the capacity left" if closure == "partial" else "no flow uses it"
            return _empty(asset, through_teu, bridge, assessed=True, note=note, queues=self._own_queue_changes(own_queues, cut, closure))
        capacity_after = self.capacity.copy()
        if closure == "partial":
            capacity_after[own_queues] *= 1.0 - cut
        loads = self.loads - self.baseline.queues[ods].T.astype(float) @ moved
        result = self.engine.close(
            edges,
            ods,
            moved,
            loads=loads if check else None,
            capacity=capacity_after if check else None,
            isolated_without_search=bridge and screen,
            first=first,
            max_rounds=MAX_ROUNDS,
        )
        self.searches += result.searches
        return self._summarise(asset, result, volume, through_teu, bridge, share_of_year, check, capacity_after, max_flows)

    def _flow_edges(self, compiled_edges: tuple[int, ...]) -> np.ndarray:
        """The flow graph's edges standing for these compiled edges."""
        wanted = np.asarray(compiled_edges, dtype=np.int64)
        lo = np.searchsorted(self.flow_edges_key, wanted, side="left")
        hi = np.searchsorted(self.flow_edges_key, wanted, side="right")
        if not len(wanted):
            return np.zeros(0, dtype=np.int64)
        return np.sort(np.concatenate([self.flow_edges_sorted[a:b] for a, b in zip(lo, hi, strict=True)]))

    def _own_queue_changes(self, own: list[int], cut: float, closure: str) -> tuple[QueueChange, ...]:
        if closure != "partial":
            return ()
        after = self.capacity.copy()
        after[own] *= 1.0 - cut
        return tuple(self._queue_change(q, self.loads[q], self.loads[q], after[q]) for q in own)

    def _queue_change(self, q: int, before: np.ndarray, after: np.ndarray, capacity_after: np.ndarray) -> QueueChange:
        queue = self.table.queues[q]
        return QueueChange(
            asset=queue.asset.id,
            name=queue.asset.name,
            direction=queue.direction,
            vc_before=_vc(before, self.capacity[q]),
            vc_after=_vc(after, capacity_after),
            capacity=queue.text,
        )

    def _summarise(
        self,
        asset: Asset,
        result: ClosureOutcome,
        volume: np.ndarray,
        through_teu: float,
        bridge: bool,
        share_of_year: float,
        check: bool,
        capacity_after: np.ndarray,
        max_flows: int,
    ) -> AssetCriticality:
        paths: PathSet = result.paths
        owner = result.path_owner
        served = result.path_volume  # rows x units, yearly
        old_rows = result.ods[owner]
        new_p90 = self._p90(paths)
        old = self.baseline.totals[old_rows]
        new = paths.totals
        d_hours = new[:, 0] - old[:, 0]
        d_p90 = new_p90 - self.baseline_p90[old_rows]
        d_usd = new[:, 1] - old[:, 1]
        d_co2e = new[:, 2] - old[:, 2]
        teu, tonnes = served[:, 0], served[:, 1]
        diverted = float(teu.sum())
        extra_days = float(teu @ d_hours) / diverted / 24.0 if diverted > 0 else None
        extra_p90 = float(teu @ d_p90) / diverted / 24.0 if diverted > 0 else None
        extra_usd_per_teu = float(teu @ d_usd) / diverted if diverted > 0 else None
        corridors = self._main_corridors(new)
        shift: dict[str | None, float] = defaultdict(float)
        for corridor, amount in zip(corridors, teu, strict=True):
            shift[corridor] += float(amount) * share_of_year
        queue_changes: tuple[QueueChange, ...] = ()
        if check and result.loads_after is not None:
            changed = np.flatnonzero(np.abs(result.loads_after - self.loads).max(axis=1) > 1e-9 * np.maximum(self.loads.max(axis=1), 1.0))
            queue_changes = tuple(
                sorted(
                    (self._queue_change(int(q), self.loads[q], result.loads_after[q], capacity_after[q]) for q in changed),
                    key=lambda c: (-c.vc_after, c.asset, c.direction),
                )
            )
        moved = result.moved
        isolated = result.isolated
        unserved = result.unserved
        order = np.argsort(-moved[:, 0], kind="stable")
        by_owner = np.argsort(owner, kind="stable")
        starts = np.searchsorted(owner[by_owner], np.arange(len(result.ods) + 1))
        flows = tuple(
            self._flow(int(i), result, by_owner[starts[i] : starts[i + 1]], new_p90, d_hours, d_p90, d_usd, d_co2e, corridors)
            for i in order[:max_flows]
        )
        return AssetCriticality(
            asset=asset,
            rank=0,
            assessed=True,
            note=None,
            bridge=bridge,
            pairs=len(result.ods),
            through_teu_per_year=through_teu,
            teu_per_year=float(moved[:, 0].sum()),
            tonnes_per_year=float(moved[:, 1].sum()),
            teu=float(moved[:, 0].sum()) * share_of_year,
            tonnes=float(moved[:, 1].sum()) * share_of_year,
            diverted_teu=diverted * share_of_year,
            isolated_teu=float(isolated[:, 0].sum()) * share_of_year,
            unserved_teu=float(unserved[:, 0].sum()) * share_of_year,
            extra_days=extra_days,
            extra_days_p90=extra_p90,
            extra_usd_per_teu=extra_usd_per_teu,
            extra_teu_days=float(teu @ d_hours) / 24.0 * share_of_year,
            extra_usd=float(teu @ d_usd) * share_of_year,
            extra_generalized_usd=float(teu @ (d_usd + self.vot * d_hours)) * share_of_year,
            extra_co2e_t=float(tonnes @ d_co2e) / 1000.0 * share_of_year,
            corridors=tuple(
                sorted(
                    (CorridorShift(c, self.corridor_names.get(c, "off the named corridors") if c else "off the named corridors", v) for c, v in shift.items()),
                    key=lambda s: (-s.teu, s.id or "~"),
                )
            ),
            queues=queue_changes,
            flows=flows,
            flows_total=len(result.ods),
            diverted_links=self._link_volumes(paths, teu * share_of_year),
            vacated_links=self._link_volumes(self.baseline.take(result.ods), moved[:, 0] * share_of_year),
        )

    def _flow(
        self,
        i: int,
        result: ClosureOutcome,
        rows: np.ndarray,
        new_p90: np.ndarray,
        d_hours: np.ndarray,
        d_p90: np.ndarray,
        d_usd: np.ndarray,
        d_co2e: np.ndarray,
        corridors: list[str | None],
    ) -> AffectedFlow:
        k = int(result.ods[i])
        origin, destination = self.pairs_list[k]
        after = tuple(
            Diversion(
                route=self._figures(result.paths, int(r), float(new_p90[r]), corridors[r]),
                teu_per_year=float(result.path_volume[r, 0]),
                tonnes_per_year=float(result.path_volume[r, 1]),
                extra_hours=float(d_hours[r]),
                extra_hours_p90=float(d_p90[r]),
                extra_usd_per_teu=float(d_usd[r]),
                extra_co2e_kg_per_tonne=float(d_co2e[r]),
            )
            for r in rows
        )
        base_corridor = self.baseline_corridors[k]
        return AffectedFlow(
            origin=origin,
            destination=destination,
            teu_per_year=float(self.volume[k, 0]),
            tonnes_per_year=float(self.volume[k, 1]),
            moved_teu_per_year=float(result.moved[i, 0]),
            isolated_teu_per_year=float(result.isolated[i, 0]),
            unserved_teu_per_year=float(result.unserved[i, 0]),
            before=self._figures(self.baseline, k, float(self.baseline_p90[k]), base_corridor),
            after=after,
        )

    def _figures(self, paths: PathSet, row: int, p90: float, corridor: str | None) -> FlowFigures:
        t = paths.totals[row]
        return FlowFigures(
            places=self._places(paths.path(row)),
            hours=float(t[0]),
            hours_p90=p90,
            cost_usd_per_teu=float(t[1]),
            co2e_kg_per_tonne=float(t[2]),
            distance_km=float(t[3]),
            corridor=corridor,
        )

    def _places(self, edges: np.ndarray) -> tuple[str, ...]:
        c = self.compiled
        out: list[str] = []
        for flow_edge in edges:
            e = int(self.graph.edge[int(flow_edge)])
            if e < 0:
                continue
            for node in (c.edge_src[e], c.edge_dst[e]):
                place = c.node_place[node]
                if not out or out[-1] != place:
                    out.append(place)
        return tuple(out)

    def _main_corridors(self, totals: np.ndarray) -> list[str | None]:
        g: FlowGraph = self.graph
        c = len(g.corridor_ids)
        if c == 0 or not len(totals):
            return [None] * len(totals)
        weights = totals[:, 4 : 4 + c]
        km = totals[:, 4 + c : 4 + 2 * c]
        best = np.argmax(weights, axis=1)
        rows = np.arange(len(totals))
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (weights[rows, best] > 0) & (km[rows, best] / totals[:, 3] >= DEFAULT_MIN_CORRIDOR_SHARE)
        return [g.corridor_ids[int(b)] if o else None for b, o in zip(best, ok, strict=True)]

    def _link_volumes(self, paths: PathSet, teu: np.ndarray) -> tuple[tuple[str, float], ...]:
        if not len(paths):
            return ()
        lengths = np.diff(paths.indptr)
        link_of = self.link_of_edge[paths.edges]
        on_link = link_of >= 0
        per_link = np.bincount(link_of[on_link], weights=np.repeat(teu, lengths)[on_link], minlength=len(self.link_ids))
        used = np.flatnonzero(per_link > 0)
        return tuple(sorted(((self.link_ids[i], float(per_link[i])) for i in used), key=lambda kv: (-kv[1], kv[0])))


def _changed(before: PathSet, after: PathSet) -> np.ndarray:
    """Rows whose path differs (row i of both is the same OD pair)."""
    length_before, length_after = np.diff(before.indptr), np.diff(after.indptr)
    same = (length_before == length_after) & after.reached
    rows = np.flatnonzero(same & (length_before > 0))
    if len(rows):
        lengths = length_before[rows]
        along = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        equal = before.edges[np.repeat(before.indptr[rows], lengths) + along] == after.edges[np.repeat(after.indptr[rows], lengths) + along]
        # a row is unchanged when all its edges are equal: no unequal edge falls in its segment
        unequal = np.add.reduceat((~equal).astype(np.int64), np.cumsum(lengths) - lengths)
        same[rows] = unequal == 0
    return np.flatnonzero(~same)


def _vc(load: np.ndarray, capacity: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isfinite(capacity) & (capacity > 0), load / capacity, 0.0)
        ratio = np.where((capacity == 0) & (load > 0), np.inf, ratio)
    return float(ratio.max()) if ratio.size else 0.0


def _empty(
    asset: Asset, through_teu: float, bridge: bool, *, assessed: bool, note: str, queues: tuple[QueueChange, ...] = ()
) -> AssetCriticality:
    return AssetCriticality(
        asset=asset,
        rank=0,
        assessed=assessed,
        note=note,
        bridge=bridge,
        pairs=0,
        through_teu_per_year=through_teu,
        teu_per_year=0.0,
        tonnes_per_year=0.0,
        teu=0.0,
        tonnes=0.0,
        diverted_teu=0.0,
        isolated_teu=0.0,
        unserved_teu=0.0,
        extra_days=None,
        extra_days_p90=None,
        extra_usd_per_teu=None,
        extra_teu_days=0.0,
        extra_usd=0.0,
        extra_generalized_usd=0.0,
        extra_co2e_t=0.0,
        corridors=(),
        queues=queues,
        flows=(),
        flows_total=0,
        diverted_links=(),
        vacated_links=(),
    )
