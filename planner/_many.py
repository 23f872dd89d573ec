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
from dataclasses import dataclass, field, replace

import numpy as np

from . import _search
from ._compile import compiled
from ._constraints import constraints_of, limits_for
from ._shipment import shipment_of
from ._tree import Tree, grow
from ._tree_pricing import Pricing, TreePrices, join, price_trees
from .cache import CacheSlot
from .errors import PlannerError
from .model import ServiceLevel
from .network import Network
from .request import Rank, RouteRequest, check_places
from .route import CorridorShare
from .weights import criterion_weights

__all__ = ["UNREACHED", "Answers", "answer", "corridor_shares", "refused", "rounded", "tree_applies"]


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
    """Whether :func:`planner.resolve_request` refuses this origin and ``destination`` with these options."""
    if destination not in network.places:
        return True
    if not (request.via or request.avoid_places or request.avoid_countries):
        return destination == request.origin
    try:
        check_places(network, request, request.origin, destination)
    except PlannerError:
        return True
    return False


UNREACHED = -2
"""A destination's row when no path reaches it and the request has no constraint: its error is
:func:`planner._constraints.unreachable`'s, as the per-request search's."""


@dataclass(frozen=True, slots=True)
class Answers:
    """One request's answers: its tree's prices and, per destination, its row in them (-1: not answered,
    :data:`UNREACHED`: no path)."""

    request: RouteRequest
    prices: TreePrices | None
    rows: list[int]
    teu_value: float
    """The shipment's TEU-equivalent (for the generalized cost)."""
    shares: Sequence[tuple[CorridorShare, ...]] = ()
    """Per row of ``prices``: the path's corridors (see :func:`corridor_shares`); shared by the tree's requests."""
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Per row, once made: the corridors joined by ``;`` and the places by `` > `` (shared by the tree's requests)."""


def answer(
    network: Network,
    requests: Sequence[tuple[RouteRequest, Sequence[str]]],
    *,
    qs: Sequence[float] = (50.0, 90.0),
    deadline: float | None = None,
) -> list[Answers]:
    """Answer each (request, destinations) pair from its tree where the tree answers as :func:`planner.plan` would.

    Requests should be k=1 (others are not answered); ``request.destination`` is ignored. Requests
    that search the same tree (same origin, weights and banned edges; the shipment may differ) share
    it. ``qs`` are the percentiles of the transit time wanted. Past ``deadline`` (a ``time.monotonic()``
    instant, checked between trees) it raises :class:`~planner.errors.DeadlineExceededError`.
    """
    graph = compiled(network)
    out: list[Answers] = []
    trees: dict[tuple[object, ...], _Shared] = {}
    for request, destinations in requests:
        if not tree_applies(request):
            out.append(Answers(request, None, [-1] * len(destinations), 0.0))
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
        banned = limits_for(graph, request, active).banned_edges
        # The weights are one list per criterion, level, month and factors (network-cached): same list, same tree.
        key = (request.origin, request.service, request.month, id(weights), banned)
        shared = trees.get(key)
        if shared is None:
            _search.check_deadline(deadline)
            tree = grow(graph, weights, request.origin, banned)
            shared = trees[key] = _Shared(tree, request.origin, weights, banned, request.service, request.month)
        pricing = Pricing(shipment.factors, request.tonnes)
        shipments = shared.pricings.setdefault(pricing, len(shared.pricings))
        rows = [-1] * len(destinations)
        if shared.tree.unsure and not shared.tree.unsure.isdisjoint(destinations):
            # A tie may decide a path asked for: the Python search's own tree (the same where none does).
            shared.tree = grow(graph, weights, request.origin, banned, checked=False)
            shared.ends_of.clear()
        ends_of = shared.ends_of
        for i, destination in enumerate(destinations):
            if refused(network, request, destination):
                continue
            if destination in ends_of:
                end = ends_of[destination]
            else:
                end = ends_of[destination] = shared.tree.end(destination)
            if end is not None:
                rows[i] = shared.ends.setdefault(end, len(shared.ends))
            elif not active:
                rows[i] = UNREACHED
        shared.answers.append((len(out), shipments))
        out.append(Answers(request, None, rows, shipment.teu_equivalent))
    shared_trees = [s for s in trees.values() if s.ends]
    _search.check_deadline(deadline)
    _price(shared_trees, qs)
    # Where the tree's path passes a place twice the search looks again with the links back into the
    # origin closed, and keeps that path if it passes every place once: so does the closed tree.
    second = []
    for shared in shared_trees:
        prices = shared.prices[0]
        looping = [end for end, row in shared.ends.items() if prices.loops[row]]
        if looping:
            _search.check_deadline(deadline)
            banned = shared.banned | _search.returns_to(graph, shared.origin)
            places = {graph.node_place[end % shared.tree.n] for end in looping}
            tree = grow(graph, shared.weights, shared.origin, banned)
            if tree.unsure and not tree.unsure.isdisjoint(places):
                tree = grow(graph, shared.weights, shared.origin, banned, checked=False)
            closed = _Shared(tree, shared.origin, shared.weights, banned, shared.service, shared.month)
            closed.pricings = shared.pricings
            for end in looping:
                other = closed.tree.end(graph.node_place[end % shared.tree.n])
                if other is not None:
                    shared.moved[shared.ends[end]] = closed.ends.setdefault(other, len(closed.ends))
            if closed.ends:
                shared.second = closed
                second.append(closed)
    _search.check_deadline(deadline)
    _price(second, qs)
    for shared in shared_trees:
        for i, shipment_index in shared.answers:
            answers = out[i]
            prices = shared.prices[shipment_index]
            shares = shared.shares(network)
            if shared.second is not None:
                more = shared.second.prices[shipment_index]
                offset = len(shared.ends)
                prices = join(prices, more)
                shares = [*shares, *shared.second.shares(network)]
                moved = {row: offset + r for row, r in shared.moved.items()}
            else:
                moved = {}
            dated = answers.request.departure_date is not None
            timed = prices.timed.tolist()
            rows = []
            for r in answers.rows:
                r = moved.get(r, r)
                rows.append(r if r == UNREACHED or (r >= 0 and not prices.loops[r] and not (dated and timed[r])) else -1)
            out[i] = replace(answers, prices=prices, rows=rows, shares=shares, texts=shared.texts)
    return out


def _price(items: list[_Shared], qs: Sequence[float]) -> None:
    forests: dict[tuple[ServiceLevel, int | None], list[_Shared]] = {}
    for shared in items:
        forests.setdefault((shared.service, shared.month), []).append(shared)
    for (service, month), group in forests.items():
        priced = price_trees(
            [s.tree for s in group], [list(s.ends) for s in group], [list(s.pricings) for s in group], service=service, month=month, qs=qs
        )
        for shared, by_shipment in zip(group, priced, strict=True):
            shared.prices = by_shipment


@dataclass(slots=True)
class _Shared:
    """A tree several requests share: its ends (state -> row), its shipments (-> index), its requests."""

    tree: Tree
    origin: str
    weights: Sequence[float]
    banned: frozenset[int]
    service: ServiceLevel
    month: int | None
    ends: dict[int, int] = field(default_factory=dict)
    ends_of: dict[str, int | None] = field(default_factory=dict)
    """Destination place -> its end state (None: not reached)."""
    pricings: dict[Pricing, int] = field(default_factory=dict)
    answers: list[tuple[int, int]] = field(default_factory=list)
    """(position in the output, shipment index) of each request answered from the tree."""
    prices: list[TreePrices] = field(default_factory=list)
    """One per shipment, once priced."""
    second: _Shared | None = None
    """The tree with the links back into the origin closed, for the ends whose path here passes a place twice."""
    moved: dict[int, int] = field(default_factory=dict)
    """Row here -> row in ``second``."""
    _shares: list[tuple[CorridorShare, ...]] | None = None
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)

    def shares(self, network: Network) -> list[tuple[CorridorShare, ...]]:
        if self._shares is None:
            self._shares = corridor_shares(network, self.prices[0])
        return self._shares


def rounded(values: np.ndarray, digits: int) -> list[float]:
    """``[round(x, digits) for x in values]``, the same floats, with arrays where that is safe.

    Python rounds the exact value of each float; ``rint(x * 10**digits) / 10**digits`` gives the
    same float unless the scaled value lies within float error of a half (or is too large to
    hold fractions), where Python's own ``round`` is used.
    """
    scale = 10.0**digits
    scaled = values * scale
    out = np.rint(scaled) / scale
    risky = np.flatnonzero((np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | ~(np.abs(scaled) < 2.0**50))
    if risky.size:
        out[risky] = [round(float(values[i]), digits) for i in risky.tolist()]
    result: list[float] = out.tolist()
    return result


def corridor_shares(network: Network, prices: TreePrices) -> list[tuple[CorridorShare, ...]]:
    """Each path's corridors with their share of its distance (rounded to 4 places), largest first, then by id."""
    km = prices.corridor_km
    distance = prices.distance_km
    ids = prices.corridors
    by_id = np.argsort(np.argsort(np.array(ids, dtype=object)))  # each corridor's place in id order
    rows, columns = np.nonzero((km > 0) & (distance > 0)[:, None])
    shares = rounded(km[rows, columns] / distance[rows], 4)
    order = np.lexsort((by_id[columns], -np.array(shares, dtype=np.float64), rows))
    made = network.caches.get(_SHARES, ids, dict)
    out: list[list[CorridorShare]] = [[] for _ in range(len(distance))]
    for row, c, share in zip(rows[order].tolist(), columns[order].tolist(), [shares[i] for i in order.tolist()], strict=True):
        item = made.get((c, share))
        if item is None:
            item = made[(c, share)] = CorridorShare(ids[c], network.corridors[ids[c]].name, share)
        out[row].append(item)
    return [tuple(s) for s in out]


# The CorridorShare values made so far, by (corridor, share): at most corridors x 10,001 small objects.
_SHARES = CacheSlot[tuple[str, ...], dict[tuple[int, float], CorridorShare]]("corridor shares", max_entries=2)
