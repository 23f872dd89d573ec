"""Traffic assignment on arrays: all-or-nothing, incremental loading, MSA, Frank–Wolfe, bi-conjugate FW.

The problem is a directed graph (edges with a base cost per TEU-equivalent), origin and destination
nodes with demand between them, and queues: sets of edges sharing a capacity, whose delay grows with
volume over capacity (:mod:`planner.delay`). Flows are kept in two units at once, TEU-equivalents (row
0) and tonnes (row 1): paths are chosen on cost per TEU-eq, and a queue's volume over capacity is that
of the unit its capacity is given in.

Shortest paths run on scipy's C Dijkstra, one tree per origin; loading a tree pushes each
destination's demand up to the root level by level (a handful of array operations per level).
Every solution is a mix of all-or-nothing loads; the weight of each is kept, so flows per OD pair
and path can be rebuilt at the end from the trees (:class:`Trees`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .delay import DelayFunction

Method = Literal["aon", "incremental", "msa", "fw", "bfw"]
CapacityMode = Literal["queue", "hard"]

_TINY = 1e-9  # csgraph drops explicit zeros in some versions: every weight stays positive
_BLOCK_CELLS = 4_000_000  # origins x nodes handled at once (memory of one block of trees)


@dataclass(frozen=True, slots=True)
class Problem:
    """An assignment problem on arrays (see the module docstring). Demand is per OD pair, both units."""

    n_nodes: int
    src: np.ndarray
    dst: np.ndarray
    base_cost: np.ndarray
    od_origin: np.ndarray  # origin node of each OD pair
    od_destination: np.ndarray  # destination node of each OD pair
    od_demand: np.ndarray  # 2 x n_od: TEU-eq and tonnes a year
    queues: csr_matrix  # queues x edges, 0/1
    capacity: np.ndarray  # 2 x queues: TEU-eq and tonnes a year (inf where not given)
    services_per_day: np.ndarray
    variability: np.ndarray
    base_hours: np.ndarray
    cost_per_hour: float
    """Cost units of one hour of delay (1 when ranking by time; the value of time for generalized cost)."""


@dataclass(slots=True)
class Trees:
    """The shortest-path trees of every all-or-nothing load, one per origin, stored once per distinct tree."""

    origins: np.ndarray
    unique: list[dict[int, int]]  # per origin row: hash of tree -> index into stored
    stored: list[np.ndarray]  # predecessor edge per node (int32, -1 at the root and unreached)
    picks: list[np.ndarray]  # per load: index into stored, per origin row
    bytes: int = 0
    complete: bool = True


@dataclass(slots=True)
class Solution:
    """Flows (2 x edges), queue delays, the relative gap and the history of a run."""

    flows: np.ndarray
    queue_hours: np.ndarray
    edge_cost: np.ndarray
    gap: float
    iterations: int
    converged: bool
    gaps: list[float]
    weights: np.ndarray  # weight of each all-or-nothing load in the flows
    trees: Trees | None
    od_cost: np.ndarray  # shortest cost per OD pair at the final costs
    seconds: float
    capped: np.ndarray = field(default_factory=lambda: np.zeros(0))  # hard AON/incremental: served share per OD


class _Kernel:
    """The graph as CSR arrays; parallel edges (same two nodes) merge, the cheapest one standing for them."""

    def __init__(self, problem: Problem) -> None:
        n = problem.n_nodes
        src, dst = problem.src.astype(np.int64), problem.dst.astype(np.int64)
        self.order = np.lexsort((dst, src))
        s, d = src[self.order], dst[self.order]
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        self.starts = np.flatnonzero(first)
        self.indices = d[self.starts].astype(np.int32)
        counts = np.bincount(s[self.starts], minlength=n)
        self.indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        self.keys = s[self.starts] * n + d[self.starts]
        sizes = np.diff(np.append(self.starts, len(s)))
        self.multi = [self.order[self.starts[g] : self.starts[g] + sizes[g]] for g in np.flatnonzero(sizes > 1)]
        self.multi_groups = np.flatnonzero(sizes > 1)
        self.n = n

    def matrix(self, cost: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
        """The CSR matrix of the cheapest edge per node pair, and that edge per pair."""
        sorted_cost = cost[self.order]
        weight = np.minimum.reduceat(sorted_cost, self.starts) if len(self.starts) else sorted_cost
        best = self.order[self.starts].copy()
        for group, edges in zip(self.multi_groups, self.multi, strict=True):
            best[group] = edges[int(np.argmin(cost[edges]))]
        data = np.maximum(weight, _TINY)
        return csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n)), best


def _tree_edges(kernel: _Kernel, best: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Predecessor edge of every node of every tree (rows), -1 at roots and unreached nodes."""
    rows, cols = np.nonzero(pred >= 0)
    out = np.full(pred.shape, -1, dtype=np.int32)
    if len(rows):
        group = np.searchsorted(kernel.keys, pred[rows, cols].astype(np.int64) * kernel.n + cols)
        out[rows, cols] = best[group]
    return out


def _levels(pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes of every tree sorted by depth (flat indices into ``pred``), and where each depth starts."""
    r, n = pred.shape
    flat_pred = pred.reshape(-1).astype(np.int64)
    offsets = np.repeat(np.arange(r, dtype=np.int64) * n, n)
    valid = flat_pred >= 0
    anc = np.where(valid, flat_pred + offsets, np.arange(r * n, dtype=np.int64))
    depth = valid.astype(np.int32)
    # Pointer jumping: after each round anc is 2^k steps up, depth the steps taken.
    while True:
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        depth = depth + depth[anc]
        anc = nxt
    order = np.argsort(depth, kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(int(depth.max(initial=0)) + 2))
    return order, bounds


@dataclass(slots=True)
class _Load:
    flows: np.ndarray  # 2 x edges
    od_cost: np.ndarray
    tree_edges: list[tuple[np.ndarray, np.ndarray]]  # (origin rows, tree edges) per block


class Solver:
    """Runs one problem: the graph's kernel is built once, delays come from ``delay``."""

    def __init__(
        self,
        problem: Problem,
        delay: DelayFunction,
        *,
        hard: bool,
        keep_trees: bool,
        max_tree_bytes: int,
        penalty_edges: np.ndarray | None = None,
    ) -> None:
        self.p = problem
        self.penalty = np.zeros(len(problem.src), dtype=bool)
        if penalty_edges is not None:
            self.penalty[penalty_edges] = True
        self.delay = delay
        self.hard = hard
        self.kernel = _Kernel(problem)
        self.origins, self.od_row = np.unique(problem.od_origin, return_inverse=True)
        self.keep_trees = keep_trees
        self.max_tree_bytes = max_tree_bytes
        self.trees = Trees(self.origins, [{} for _ in self.origins], [], []) if keep_trees else None
        n_edges = len(problem.src)
        self.n_edges = n_edges

    # --- costs ---------------------------------------------------------------------------------

    def rho(self, flows: np.ndarray) -> np.ndarray:
        loads = np.asarray(self.p.queues @ flows.T)  # queues x 2
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = loads / self.p.capacity.T
        ratio = np.nan_to_num(ratio, nan=0.0, posinf=np.inf)
        return ratio.max(axis=1) if len(ratio) else np.zeros(0)

    def queue_hours(self, rho: np.ndarray) -> np.ndarray:
        p = self.p
        return self.delay.hours(rho, p.services_per_day, p.variability, p.base_hours, hard=self.hard)

    def costs(self, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hours = self.queue_hours(self.rho(flows))
        extra = np.asarray(self.p.queues.T @ hours).reshape(-1) if len(hours) else np.zeros(self.n_edges)
        return self.p.base_cost + self.p.cost_per_hour * extra, hours

    # --- all or nothing ------------------------------------------------------------------------

    def aon(self, cost: np.ndarray, demand: np.ndarray | None = None, *, record: bool = False) -> _Load:
        """Load ``demand`` (2 x OD, default all) on the shortest paths at ``cost``."""
        p = self.p
        demand = p.od_demand if demand is None else demand
        graph, best = self.kernel.matrix(cost)
        flows = np.zeros((2, self.n_edges))
        od_cost = np.full(len(p.od_origin), np.inf)
        n = p.n_nodes
        per_block = max(1, _BLOCK_CELLS // max(n, 1))
        trees: list[tuple[np.ndarray, np.ndarray]] = []
        for start in range(0, len(self.origins), per_block):
            rows = np.arange(start, min(start + per_block, len(self.origins)))
            dist, pred = dijkstra(graph, directed=True, indices=self.origins[rows], return_predecessors=True)
            dist = np.atleast_2d(dist)
            pred = np.atleast_2d(pred)
            ods = np.flatnonzero((self.od_row >= rows[0]) & (self.od_row <= rows[-1]))
            local = self.od_row[ods] - rows[0]
            od_cost[ods] = dist[local, p.od_destination[ods]]
            edges = _tree_edges(self.kernel, best, pred)
            if record:
                trees.append((rows, edges))
            order, bounds = _levels(pred)
            r = len(rows)
            flat_pred = pred.reshape(-1).astype(np.int64)
            parent = np.where(flat_pred >= 0, flat_pred + np.repeat(np.arange(r, dtype=np.int64) * n, n), -1)
            flat_edges = edges.reshape(-1)
            node_flow = np.zeros((r * n, 2))
            reached = np.isfinite(od_cost[ods])
            np.add.at(node_flow, local[reached] * n + p.od_destination[ods][reached], demand[:, ods][:, reached].T)
            moved_edges: list[np.ndarray] = []
            moved: list[np.ndarray] = []
            for level in range(len(bounds) - 2, 0, -1):
                at = order[bounds[level] : bounds[level + 1]]
                moving = node_flow[at]
                hot = moving.any(axis=1)
                if not hot.any():
                    continue
                at, moving = at[hot], moving[hot]
                np.add.at(node_flow, parent[at], moving)
                moved_edges.append(flat_edges[at])
                moved.append(moving)
            if moved:
                all_edges = np.concatenate(moved_edges)
                all_moved = np.concatenate(moved)
                for unit in (0, 1):
                    flows[unit] += np.bincount(all_edges, weights=all_moved[:, unit], minlength=self.n_edges)
        return _Load(flows, od_cost, trees)

    def record(self, load: _Load) -> None:
        """Keep the trees of a load (once per distinct tree) for rebuilding paths at the end."""
        trees = self.trees
        if trees is None or not trees.complete:
            return
        pick = np.zeros(len(self.origins), dtype=np.int32)
        for rows, edges in load.tree_edges:
            for i, row in enumerate(rows):
                tree = edges[i]
                key = hash(tree.tobytes())
                index = trees.unique[row].get(key)
                if index is None:
                    index = len(trees.stored)
                    trees.unique[row][key] = index
                    trees.stored.append(tree.copy())
                    trees.bytes += tree.nbytes
                pick[row] = index
        trees.picks.append(pick)
        if trees.bytes > self.max_tree_bytes:
            trees.complete = False
            trees.stored.clear()
            trees.picks.clear()

    # --- the gap -------------------------------------------------------------------------------

    def gap(self, flows: np.ndarray, cost: np.ndarray, od_cost: np.ndarray) -> float:
        used = flows[0] != 0
        total = float(cost[used] @ flows[0][used])
        shortest = float(np.nansum(np.where(np.isfinite(od_cost), od_cost, 0.0) * self.p.od_demand[0]))
        if total <= 0:
            return 0.0
        return max(0.0, (total - shortest) / total)

    # --- line search and conjugate directions -------------------------------------------------

    def _slope(self, flows: np.ndarray, direction: np.ndarray, alpha: float) -> float:
        cost, _ = self.costs(flows + alpha * direction)
        moving = direction[0] != 0
        if not np.all(np.isfinite(cost[moving])):
            return math.inf
        return float(cost[moving] @ direction[0][moving])

    def line_search(self, flows: np.ndarray, direction: np.ndarray) -> float:
        """The step in [0, 1] where the cost along ``direction`` stops falling (bisection on the slope)."""
        if self._slope(flows, direction, 1.0) <= 0:
            return 1.0
        low, high = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (low + high)
            if self._slope(flows, direction, mid) > 0:
                high = mid
            else:
                low = mid
            if high - low < 1e-10:
                break
        return low

    def _hessian_weights(self, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per queue, d(cost)/d(volume) and which unit binds (0 TEU-eq, 1 tonnes)."""
        p = self.p
        loads = np.asarray(p.queues @ flows.T)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.nan_to_num(loads / p.capacity.T, nan=0.0, posinf=np.inf)
        unit = np.argmax(ratio, axis=1) if len(ratio) else np.zeros(0, dtype=int)
        rho = ratio.max(axis=1) if len(ratio) else np.zeros(0)
        slope = self.delay.derivative(rho, p.services_per_day, p.variability, p.base_hours, hard=self.hard)
        cap = p.capacity[unit, np.arange(len(unit))] if len(unit) else np.zeros(0)
        return p.cost_per_hour * slope / cap, unit

    def _dot(self, weights: tuple[np.ndarray, np.ndarray], a: np.ndarray, b: np.ndarray) -> float:
        w, unit = weights
        if not len(w):
            return 0.0
        la = np.asarray(self.p.queues @ a.T)
        lb = np.asarray(self.p.queues @ b.T)
        idx = np.arange(len(w))
        return float(np.sum(w * la[idx, unit] * lb[idx, unit]))

    # --- the methods ---------------------------------------------------------------------------

    def run(
        self,
        method: Method,
        *,
        gap: float,
        max_iterations: int,
        increments: int,
        progress: Callable[[int, float], None] | None = None,
    ) -> Solution:
        started = time.perf_counter()
        if method == "aon":
            solution = self._aon_only()
        elif method == "incremental":
            solution = self._incremental(increments, progress)
        else:
            solution = self._equilibrium(method, gap, max_iterations, progress)
        solution.seconds = time.perf_counter() - started
        return solution

    def _finish(self, flows: np.ndarray, weights: np.ndarray, gaps: list[float], iterations: int, converged: bool) -> Solution:
        cost, hours = self.costs(flows)
        final = self.aon(cost)
        gap = self.gap(flows, cost, final.od_cost)
        return Solution(flows, hours, cost, gap, iterations, converged, gaps, weights, self.trees, final.od_cost, 0.0)

    def _aon_only(self) -> Solution:
        load = self.aon(self.p.base_cost, record=self.keep_trees)
        self.record(load)
        flows = load.flows
        capped = np.ones(len(self.p.od_origin))
        if self.hard:
            capped = self._ration(np.zeros_like(flows), load, np.ones(len(self.p.od_origin)))
            flows = self._reload(load, capped)
        solution = self._finish(flows, np.ones(1), [], 1, True)
        solution.capped = capped
        return solution

    def _ration(self, base: np.ndarray, load: _Load, demand_share: np.ndarray) -> np.ndarray:
        """Hard capacity without equilibrium: the share of ``load`` each OD pair keeps so no queue passes capacity.

        Every pair through a queue keeps the same share of the room left there (what ``base`` leaves), the
        smallest along its path.
        """
        used = self.rho(base)
        added = self.rho(load.flows)
        with np.errstate(divide="ignore", invalid="ignore"):
            keep_queue = np.where(added > 0, np.clip((1.0 - used) / added, 0.0, 1.0), 1.0)
        share = np.ones(len(self.p.od_origin))
        if not np.any(keep_queue < 1):
            kept: np.ndarray = share * demand_share
            return kept
        per_edge = np.ones(self.n_edges)
        queues = self.p.queues.tocoo()
        np.minimum.at(per_edge, queues.col, keep_queue[queues.row])
        for rows, edges in load.tree_edges:
            n = self.p.n_nodes
            for i, row in enumerate(rows):
                for od in np.flatnonzero(self.od_row == row):
                    node = int(self.p.od_destination[od])
                    worst = 1.0
                    while (e := int(edges[i, node])) >= 0:
                        worst = min(worst, per_edge[e])
                        node = int(self.p.src[e])
                    share[od] = worst
            del n
        result: np.ndarray = share * demand_share
        return result

    def _reload(self, load: _Load, share: np.ndarray) -> np.ndarray:
        flows = np.zeros((2, self.n_edges))
        for rows, edges in load.tree_edges:
            for i, row in enumerate(rows):
                for od in np.flatnonzero(self.od_row == row):
                    node = int(self.p.od_destination[od])
                    while (e := int(edges[i, node])) >= 0:
                        flows[:, e] += self.p.od_demand[:, od] * share[od]
                        node = int(self.p.src[e])
        return flows

    def _incremental(self, increments: int, progress: Callable[[int, float], None] | None) -> Solution:
        flows = np.zeros((2, self.n_edges))
        served = np.zeros(len(self.p.od_origin))
        step = 1.0 / increments
        for k in range(increments):
            cost, _ = self.costs(flows)
            load = self.aon(cost, self.p.od_demand * step, record=True)
            self.record(load)
            if self.hard:
                share = self._ration(flows, load, np.ones(len(self.p.od_origin)))
                flows = flows + self._reload(load, share * step)
                served += step * share
            else:
                flows = flows + load.flows
                served += step
            if progress is not None:
                progress(k + 1, math.nan)
        solution = self._finish(flows, np.full(increments, step), [], increments, True)
        solution.capped = served
        return solution

    def _equilibrium(
        self, method: Method, target: float, max_iterations: int, progress: Callable[[int, float], None] | None
    ) -> Solution:
        p = self.p
        if self.hard:
            # Start with everything unserved (the penalty edges), which respects every capacity.
            first = self.aon(np.where(self.penalty, _TINY, np.inf), record=True)
        else:
            first = self.aon(p.base_cost, record=True)
        self.record(first)
        flows = first.flows
        coef = np.ones(1)  # weight of each all-or-nothing load in flows
        sbar_coef = sbar_prev_coef = None
        sbar = sbar_prev = None
        step = 1.0
        gaps: list[float] = []
        converged = False
        iteration = 1
        for iteration in range(1, max_iterations + 1):
            cost, _ = self.costs(flows)
            load = self.aon(cost, record=True)
            gap = self.gap(flows, cost, load.od_cost)
            gaps.append(gap)
            if progress is not None:
                progress(iteration, gap)
            if gap <= target:
                converged = True
                break
            self.record(load)
            coef = np.append(coef, 0.0)
            y = load.flows
            y_coef = np.zeros(len(coef))
            y_coef[-1] = 1.0
            if sbar_coef is not None:
                sbar_coef = np.append(sbar_coef, 0.0)
            if sbar_prev_coef is not None:
                sbar_prev_coef = np.append(sbar_prev_coef, 0.0)
            if method == "msa":
                step = 1.0 / (iteration + 1)
                direction = y - flows
                if self.hard:
                    step = min(step, self._feasible_step(flows, direction))
                flows = flows + step * direction
                coef = coef + step * (y_coef - coef)
                continue
            new_sbar, new_coef = y, y_coef
            if method == "bfw" and sbar is not None and 0.0 < step < 1.0:
                weights = self._hessian_weights(flows)
                d_fw = y - flows
                if sbar_prev is not None and sbar_prev_coef is not None:
                    d2 = step * sbar + (1 - step) * sbar_prev - flows
                    d1 = sbar - flows
                    mu_den = self._dot(weights, d2, sbar_prev - sbar)
                    mu = -self._dot(weights, d2, d_fw) / mu_den if mu_den != 0 else 0.0
                    nu_den = self._dot(weights, d1, d1)
                    nu = -self._dot(weights, d1, d_fw) / nu_den + mu * step / (1 - step) if nu_den != 0 else 0.0
                    mu, nu = max(0.0, mu), max(0.0, nu)
                    b0 = 1.0 / (1.0 + mu + nu)
                    new_sbar = b0 * y + nu * b0 * sbar + mu * b0 * sbar_prev
                    assert sbar_coef is not None
                    new_coef = b0 * y_coef + nu * b0 * sbar_coef + mu * b0 * sbar_prev_coef
                else:  # conjugate FW once, before the bi-conjugate steps
                    d1 = sbar - flows
                    num = self._dot(weights, d1, d_fw)
                    den = self._dot(weights, d1, y - sbar)
                    alpha = num / den if den != 0 else 0.0
                    alpha = min(max(alpha, 0.0), 0.99999)
                    new_sbar = alpha * sbar + (1 - alpha) * y
                    assert sbar_coef is not None
                    new_coef = alpha * sbar_coef + (1 - alpha) * y_coef
            direction = new_sbar - flows
            step = self.line_search(flows, direction)
            if step <= 0.0:  # no progress along the conjugate direction: a plain FW step instead
                new_sbar, new_coef = y, y_coef
                direction = y - flows
                step = self.line_search(flows, direction) or 1.0 / (iteration + 1)
                if self.hard:
                    step = min(step, self._feasible_step(flows, direction))
            sbar_prev, sbar_prev_coef = sbar, sbar_coef
            sbar, sbar_coef = new_sbar, new_coef
            flows = flows + step * direction
            coef = coef + step * (new_coef - coef)
            if step >= 1.0:
                sbar_prev = sbar_prev_coef = None
        return self._finish(flows, coef, gaps, iteration, converged)

    def _feasible_step(self, flows: np.ndarray, direction: np.ndarray) -> float:
        """The largest step keeping every queue below capacity (hard mode)."""
        p = self.p
        now = np.asarray(p.queues @ flows.T) / p.capacity.T
        change = np.asarray(p.queues @ direction.T) / p.capacity.T
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(change > 0, (1.0 - 1e-9 - now) / change, np.inf)
        room = np.nan_to_num(room, nan=np.inf)
        return float(max(0.0, min(1.0, room.min(initial=np.inf))))


def solve(
    problem: Problem,
    delay: DelayFunction,
    *,
    method: Method,
    gap: float,
    max_iterations: int,
    increments: int = 10,
    hard: bool = False,
    penalty_edges: np.ndarray | None = None,
    keep_trees: bool = True,
    max_tree_bytes: int = 256 * 1024 * 1024,
    progress: Callable[[int, float], None] | None = None,
) -> Solution:
    """Assign ``problem``'s demand with ``method`` until the relative gap is at most ``gap``."""
    solver = Solver(
        problem, delay, hard=hard, keep_trees=keep_trees, max_tree_bytes=max_tree_bytes, penalty_edges=penalty_edges
    )
    return solver.run(method, gap=gap, max_iterations=max_iterations, increments=increments, progress=progress)
