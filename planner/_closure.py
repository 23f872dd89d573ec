"""Closing an asset and re-planning the flows that used it, on arrays: the engine of :func:`planner.criticality`.

The network is the flow graph of :mod:`planner._flow_graph` (virtual origin and destination nodes per
place). :class:`ClosureEngine` finds every OD pair's best path once (the baseline), then for one asset
re-plans only the pairs given (those whose baseline path uses it) on the network without it, one
scipy Dijkstra per origin for all its destinations. With capacities, diverted volume that would
push an asset past capacity is rationed (every pair through a full asset keeps the same share of
the room left, the smallest along its path) and what does not fit tries again with the full assets
closed, up to ``max_rounds`` times; what is left is unserved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ._flow_graph import FlowGraph
from ._flows import Kernel, tree_edges
from ._pricing import row_percentiles

__all__ = ["ATTRIBUTES", "ClosureEngine", "ClosureOutcome", "PathSet"]

_TINY = 1e-9
_BLOCK_CELLS = 4_000_000  # origins x nodes searched at once
_SAMPLE_ROWS = 1024  # paths whose Monte Carlo draws are summed at once (16 MiB)
_FITS = 1e-9  # relative volume below which nothing is left to place

ATTRIBUTES = ("hours", "cost_usd_per_teu", "co2e_kg_per_tonne", "distance_km")
"""The first columns of :attr:`PathSet.totals`; then the corridor weights and the km on each corridor."""


@dataclass(frozen=True, slots=True)
class PathSet:
    """Best paths of some OD pairs (one row each): their edges in order, totals, and the queues they pass."""

    ods: np.ndarray
    """OD pair of each row."""
    reached: np.ndarray
    """False where the destination cannot be reached."""
    cost: np.ndarray
    """The criterion's cost of each path (inf where not reached)."""
    indptr: np.ndarray
    edges: np.ndarray
    """Edges of row ``i`` in path order: ``edges[indptr[i]:indptr[i + 1]]``."""
    totals: np.ndarray
    """Per row: hours, USD per TEU, kg CO2e per tonne, km, then per corridor the weight and the km."""
    queues: np.ndarray
    """Per row and capacity queue: True where the path passes the queue."""

    def __len__(self) -> int:
        return len(self.ods)

    def path(self, row: int) -> np.ndarray:
        return self.edges[self.indptr[row] : self.indptr[row + 1]]

    def incidence(self, n_edges: int) -> csr_matrix:
        """Rows x edges, 1 where the row's path uses the edge."""
        data = np.ones(len(self.edges))
        return csr_matrix((data, self.edges, self.indptr), shape=(len(self.ods), n_edges))

    def take(self, rows: np.ndarray) -> PathSet:
        """The subset of rows ``rows`` (in that order)."""
        lengths = np.diff(self.indptr)[rows]
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        # Positions of the kept rows' edges: each row's start, then 0, 1, ... along it.
        along = np.arange(indptr[-1]) - np.repeat(indptr[:-1], lengths)
        edges = self.edges[np.repeat(self.indptr[rows], lengths) + along]
        return PathSet(
            self.ods[rows], self.reached[rows], self.cost[rows], indptr, edges, self.totals[rows], self.queues[rows]
        )


@dataclass(frozen=True, slots=True)
class ClosureOutcome:
    """What happened to the flows of one closed asset (volumes are yearly rates, TEU-eq and tonnes).

    Row ``i`` of ``moved``, ``isolated`` and ``unserved`` is OD pair ``ods[i]``; each row of ``paths`` is a
    fallback path of pair ``ods[path_owner[row]]`` carrying ``path_volume[row]`` (several rows per pair
    when its first fallback filled up).
    """

    ods: np.ndarray
    moved: np.ndarray
    isolated: np.ndarray
    unserved: np.ndarray
    paths: PathSet
    path_owner: np.ndarray
    path_volume: np.ndarray
    loads_after: np.ndarray | None
    """Queue loads after the diversion (queues x units), None without a capacity check."""
    rounds: int
    searches: int
    """Shortest-path trees grown (one per origin and round)."""


class ClosureEngine:
    """One network, one cost per edge and one OD table: the baseline paths, then closures on demand."""

    def __init__(
        self,
        graph: FlowGraph,
        cost: np.ndarray,
        od_origin: np.ndarray,
        od_destination: np.ndarray,
        samples: np.ndarray | None,
        *,
        baseline: PathSet | None = None,
    ) -> None:
        self.graph = graph
        self.cost = cost
        self.kernel = Kernel(graph.n_nodes, graph.src, graph.dst)
        self.od_origin = od_origin
        self.od_destination = od_destination
        self.samples = samples
        self.n_edges = len(graph.src)
        self.attributes = np.column_stack(
            [graph.hours, graph.cost, graph.co2e_t, graph.distance, graph.corridor_weight, graph.corridor_km]
        )
        self.queue_of_edge = graph.queues.T.tocsr()  # edges x queues
        self.baseline = baseline if baseline is not None else self.paths(np.arange(len(od_origin)), cost)[0]

    def restricted(self, ods: np.ndarray) -> ClosureEngine:
        """The same engine for OD pairs ``ods`` only (numbered 0, 1, ... in that order), its baseline kept."""
        kept = self.baseline.take(ods)
        baseline = PathSet(np.arange(len(ods)), kept.reached, kept.cost, kept.indptr, kept.edges, kept.totals, kept.queues)
        return ClosureEngine(self.graph, self.cost, self.od_origin[ods], self.od_destination[ods], self.samples, baseline=baseline)

    # --- searching -------------------------------------------------------------------------------

    def paths(self, ods: np.ndarray, cost: np.ndarray) -> tuple[PathSet, int]:
        """Best paths of OD pairs ``ods`` at edge costs ``cost`` (inf: closed), and the number of trees grown."""
        g = self.graph
        matrix, best = self.kernel.matrix(cost)
        origins, row_of = np.unique(self.od_origin[ods], return_inverse=True)
        per_block = max(1, _BLOCK_CELLS // max(g.n_nodes, 1))
        m = len(ods)
        path_cost = np.full(m, np.inf)
        rows_out: list[np.ndarray] = []
        edges_out: list[np.ndarray] = []
        for start in range(0, len(origins), per_block):
            block = np.arange(start, min(start + per_block, len(origins)))
            dist, pred = dijkstra(matrix, directed=True, indices=origins[block], return_predecessors=True)
            dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
            tree = tree_edges(self.kernel, best, pred)
            mine = np.flatnonzero((row_of >= block[0]) & (row_of <= block[-1]))
            local = row_of[mine] - block[0]
            dest = self.od_destination[ods[mine]]
            path_cost[mine] = dist[local, dest]
            # Walk every pair's path from its destination up the tree, all pairs one step at a time.
            idx, node = np.arange(len(mine)), dest.copy()
            while len(idx):
                edge = tree[local[idx], node[idx]]
                alive = edge >= 0
                idx, edge = idx[alive], edge[alive].astype(np.int64)
                if not len(idx):
                    break
                rows_out.append(mine[idx])
                edges_out.append(edge)
                node[idx] = g.src[edge]
        steps = np.repeat(np.arange(len(rows_out)), [len(r) for r in rows_out]) if rows_out else np.zeros(0, dtype=np.int64)
        rows = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
        walked = np.concatenate(edges_out) if edges_out else np.zeros(0, dtype=np.int64)
        # The walk went from each destination up: a row's edge found at step s sits at length - 1 - s.
        lengths = np.bincount(rows, minlength=m)
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        edges = np.empty(len(walked), dtype=np.int64)
        edges[indptr[rows] + lengths[rows] - 1 - steps] = walked
        reached = np.isfinite(path_cost)
        incidence = csr_matrix((np.ones(len(edges)), edges, indptr), shape=(m, self.n_edges))
        totals = np.asarray(incidence @ self.attributes)
        queues = np.asarray((incidence @ self.queue_of_edge).todense()) > 0 if self.queue_of_edge.shape[1] else np.zeros((m, 0), dtype=bool)
        return PathSet(ods, reached, path_cost, indptr, edges, totals, queues), len(origins)

    def p90_hours(self, paths: PathSet) -> np.ndarray:
        """The P90 hours of each path (Monte Carlo, the draws of :func:`planner._pricing.percentiles`)."""
        if self.samples is None:
            raise RuntimeError("the engine was built without Monte Carlo samples")
        # the samples are per compiled edge: each flow edge reads its compiled edge's row (virtual edges none)
        compiled_edge = self.graph.edge[paths.edges]
        owner = np.repeat(np.arange(len(paths)), np.diff(paths.indptr))
        real = compiled_edge >= 0
        incidence = csr_matrix(
            (np.ones(int(real.sum())), (owner[real], compiled_edge[real])), shape=(len(paths), self.samples.shape[0])
        )
        out = np.full(len(paths), np.nan)
        for start in range(0, len(paths), _SAMPLE_ROWS):
            chunk = slice(start, min(start + _SAMPLE_ROWS, len(paths)))
            drawn = np.asarray(incidence[chunk] @ self.samples)
            out[chunk] = row_percentiles(drawn, 90.0)
        out[~paths.reached] = np.nan
        return out

    # --- closing ----------------------------------------------------------------------------------

    def close(
        self,
        closed_edges: np.ndarray,
        ods: np.ndarray,
        moved: np.ndarray,
        *,
        loads: np.ndarray | None,
        capacity: np.ndarray | None,
        isolated_without_search: bool = False,
        first: PathSet | None = None,
        max_rounds: int = 4,
    ) -> ClosureOutcome:
        """Re-plan ``moved`` volume (rows of ``ods``) with ``closed_edges`` closed.

        ``loads`` are the queue loads the diverted volume finds (the baseline minus what left); with
        ``capacity`` (queues x units, inf where none) the diversion is rationed as the module says.
        ``isolated_without_search`` (the closed asset is a bridge) skips the search: nothing can go round.
        ``first`` gives the first round's paths when the caller already has them.
        """
        units = moved.shape[1]
        isolated = np.zeros_like(moved)
        unserved = np.zeros_like(moved)
        if isolated_without_search:
            empty = self.baseline.take(np.zeros(0, dtype=np.int64))
            return ClosureOutcome(ods, moved, moved.copy(), unserved, empty, np.zeros(0, dtype=np.int64), np.zeros((0, units)), loads, 0, 0)
        cost = self.cost.copy()
        cost[closed_edges] = np.inf
        remaining = moved.copy()
        check = capacity is not None and loads is not None and capacity.size > 0
        cap = capacity if capacity is not None else np.zeros((0, units))
        load_now = loads.copy() if loads is not None else np.zeros((0, units))
        found: list[PathSet] = []
        owners: list[np.ndarray] = []
        volumes: list[np.ndarray] = []
        searches = 0
        rounds = 0
        active = np.flatnonzero(remaining.max(axis=1) > 0)
        while len(active) and rounds < max_rounds:
            rounds += 1
            if first is not None and rounds == 1:
                paths = first.take(active)
            else:
                paths, grown = self.paths(ods[active], cost)
                searches += grown
            lost = ~paths.reached
            if rounds == 1:
                isolated[active[lost]] = remaining[active[lost]]
            else:
                unserved[active[lost]] += remaining[active[lost]]
            remaining[active[lost]] = 0.0
            keep_rows = np.flatnonzero(paths.reached)
            paths = paths.take(keep_rows)
            active = active[keep_rows]
            if not len(active):
                break
            wanted = remaining[active]
            share = np.ones(len(active))
            if check:
                added = paths.queues.T.astype(float) @ wanted  # queues x units
                with np.errstate(divide="ignore", invalid="ignore"):
                    room = np.where(np.isfinite(cap), np.maximum(cap - load_now, 0.0), np.inf)
                    keep_unit = np.where(added > _FITS * np.maximum(cap, 1.0), np.minimum(room / added, 1.0), 1.0)
                keep_queue = keep_unit.min(axis=1)
                short = np.flatnonzero(keep_queue < 1.0 - 1e-12)
                if len(short):
                    share = np.where(paths.queues[:, short], keep_queue[short], 1.0).min(axis=1)
            served = wanted * share[:, None]
            found.append(paths)
            owners.append(active)
            volumes.append(served)
            remaining[active] = wanted - served
            if not check:
                break
            load_now += paths.queues.T.astype(float) @ served
            passed = paths.queues.any(axis=0)
            with np.errstate(invalid="ignore"):
                at_capacity = np.isfinite(cap) & (load_now >= cap * (1.0 - 1e-9))
            full = np.flatnonzero(passed & at_capacity.any(axis=1))
            active = active[remaining[active].max(axis=1) > _FITS * np.maximum(moved[active].max(axis=1), 1e-300)]
            if not len(full) or not len(active):
                break
            # The full queues take no more: close their edges and send what is left round again.
            cost[self.graph.queues[full].indices] = np.inf
        unserved += np.where(remaining > _FITS * np.maximum(moved, 1e-300), remaining, 0.0)
        if found:
            all_paths = _concat(found)
            owner = np.concatenate(owners)
            volume = np.concatenate(volumes)
            used = volume.max(axis=1) > 0
            all_paths = all_paths.take(np.flatnonzero(used))
            owner, volume = owner[used], volume[used]
        else:
            all_paths = self.baseline.take(np.zeros(0, dtype=np.int64))
            owner, volume = np.zeros(0, dtype=np.int64), np.zeros((0, units))
        return ClosureOutcome(ods, moved, isolated, unserved, all_paths, owner, volume, load_now if check else None, rounds, searches)


def _concat(sets: list[PathSet]) -> PathSet:
    if len(sets) == 1:
        return sets[0]
    offsets = np.cumsum([0] + [len(s.edges) for s in sets[:-1]])
    indptr = np.concatenate([[0]] + [s.indptr[1:] + off for s, off in zip(sets, offsets, strict=True)]).astype(np.int64)
    return PathSet(
        np.concatenate([s.ods for s in sets]),
        np.concatenate([s.reached for s in sets]),
        np.concatenate([s.cost for s in sets]),
        indptr,
        np.concatenate([s.edges for s in sets]),
        np.vstack([s.totals for s in sets]),
        np.vstack([s.queues for s in sets]),
    )
