"""Turning a path of compiled edges into a priced :class:`~planner.route.Route`."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ._compile import LINK, CompiledGraph, EventTemplate, Part, Timed
from ._shipment import Shipment, shipment_of
from .cache import LRU, MiB
from .corridors import corridor_links
from .model import ServiceLevel
from .network import Network
from .request import RouteRequest
from .route import ArrivalDates, BorderCrossing, CorridorShare, Event, EventKind, Leg, Route

MONTE_CARLO_SAMPLES = 2048
MONTE_CARLO_SEED = 20261128


# The draws depend on the part alone (its name and figures), not on a network: a baseline and its
# scenario networks share them. Bounded like every cache (the bundled network has ~330 random parts).
_DRAWS = LRU[tuple[str, Part], np.ndarray](4096, max_bytes=64 * MiB, sizeof=lambda a: a.nbytes + 112, name="draws")


def part_draws(key: str, part: Part) -> np.ndarray:
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
        draws = part_draws(key, part)
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


def quantile_rows(samples: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """:func:`_quantiles` of every row of ``samples`` (rows x draws) at once: the same values, bit for bit.

    Each percentile interpolates between two order statistics: a partition finds the lower one and
    the least value above it is the upper one. Highest percentile first, each next partition only
    over the values below the last one found. ``samples`` is reordered in place.
    """
    n = samples.shape[1]
    stats: dict[int, np.ndarray] = {}  # k -> each row's k-th smallest value (from 0)
    limit = n  # every value before ``limit`` is <= every value from it on
    for q in sorted(set(qs), reverse=True):
        low = min(int((n - 1) * q / 100.0), n - 1)
        high = min(low + 1, n - 1)
        if low not in stats:
            block = samples[:, :limit]
            block.partition(low, axis=1)
            stats[low] = block[:, low].copy()
            if high not in stats:
                stats[high] = block[:, high:limit].min(axis=1) if high < limit else stats[limit]
            limit = low
    out = []
    for q in qs:
        pos = (n - 1) * q / 100.0
        low = min(int(pos), n - 1)
        a, b = stats[low], stats[min(low + 1, n - 1)]
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
                out[edge] += part_draws(key, part)
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


def _render(template: EventTemplate, network: Network, shipment: Shipment, hours: Part | None = None) -> Event:
    low, typical, high = template.hours if hours is None else hours
    return Event(
        kind=template.kind,
        place=template.place,
        place_name=network.places[template.place].name,
        hours=typical,
        hours_min=low,
        hours_max=high,
        cost_usd=template.cost_usd_per_teu * shipment.factor(template.cost_mode),
        description=template.description,
        from_mode=template.from_mode,
        to_mode=template.to_mode,
        from_country=template.from_country,
        to_country=template.to_country,
        from_gauge_mm=template.from_gauge_mm,
        to_gauge_mm=template.to_gauge_mm,
        departures_per_week=template.departures_per_week,
        direction=template.direction,
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


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True, slots=True)
class EdgeTime:
    """One edge of a path at the request's service level and month: parts, their names and events."""

    parts: tuple[Part, ...]
    keys: tuple[str, ...]
    events: tuple[EventTemplate, ...]
    timed: tuple[Timed, ...]


def edge_time(graph: CompiledGraph, edge: int, service: ServiceLevel, month: int | None) -> EdgeTime:
    """An edge's time parts (with their names and events) at a service level, with ``month``'s seasonal wait."""
    level = graph.levels[service]
    parts, keys, events = level.parts[edge], level.part_keys[edge], level.events[edge]
    season_id = graph.edge_season.get(edge)
    if month is not None and season_id is not None:
        season = graph.network.seasons[season_id]
        extra = season.at(month)
        if extra is not None:
            part: Part = (extra.min, extra.typical, extra.max)
            src = graph.node_place[graph.edge_src[edge]]
            dst = graph.node_place[graph.edge_dst[edge]]
            name = graph.network.places[src].name
            event = EventTemplate(
                EventKind.SEASON, src, part, 0.0, f"{season.description} at {name} ({_MONTH_NAMES[month - 1]})"
            )
            parts = (*parts, part)
            keys = (*keys, f"{graph.edge_link[edge]}:{src}>{dst}:season")
            events = (*events, event)
    return EdgeTime(parts, keys, events, level.timed.get(edge, ()))


class _Timeline:
    """A path's parts in travel order, evaluated from a departure date: waits for services with
    published weekdays follow from the arrival time, so they depend on everything before them."""

    def __init__(self, departure: dt.date, times: Sequence[EdgeTime]) -> None:
        self.start_hour = departure.weekday() * 24.0  # hours into the week (Monday 00:00 = 0) at departure
        self.times = times

    @staticmethod
    def _wait(position: np.ndarray, weekdays: tuple[int, ...]) -> np.ndarray:
        waits = [np.mod(day * 24.0 - position, 168.0) for day in weekdays]
        return np.minimum.reduce(waits) if len(waits) > 1 else waits[0]

    def run(self) -> tuple[list[list[Part]], list[float], np.ndarray]:
        """Per edge, each part's (min, typical, max) as evaluated; the typical-pass time after each edge; the draws' totals."""
        n = MONTE_CARLO_SAMPLES
        passes = np.zeros(3)  # all-min, typical, all-max
        total = np.zeros(n)
        evaluated: list[list[Part]] = []
        after: list[float] = []
        for time in self.times:
            timed = {t.part: t.weekdays for t in time.timed}
            rows: list[Part] = []
            for index, (part, key) in enumerate(zip(time.parts, time.keys, strict=True)):
                if index in timed:
                    days = timed[index]
                    fixed = self._wait(np.mod(self.start_hour + passes, 168.0), days)
                    drawn = self._wait(np.mod(self.start_hour + total, 168.0), days)
                    low = float(min(fixed.min(), drawn.min()))
                    high = float(max(fixed.max(), drawn.max()))
                    rows.append((low, float(fixed[1]), high))
                    passes = passes + fixed
                    total = total + drawn
                    continue
                rows.append(part)
                passes = passes + np.asarray(part)
                total = total + (part[1] if part[2] - part[0] <= 1e-12 else part_draws(key, part))
            evaluated.append(rows)
            after.append(float(passes[1]))
        return evaluated, after, total


def price(graph: CompiledGraph, edges: Sequence[int], request: RouteRequest, *, rank: int = 1) -> Route:
    """Price a path for a request: totals, legs with events, countries, corridors, P50/P90 (and arrival dates).

    Times are those of the request's service level and month. Without a departure date every part is
    an independent triangular draw; with one, waits for services with published weekdays follow
    from the time the shipment reaches them.
    """
    network = graph.network
    shipment = shipment_of(network, request)
    times = [edge_time(graph, e, request.service, request.month) for e in edges]
    timeline = _Timeline(request.departure_date, times) if request.departure_date is not None else None
    dated = timeline is not None and any(t.timed for t in times)
    if dated and timeline is not None:
        evaluated, _, total = timeline.run()
    else:
        evaluated = [list(t.parts) for t in times]
        total = None
    legs: list[Leg] = []
    pending: list[int] = []
    parts: list[Part] = []
    keys: list[str] = []

    def figures(group: list[int]) -> tuple[float, float, float, tuple[Event, ...]]:
        low = typical = high = 0.0
        out: list[Event] = []
        for i in group:
            rows = evaluated[i]
            for a, b, c in rows:
                low += a
                typical += b
                high += c
            time = times[i]
            # An event's hours are those of its part; the running part has no event.
            by_key = dict(zip(time.keys, rows, strict=True))
            for template, key in zip(time.events, _event_keys(time), strict=True):
                out.append(_render(template, network, shipment, by_key.get(key)))
        return low, typical, high, tuple(out)

    for i, edge in enumerate(edges):
        parts.extend(times[i].parts)
        keys.extend(times[i].keys)
        if graph.edge_kind[edge] != LINK:
            pending.append(i)
            continue
        link_id = graph.edge_link[edge]
        assert link_id is not None
        link = network.links[link_id]
        src = graph.node_place[graph.edge_src[edge]]
        dst = graph.node_place[graph.edge_dst[edge]]
        group = [*pending, i]
        pending = []
        low, typical, high, events = figures(group)
        cost = sum(graph.cost_teu[edges[j]] * shipment.factor(graph.node_mode[graph.edge_dst[edges[j]]]) for j in group)
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
                hours=typical,
                hours_min=low,
                hours_max=high,
                cost_usd=cost,
                co2e_kg=graph.co2e_t[edge] * request.tonnes,
                events=events,
            )
        )
    if pending and legs:
        # A change at the very end (rare: only when it costs nothing) belongs to the last leg.
        last = legs[-1]
        low, typical, high, extra = figures(pending)
        cost = sum(graph.cost_teu[edges[j]] * shipment.factor(graph.node_mode[graph.edge_dst[edges[j]]]) for j in pending)
        legs[-1] = replace(
            last,
            hours=last.hours + typical,
            hours_min=last.hours_min + low,
            hours_max=last.hours_max + high,
            cost_usd=last.cost_usd + cost,
            events=last.events + extra,
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
    if total is not None:
        p50, p90 = _quantiles(total, (50.0, 90.0))
    else:
        p50, p90 = percentiles(parts, keys=keys)
    arrival = None
    if request.departure_date is not None:
        start = dt.datetime.combine(request.departure_date, dt.time())
        arrival = ArrivalDates(
            request.departure_date,
            (start + dt.timedelta(hours=hours)).date(),
            (start + dt.timedelta(hours=p50)).date(),
            (start + dt.timedelta(hours=p90)).date(),
        )
    teu_value = shipment.teu_equivalent
    return Route(
        rank=rank,
        transit_hours=hours,
        transit_hours_min=sum(leg.hours_min for leg in legs),
        transit_hours_max=sum(leg.hours_max for leg in legs),
        transit_hours_p50=p50,
        transit_hours_p90=p90,
        cost_usd=cost,
        co2e_kg=sum(leg.co2e_kg for leg in legs),
        generalized_cost_usd=cost + request.value_of_time_usd_per_teu_hour * teu_value * hours,
        distance_km=distance,
        border_crossings=sum(graph.border[e] for e in edges),
        transshipments=sum(graph.transship[e] for e in edges),
        countries=tuple(countries),
        corridors=tuple(shares),
        places=tuple(places),
        legs=tuple(legs),
        service=request.service,
        container=request.container,
        month=request.month,
        arrival_date=arrival,
        borders=tuple(borders),
    )


def _event_keys(time: EdgeTime) -> list[str]:
    """The part name of each event of an edge (every part but the running one has an event, in order)."""
    return [key for key in time.keys if not key.endswith(":run")]


__all__ = [
    "MONTE_CARLO_SAMPLES",
    "EdgeTime",
    "corridor_shares",
    "edge_samples",
    "edge_time",
    "part_draws",
    "percentiles",
    "price",
    "quantile_rows",
    "row_percentiles",
]
