"""Turning a path of compiled edges into a priced :class:`~planner.route.Route`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from ._compile import LINK, CompiledGraph, EventTemplate, Part
from .cache import LRU, MiB
from .corridors import corridor_links
from .network import Network
from .route import BorderCrossing, CorridorShare, Event, Leg, Route

MONTE_CARLO_SAMPLES = 2048
MONTE_CARLO_SEED = 20261128


# The draws depend on the part alone (its name and figures), not on a network: a baseline and its
# scenario networks share them. Bounded like every cache (the bundled network has ~330 random parts).
_DRAWS = LRU[tuple[str, Part], np.ndarray](4096, max_bytes=64 * MiB, sizeof=lambda a: a.nbytes + 112, name="draws")


def _draws(key: str, part: Part) -> np.ndarray:
    """MONTE_CARLO_SAMPLES draws (hours) of one triangular part, seeded by the part's stable name.

    Latin-hypercube: one draw in each of N equal-probability strata, in a random order. The same
    name always gives the same uniforms, so a part that two routes (or a baseline and a scenario)
    share contributes the same draws to both.
    """
    return _DRAWS.get_or_build((key, part), lambda: _draw(key, part))


def _draw(key: str, part: Part) -> np.ndarray:
    low, mode, high = part
    seed = int.from_bytes(hashlib.blake2b(f"{MONTE_CARLO_SEED}:{key}".encode(), digest_size=8).digest(), "little")
    rng = np.random.default_rng(seed)
    n = MONTE_CARLO_SAMPLES
    u = (rng.permutation(n) + rng.random(n)) / n
    # Inverse CDF of the triangular distribution.
    fc = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    draws = np.where(u < fc, left, right)
    draws.setflags(write=False)
    return draws


def percentiles(
    parts: Sequence[Part], qs: Sequence[float] = (50.0, 90.0), *, keys: Sequence[str] | None = None
) -> list[float]:
    """Percentiles (hours) of a sum of independent triangular(min, typical, max) parts.

    Monte Carlo with MONTE_CARLO_SAMPLES Latin-hypercube draws per part, each part seeded by its
    key (its position when no keys are given), so the same parts always give the same answer.
    Parts with min == max are constants.
    """
    names = keys if keys is not None else [f"#{i}" for i in range(len(parts))]
    constant = 0.0
    total: np.ndarray | None = None
    for key, part in zip(names, parts, strict=True):
        if part[2] - part[0] <= 1e-12:
            constant += part[1]
            continue
        draws = _draws(key, part)
        total = draws.copy() if total is None else np.add(total, draws, out=total)
    if total is None:
        return [constant for _ in qs]
    return [value + constant for value in _quantiles(total, qs)]


def _quantiles(samples: np.ndarray, qs: Sequence[float]) -> list[float]:
    """Percentiles by linear interpolation between order statistics (numpy's default method), by one partition."""
    n = samples.size
    positions = [(n - 1) * q / 100.0 for q in qs]
    lows = [min(int(pos), n - 1) for pos in positions]
    kth = sorted({k for low in lows for k in (low, min(low + 1, n - 1))})
    ordered = np.partition(samples, kth)
    out = []
    for pos, low in zip(positions, lows, strict=True):
        a = float(ordered[low])
        b = float(ordered[min(low + 1, n - 1)])
        out.append(a + (pos - low) * (b - a))
    return out


def edge_samples(graph: CompiledGraph) -> np.ndarray:
    """The Monte Carlo draws of every compiled edge (rows): the sum of its parts' draws, constants included.

    A path's draws are the sum of its edges' rows, the same samples :func:`percentiles` draws for it
    (summed in another order: equal to within rounding). Shape (edges, MONTE_CARLO_SAMPLES), float64.
    """
    out = np.zeros((len(graph.parts), MONTE_CARLO_SAMPLES))
    for edge, (parts, keys) in enumerate(zip(graph.parts, graph.part_keys, strict=True)):
        for key, part in zip(keys, parts, strict=True):
            if part[2] - part[0] <= 1e-12:
                out[edge] += part[1]
            else:
                out[edge] += _draws(key, part)
    return out


def row_percentiles(samples: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` percentile of each row of ``samples``, interpolated as :func:`percentiles` does.

    Reorders each row of ``samples`` in place (a partition: no copy of a large array).
    """
    n = samples.shape[1]
    pos = (n - 1) * q / 100.0
    low = min(int(pos), n - 1)
    high = min(low + 1, n - 1)
    samples.partition(sorted({low, high}), axis=1)
    a, b = samples[:, low], samples[:, high]
    result: np.ndarray = a + (pos - low) * (b - a)
    return result


def _render(template: EventTemplate, network: Network, teu: float) -> Event:
    low, typical, high = template.hours
    return Event(
        kind=template.kind,
        place=template.place,
        place_name=network.places[template.place].name,
        hours=typical,
        hours_min=low,
        hours_max=high,
        cost_usd=template.cost_usd_per_teu * teu,
        description=template.description,
        from_mode=template.from_mode,
        to_mode=template.to_mode,
        from_country=template.from_country,
        to_country=template.to_country,
        from_gauge_mm=template.from_gauge_mm,
        to_gauge_mm=template.to_gauge_mm,
        departures_per_week=template.departures_per_week,
    )


def corridor_shares(network: Network, km_by_link: Mapping[str, float]) -> list[CorridorShare]:
    """The corridors a route of these kilometres per link runs on, with their share of its distance, largest first.

    Shares are rounded to 4 decimals; ties go to the corridor id first in alphabetical order, so
    the first is the route's *main corridor*.
    """
    distance = sum(km_by_link.values())
    shares = []
    if distance > 0:
        for corridor_id, ids in corridor_links(network).items():
            if ids.isdisjoint(km_by_link):
                continue
            on = sum(km for link, km in km_by_link.items() if link in ids)
            if on > 0:
                corridor = network.corridors[corridor_id]
                shares.append(CorridorShare(corridor.id, corridor.name, round(on / distance, 4)))
    shares.sort(key=lambda c: (-c.share, c.id))
    return shares


def price(
    graph: CompiledGraph,
    edges: Sequence[int],
    *,
    teu: float,
    tonnes: float,
    value_of_time: float,
    rank: int = 1,
) -> Route:
    """Price a path: totals, legs with events, countries, corridors, P50/P90."""
    network = graph.network
    legs: list[Leg] = []
    pending: list[int] = []
    parts: list[Part] = []
    keys: list[str] = []
    for edge in edges:
        parts.extend(graph.parts[edge])
        keys.extend(graph.part_keys[edge])
        if graph.edge_kind[edge] != LINK:
            pending.append(edge)
            continue
        link_id = graph.edge_link[edge]
        assert link_id is not None
        link = network.links[link_id]
        src = graph.node_place[graph.edge_src[edge]]
        dst = graph.node_place[graph.edge_dst[edge]]
        if pending:
            group = [*pending, edge]
            pending = []
            hours = sum(graph.hours[e] for e in group)
            hours_min = sum(graph.hours_min[e] for e in group)
            hours_max = sum(graph.hours_max[e] for e in group)
            cost_teu = sum(graph.cost_teu[e] for e in group)
        else:
            group = [edge]
            hours, hours_min, hours_max = graph.hours[edge], graph.hours_min[edge], graph.hours_max[edge]
            cost_teu = graph.cost_teu[edge]
        events = tuple(_render(t, network, teu) for e in group for t in graph.events[e])
        legs.append(
            Leg(
                origin=src,
                origin_name=network.places[src].name,
                destination=dst,
                destination_name=network.places[dst].name,
                link=link_id,
                mode=link.mode,
                gauge_mm=link.gauge_mm,
                distance_km=graph.distance[edge],
                hours=hours,
                hours_min=hours_min,
                hours_max=hours_max,
                cost_usd=cost_teu * teu,
                co2e_kg=graph.co2e_t[edge] * tonnes,
                events=events,
            )
        )
    if pending and legs:
        # A change at the very end (rare: only when it costs nothing) belongs to the last leg.
        last = legs[-1]
        extra = tuple(_render(t, network, teu) for e in pending for t in graph.events[e])
        legs[-1] = Leg(
            last.origin,
            last.origin_name,
            last.destination,
            last.destination_name,
            last.link,
            last.mode,
            last.distance_km,
            last.hours + sum(graph.hours[e] for e in pending),
            last.hours_min + sum(graph.hours_min[e] for e in pending),
            last.hours_max + sum(graph.hours_max[e] for e in pending),
            last.cost_usd + sum(graph.cost_teu[e] for e in pending) * teu,
            last.co2e_kg,
            last.gauge_mm,
            last.events + extra,
        )
    hours = sum(leg.hours for leg in legs)
    cost = sum(leg.cost_usd for leg in legs)
    distance = sum(leg.distance_km for leg in legs)
    places = [legs[0].origin] if legs else []
    for leg in legs:
        places.append(leg.destination)
    countries: list[str] = [network.places[places[0]].country] if places else []
    borders: list[BorderCrossing] = []
    succ = network.graph._succ
    for leg in legs:
        passed = succ[leg.origin][leg.destination][leg.link]["countries"]
        if any(x != y for x, y in zip(passed, passed[1:], strict=False)):
            borders.append(BorderCrossing(leg.link, leg.origin, leg.destination, passed))
        for country in passed[1:]:
            if countries[-1] != country:
                countries.append(country)
    used: dict[str, float] = {}
    for leg in legs:
        used[leg.link] = used.get(leg.link, 0.0) + leg.distance_km
    shares = corridor_shares(network, used)
    p50, p90 = percentiles(parts, keys=keys)
    return Route(
        rank=rank,
        transit_hours=hours,
        transit_hours_min=sum(leg.hours_min for leg in legs),
        transit_hours_max=sum(leg.hours_max for leg in legs),
        transit_hours_p50=p50,
        transit_hours_p90=p90,
        cost_usd=cost,
        co2e_kg=sum(leg.co2e_kg for leg in legs),
        generalized_cost_usd=cost + value_of_time * teu * hours,
        distance_km=distance,
        border_crossings=sum(graph.border[e] for e in edges),
        transshipments=sum(graph.transship[e] for e in edges),
        countries=tuple(countries),
        corridors=tuple(shares),
        places=tuple(places),
        legs=tuple(legs),
        borders=tuple(borders),
    )


__all__ = ["corridor_shares", "edge_samples", "percentiles", "price", "row_percentiles"]
