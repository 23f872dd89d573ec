"""Request mixes for the HTTP section: distinct, routable requests, far more than any cache holds.

Each list is deterministic (seeded) and every request in it is answered 200 by a healthy server
(pairs with a route; avoid lists that leave one), so any other status in a run is a refusal or a
failure, never a "no route".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlencode

import planner
from planner import _search
from planner._compile import compiled
from planner.request import Rank
from planner.weights import criterion_weights

K1_RANKS = ("time", "cost", "co2e")
"""Ranks the k=1 mix cycles through: three times the distinct requests of the pairs alone."""
AVOID_COUNTRIES = ("RU", "IR", "KZ", "TR", "CN", "UZ", "TM", "AZ", "GE", "BY", "PL")


@dataclass(frozen=True)
class Mixes:
    """The request lists (paths with query strings) of the HTTP section."""

    k1: list[str]
    """Every routable ordered pair x :data:`K1_RANKS`, k=1, shuffled."""
    mixed: list[str]
    """70 % k=1, 20 % k=3 with an avoid list, 10 % comparisons; all distinct, shuffled."""
    fixed: list[str]
    """100 fixed k=1 requests, cycled: after the first pass every answer is a cache hit."""
    pairs: int


def routable_pairs(network: planner.Network) -> list[tuple[str, str]]:
    """Every ordered pair of places with a route (unconstrained, by time)."""
    graph = compiled(network)
    weights = criterion_weights(graph, Rank.TIME, planner.DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR)
    ids = sorted(network.places)
    limits = _search.Limits()
    return [(a, b) for a in ids for b in ids if a != b and _search.best_path(graph, weights, [a, b], limits) is not None]


def route_path(origin: str, destination: str, **params: object) -> str:
    return "/v1/routes?" + urlencode({"from": origin, "to": destination, **params}, doseq=True)


def build(network: planner.Network, *, mixed_size: int, seed: int = 15) -> Mixes:
    rnd = random.Random(seed)
    pairs = routable_pairs(network)
    k1 = [route_path(a, b, k=1, rank=rank) for a, b in pairs for rank in K1_RANKS]
    rnd.shuffle(k1)
    mixed: list[str] = []
    seen: set[str] = set()
    while len(mixed) < mixed_size:
        a, b = rnd.choice(pairs)
        draw = rnd.random()
        rank = rnd.choice(K1_RANKS)
        if draw < 0.7:
            path = route_path(a, b, k=1, rank=rank)
        elif draw < 0.9:
            ends = {network.places[a].country, network.places[b].country}
            avoid = rnd.choice([c for c in AVOID_COUNTRIES if c not in ends])
            try:  # keep only avoid lists that leave a route
                planner.plan_routes(network, a, b, k=1, rank=rank, avoid_countries=[avoid])
            except planner.NoRouteError:
                continue
            path = route_path(a, b, k=3, rank=rank, avoid_country=avoid)
        else:
            path = "/v1/compare?" + urlencode({"from": a, "to": b, "rank": rank})
        if path not in seen:
            seen.add(path)
            mixed.append(path)
    fixed = [route_path(a, b, k=1) for a, b in pairs[:: max(1, len(pairs) // 100)][:100]]
    return Mixes(k1=k1, mixed=mixed, fixed=fixed, pairs=len(pairs))
