"""The one-to-many engine: k=1 requests grouped by origin and options, one tree each, priced together.

:func:`answer` grows one shortest-path tree per request (:mod:`planner._tree`) and prices the paths
to all its destinations with the trees of every other request of the same service level and month
(:mod:`planner._tree_pricing`). A destination the tree cannot answer exactly as :func:`planner.plan`
would is left to the per-request path (:attr:`Answers.rows` holds -1 for it): a request the tree does
not apply to (:func:`tree_applies`), a destination the request refuses or the tree does not reach
(the per-request path raises the error that says why), a path passing a place twice, a path whose
waits depend on a departure date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ._compile import compiled
from ._constraints import constraints_of, limits_for
from ._shipment import shipment_of
from ._tree import Tree, grow
from ._tree_pricing import Pricing, TreePrices, price_trees
from .model import ServiceLevel
from .network import Network
from .request import Rank, RouteRequest
from .route import CorridorShare
from .weights import criterion_weights

__all__ = ["Answers", "answer", "corridor_shares", "refused", "tree_applies"]


def tree_applies(request: RouteRequest) -> bool:
    """Whether one tree per origin finds this request's route: one route, one criterion, no via, corridor or counters."""
    return (
        request.k == 1
        and request.rank not in (Rank.RELIABLE, Rank.PARETO)
        and not request.via
        and request.corridor is None
        and request.max_border_crossings is None
        and request.max_transshipments is None
    )


def refused(network: Network, request: RouteRequest, destination: str) -> bool:
    """Whether :func:`planner.resolve_request` refuses ``destination`` for this origin and these options."""
    place = network.places.get(destination)
    return (
        place is None
        or destination == request.origin
        or destination in request.avoid_places
        or destination in request.via
        or place.country in request.avoid_countries
    )


@dataclass(frozen=True, slots=True)
class Answers:
    """One request's answers: its trees' prices and, per destination, its row in them (-1: not answered)."""

    request: RouteRequest
    prices: TreePrices | None
    rows: list[int]
    teu_value: float
    """The shipment's TEU-equivalent (for the generalized cost)."""


def answer(
    network: Network, requests: Sequence[tuple[RouteRequest, Sequence[str]]], *, qs: Sequence[float] = (50.0, 90.0)
) -> list[Answers]:
    """Answer each (request, destinations) pair from the request's tree where the tree answers as :func:`planner.plan`.

    Requests should be k=1 (others are not answered); ``request.destination`` is ignored. ``qs`` are
    the percentiles of the transit time wanted.
    """
    graph = compiled(network)
    out: list[Answers] = []
    forests: dict[tuple[ServiceLevel, int | None], list[tuple[Tree, int, list[int], Pricing]]] = {}
    for request, destinations in requests:
        rows = [-1] * len(destinations)
        if not tree_applies(request):
            out.append(Answers(request, None, rows, 0.0))
            continue
        shipment = shipment_of(network, request)
        weights = criterion_weights(
            graph,
            request.rank,
            request.value_of_time_usd_per_teu_hour,
            service=request.service,
            month=request.month,
            cost_factors=shipment.per_teu,
        )
        active = {c.name for c in constraints_of(network, request)}
        tree = grow(graph, weights, request.origin, limits_for(graph, request, active).banned_edges)
        ends: dict[int, int] = {}
        for i, destination in enumerate(destinations):
            if refused(network, request, destination):
                continue
            end = tree.end(destination)
            if end is not None:
                rows[i] = ends.setdefault(end, len(ends))
        out.append(Answers(request, None, rows, shipment.teu_equivalent))
        if ends:
            pricing = Pricing(shipment.factors, request.tonnes)
            forests.setdefault((request.service, request.month), []).append((tree, len(out) - 1, list(ends), pricing))
    for (service, month), items in forests.items():
        priced = price_trees(
            [tree for tree, _, _, _ in items],
            [ends for _, _, ends, _ in items],
            [pricing for _, _, _, pricing in items],
            service=service,
            month=month,
            qs=qs,
        )
        for (_, i, _, _), prices in zip(items, priced, strict=True):
            answers = out[i]
            dated = answers.request.departure_date is not None
            keep = [not (loop or (dated and timed)) for loop, timed in zip(prices.loops, prices.timed.tolist(), strict=True)]
            rows = [r if r >= 0 and keep[r] else -1 for r in answers.rows]
            out[i] = replace(answers, prices=prices, rows=rows)
    return out


def corridor_shares(network: Network, prices: TreePrices) -> list[tuple[CorridorShare, ...]]:
    """Each path's corridors with their share of its distance (rounded to 4 places), largest first, then by id."""
    km = prices.corridor_km
    distance = prices.distance_km
    ids = prices.corridors
    by_id = np.argsort(np.argsort(np.array(ids, dtype=object)))  # each corridor's place in id order
    rows, columns = np.nonzero((km > 0) & (distance > 0)[:, None])
    shares = [round(f, 4) for f in (km[rows, columns] / distance[rows]).tolist()]
    order = np.lexsort((by_id[columns], -np.array(shares, dtype=np.float64), rows)).tolist()
    out: list[list[CorridorShare]] = [[] for _ in range(len(distance))]
    made: dict[tuple[int, float], CorridorShare] = {}
    row_list, column_list = rows.tolist(), columns.tolist()
    for i in order:
        c, share = column_list[i], shares[i]
        item = made.get((c, share))
        if item is None:
            item = made[(c, share)] = CorridorShare(ids[c], network.corridors[ids[c]].name, share)
        out[row_list[i]].append(item)
    return [tuple(s) for s in out]
