"""Pareto fronts over (transit hours, cost, CO2e) by multi-criteria label setting.

Each node of the state graph keeps the labels (hours, cost per TEU, CO2e per tonne) that no
other label at that node dominates; labels are extended in lexicographic order, and a label
dominated by one already at the destination is dropped. The result is every non-dominated
route, not a filter over k-shortest paths.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import replace

from . import _search
from ._compile import CompiledGraph
from ._constraints import banned_edges, constraints_of, explain_no_route
from ._pricing import price
from ._shipment import shipment_of
from .errors import InvalidRequestError, NoRouteError
from .request import Rank, RouteRequest
from .route import Route
from .weights import criterion_weights, edge_costs, edge_hours

__all__ = ["MAX_LABELS", "dominates", "pareto_front_paths", "pareto_routes"]

MAX_LABELS = 200_000
"""Work cap: labels created before the search stops and reports what it has (never reached on the bundled network)."""

Vector = tuple[float, float, float]


def dominates(a: Vector, b: Vector, eps: float = 1e-9) -> bool:
    """True when ``a`` is no worse than ``b`` on every criterion and better on at least one."""
    no_worse = all(x <= y + eps for x, y in zip(a, b, strict=True))
    better = any(x < y - eps for x, y in zip(a, b, strict=True))
    return no_worse and better


def _covers(a: Vector, b: Vector) -> bool:
    """``a`` dominates or equals ``b`` (within 1e-9): then ``b`` adds nothing to a front holding ``a``."""
    return a[0] <= b[0] + 1e-9 and a[1] <= b[1] + 1e-9 and a[2] <= b[2] + 1e-9


def pareto_front_paths(
    graph: CompiledGraph,
    origin: str,
    destination: str,
    banned_edges: frozenset[int] = frozenset(),
    *,
    hours: Sequence[float] | None = None,
    cost: Sequence[float] | None = None,
    deadline: float | None = None,
) -> list[tuple[Vector, list[int]]]:
    """Every non-dominated path (as edge lists) from ``origin`` to ``destination``, sorted by hours.

    ``hours`` and ``cost`` per edge default to the scheduled level's hours and the cost per TEU of a 20 ft box.
    Labels live on search states (a node, and whether it was entered by a change of mode: one change
    at a place, see :mod:`planner._search`), and a label never extends into a place its path has passed.

    ``deadline`` (a ``time.monotonic()`` instant) stops the search with
    :class:`~planner.errors.DeadlineExceededError` once past it.
    """
    _search.check_deadline(deadline)
    hours = graph.hours if hours is None else hours
    cost = graph.cost_teu if cost is None else cost
    co2e = graph.co2e_t
    index = _search.state_index(graph)
    n = index.n
    numbers = index.place_number
    targets = set(graph.place_nodes.get(destination, ()))
    labels: dict[int, list[Vector]] = {}
    heap: list[tuple[Vector, int, int, _search.Trail, frozenset[int]]] = []
    counter = 0
    for node in graph.start_nodes.get(origin, ()):
        vec: Vector = (0.0, 0.0, 0.0)
        labels.setdefault(node, []).append(vec)
        heap.append((vec, counter, node, None, frozenset((numbers[node],))))
        counter += 1
    heapq.heapify(heap)
    front: list[tuple[Vector, _search.Trail]] = []
    created = popped = 0
    while heap:
        vec, _, state, trail, passed = heapq.heappop(heap)
        popped += 1
        if deadline is not None and not popped % _search.DEADLINE_CHECK_EVERY:
            _search.check_deadline(deadline)
        if vec not in labels.get(state, ()):
            continue  # removed after being queued: a better label arrived
        if any(_covers(f, vec) for f, _ in front):
            continue
        node = state if state < n else state - n
        if node in targets:
            front.append((vec, trail))
            continue
        for target, edge in graph.adj[node]:
            if edge in banned_edges:
                continue
            if index.is_transfer[edge]:
                if state >= n:
                    continue  # never two changes in a row at one place
                target += n
                now = passed
            else:
                if numbers[target] in passed:
                    continue  # never a place twice
                now = passed | {numbers[target]}
            new: Vector = (vec[0] + hours[edge], vec[1] + cost[edge], vec[2] + co2e[edge])
            existing = labels.setdefault(target, [])
            if any(_covers(old, new) for old in existing):
                continue
            if any(_covers(f, new) for f, _ in front):
                continue
            # ``new`` is not covered by any existing label, so covering one means dominating it.
            existing[:] = [old for old in existing if not _covers(new, old)]
            existing.append(new)
            counter += 1
            created += 1
            heapq.heappush(heap, (new, counter, target, (trail, edge), now))
        if created > MAX_LABELS:
            break
    result = [(vec, _search.trail_edges(trail)) for vec, trail in front]
    # A later label can dominate an earlier front entry only on ties of the sort key; filter once more.
    result = [r for r in result if not any(dominates(o[0], r[0]) for o in result)]
    result.sort(key=lambda item: item[0])
    return result


def pareto_routes(graph: CompiledGraph, request: RouteRequest, *, deadline: float | None = None) -> list[Route]:
    """The Pareto front for a request, capped at ``k`` routes and sorted by transit time.

    The routes best on time, on cost and on CO2e are kept first (in that order, as far as
    ``k`` allows); the rest of the cap is filled in order of transit time. Each route's ``best_on`` names what it is best on.
    """
    network = graph.network
    active = {c.name for c in constraints_of(network, request)}
    unsupported = active & {
        "via",
        "corridor",
        "max_border_crossings",
        "max_transshipments",
    }
    if unsupported:
        raise InvalidRequestError(
            "rank=pareto supports avoid_countries, avoid_places, avoid_links and modes; not "
            + ", ".join(sorted(unsupported)),
            field="rank",
        )
    banned = banned_edges(graph, request, active)
    factors = shipment_of(network, request).per_teu
    hours = edge_hours(graph, request.service, request.month)
    cost = edge_costs(graph, factors)
    paths = pareto_front_paths(graph, request.origin, request.destination, banned, hours=hours, cost=cost, deadline=deadline)
    if not paths:
        raise explain_no_route(graph, request, criterion_weights(graph, Rank.TIME, 0.0))
    routes = [price(graph, edges, request) for _, edges in paths]
    best = {
        "time": min(range(len(routes)), key=lambda i: (routes[i].transit_hours, routes[i].cost_usd)),
        "cost": min(range(len(routes)), key=lambda i: (routes[i].cost_usd, routes[i].transit_hours)),
        "co2e": min(range(len(routes)), key=lambda i: (routes[i].co2e_kg, routes[i].transit_hours)),
    }
    priority = list(dict.fromkeys([best["time"], best["cost"], best["co2e"], *range(len(routes))]))
    keep = sorted(priority[: request.k])
    out = []
    for rank, i in enumerate(keep, start=1):
        best_on = tuple(name for name, j in best.items() if j == i)
        out.append(replace(routes[i], rank=rank, best_on=best_on))
    if not out:
        raise NoRouteError("no route found")
    return out
