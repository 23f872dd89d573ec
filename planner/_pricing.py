"""Turning a path of compiled edges into a priced :class:`~planner.route.Route`."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ._compile import LINK, CompiledGraph, EventTemplate, Part
from .model import Mode, Network
from .route import CorridorShare, Event, Leg, Route

MONTE_CARLO_SAMPLES = 2048
UNIFORM_COLUMNS = 256
MONTE_CARLO_SEED = 20261128


def corridor_links(network: Network, *, main_line_only: bool = False) -> dict[str, frozenset[str]]:
    """Link ids on each corridor: every link joining two consecutive places of one of its lines.

    With ``main_line_only`` the branches are left out.
    """

    def build() -> dict[str, frozenset[str]]:
        by_pair: dict[frozenset[str], list[str]] = {}
        for link in network.links.values():
            by_pair.setdefault(frozenset(link.ends), []).append(link.id)
        out: dict[str, frozenset[str]] = {}
        for corridor in network.corridors.values():
            ids: set[str] = set()
            for line in (corridor.places,) if main_line_only else corridor.lines:
                for a, b in zip(line, line[1:], strict=False):
                    ids.update(by_pair.get(frozenset((a, b)), ()))
            out[corridor.id] = frozenset(ids)
        return out

    value = network.cached(f"corridor_links:{main_line_only}", build)
    assert isinstance(value, dict)
    return value


def _uniforms(columns: int) -> np.ndarray:
    """Latin-hypercube uniforms (MONTE_CARLO_SAMPLES x columns), the same for every call and process."""
    rng = np.random.default_rng(MONTE_CARLO_SEED)
    n = MONTE_CARLO_SAMPLES
    strata = np.stack([rng.permutation(n) for _ in range(columns)], axis=1)
    u = (strata + rng.random((n, columns))) / n
    u.setflags(write=False)
    return u


@lru_cache(maxsize=1)
def _uniform_table() -> np.ndarray:
    return _uniforms(UNIFORM_COLUMNS)


@lru_cache(maxsize=16384)
def _percentiles(parts: tuple[Part, ...], qs: tuple[float, ...]) -> tuple[float, ...]:
    constant = sum(part[1] for part in parts if part[2] - part[0] <= 1e-12)
    varying = sorted(part for part in parts if part[2] - part[0] > 1e-12)
    if not varying:
        return tuple(constant for _ in qs)
    low, mode, high = (np.asarray(column) for column in zip(*varying, strict=True))
    u = _uniform_table()[:, : low.size] if low.size <= UNIFORM_COLUMNS else _uniforms(low.size)
    # Inverse CDF of the triangular distribution, one column per part.
    fc = (mode - low) / (high - low)
    left = low + np.sqrt(u * (high - low) * (mode - low))
    right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
    samples = np.where(u < fc, left, right).sum(axis=1) + constant
    return tuple(float(v) for v in np.percentile(samples, list(qs)))


def percentiles(parts: Sequence[Part], qs: Sequence[float] = (50.0, 90.0)) -> list[float]:
    """Percentiles (hours) of a sum of independent triangular(min, typical, max) parts.

    Monte Carlo over Latin-hypercube samples with a fixed seed, so the same parts (in any
    order) always give the same answer; results are cached per set of parts. Parts with
    min == max are constants.
    """
    return list(_percentiles(tuple(parts), tuple(qs)))


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
    for edge in edges:
        parts.extend(graph.parts[edge])
        if graph.edge_kind[edge] != LINK:
            pending.append(edge)
            continue
        link_id = graph.edge_link[edge]
        assert link_id is not None
        link = network.links[link_id]
        src = graph.node_place[graph.edge_src[edge]]
        dst = graph.node_place[graph.edge_dst[edge]]
        group = [*pending, edge]
        pending = []
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
                hours=sum(graph.hours[e] for e in group),
                hours_min=sum(graph.hours_min[e] for e in group),
                hours_max=sum(graph.hours_max[e] for e in group),
                cost_usd=sum(graph.cost_teu[e] for e in group) * teu,
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
    countries: list[str] = []
    for place in places:
        country = network.places[place].country
        if not countries or countries[-1] != country:
            countries.append(country)
    shares = []
    if distance > 0:
        used: dict[str, float] = {}
        for leg in legs:
            used[leg.link] = used.get(leg.link, 0.0) + leg.distance_km
        for corridor_id, ids in corridor_links(network).items():
            on = sum(km for link, km in used.items() if link in ids)
            if on > 0:
                corridor = network.corridors[corridor_id]
                shares.append(CorridorShare(corridor.id, corridor.name, round(on / distance, 4)))
    shares.sort(key=lambda c: (-c.share, c.id))
    p50, p90 = percentiles(parts)
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
    )


__all__ = ["Mode", "corridor_links", "percentiles", "price"]
