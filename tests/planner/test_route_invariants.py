"""Routes a planner can trust, as properties: on generated networks (hypothesis) and over the bundled network.

Every plan: no route passes a place twice; no two changes of mode in a row at a place that has a direct
change; every alternative within ``max_stretch`` of the first on the ranked criterion; every two routes
differ in their border crossings or their main corridor (and share at most ``max_shared_fraction``).
On generated networks the first route is also checked against a brute force over every loop-free route.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from route_invariants import check_plan, value

import planner

MODES = ("rail", "road", "sea")
PAIRS = (("rail", "road"), ("rail", "sea"), ("road", "sea"))
COUNTRIES = ("AA", "BB", "CC")


@st.composite
def networks(draw: st.DrawFn) -> planner.Network:
    """3-7 places in three countries, rail/road/sea links (some through a transit country), changes of mode at
    some places only (so that some changes go through a third mode), and a corridor along linked places."""
    n = draw(st.integers(min_value=3, max_value=7))
    countries = [draw(st.sampled_from(COUNTRIES)) for _ in range(n)]
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=n - 1, max_size=min(len(pairs), 2 * n), unique=True))
    links = []
    for i, (a, b) in enumerate(chosen):
        mode = draw(st.sampled_from(MODES))
        km = draw(st.integers(min_value=10, max_value=900))
        extra = ", gauge_mm: 1520" if mode == "rail" else ""
        if mode != "sea" and draw(st.integers(0, 4)) == 0:
            third = [c for c in COUNTRIES if c not in (countries[a], countries[b])]
            dwell = draw(st.integers(0, 10))
            extra += (
                f", transit_countries: [{third[0]}], transit_border: "
                f"{{dwell_hours: {{typical: {dwell}, min: 0, max: {2 * dwell}}}, fee_usd_per_teu: {dwell}, source: T}}"
            )
        links.append(f"  - {{id: l{i}, from: p{a}, to: p{b}, mode: {mode}, distance_km: {km}{extra}, source: T}}")
    places = []
    for i in range(n):
        dwell = draw(st.integers(min_value=0, max_value=30))
        items = [
            f"{{modes: [{x}, {y}], hours: {draw(st.integers(0, 12))}, cost_usd_per_teu: {draw(st.integers(0, 90))}, source: T}}"
            for x, y in PAIRS
            if draw(st.booleans())
        ]
        places.append(
            f"  - {{id: p{i}, name: Place {i}, country: {countries[i]}, lat: {i}, lon: {i}, kinds: [city], source: T, "
            f"transshipment: [{', '.join(items)}], "
            f"border: {{dwell_hours: {{typical: {dwell}, min: 0, max: {dwell * 2}}}, fee_usd_per_teu: {dwell * 3}, source: T}}}}"
        )
    # A corridor: a walk over linked places from a random link, each place once.
    neighbours: dict[int, list[int]] = {}
    for a, b in chosen:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    start = draw(st.sampled_from(chosen))
    line = list(start)
    while draw(st.booleans()):
        onward = [p for p in neighbours[line[-1]] if p not in line]
        if not onward:
            break
        line.append(draw(st.sampled_from(onward)))
    corridor = ", ".join(f"p{p}" for p in line)
    text = f"""network: {{id: gen, name: Generated, version: "1", description: generated, currency_year: 2024}}
sources: {{T: {{publisher: tests, title: generated, year: 2026}}}}
modes:
  rail: {{speed_kmh: {{value: 40, source: T}}, cost_usd_per_teu_km: {{value: 0.3, source: T}}, co2e_g_per_tonne_km: {{value: 20, source: T}}}}
  road: {{speed_kmh: {{value: 20, source: T}}, cost_usd_per_teu_km: {{value: 1, source: T}}, co2e_g_per_tonne_km: {{value: 80, source: T}}}}
  sea: {{speed_kmh: {{value: 30, source: T}}, cost_usd_per_teu_km: {{value: 0.05, source: T}}, co2e_g_per_tonne_km: {{value: 10, source: T}}}}
places:
{chr(10).join(places)}
links:
{chr(10).join(links)}
corridors:
  - {{id: line, name: The line, description: generated, places: [{corridor}], source: T}}
"""
    return planner.parse_network(text)


# --- an independent brute force: every loop-free route, each change of mode once per place ----------------


def _figures(network: planner.Network, rank: str) -> dict[tuple[str, str, str], float]:
    """(from, to, mode) -> the lightest link's figure on the criterion, from the public graph."""
    out: dict[tuple[str, str, str], float] = {}
    for u, v, data in network.graph.edges(data=True):
        figure = {"time": data["hours"], "cost": data["cost_usd_per_teu"], "co2e": data["co2e_kg_per_tonne"]}[rank]
        key = (u, v, data["mode"].value)
        out[key] = min(out.get(key, float("inf")), figure)
    return out


def _change(place: planner.Place, a: str, b: str, rank: str, modes: set[str]) -> float | None:
    """The cheapest way to change from mode a to mode b at a place: directly, else through the third mode if
    the place has it (``modes``: the modes of its links)."""
    if a == b:
        return 0.0

    def one(x: str, y: str) -> float | None:
        item = place.transshipment(planner.Mode(x), planner.Mode(y))
        if item is None:
            return None
        return {"time": item.hours.scheduled.typical, "cost": item.cost_usd_per_teu.value, "co2e": 0.0}[rank]

    direct = one(a, b)
    if direct is not None:
        return direct
    (middle,) = set(MODES) - {a, b}
    if middle not in modes:
        return None
    first, second = one(a, middle), one(middle, b)
    return None if first is None or second is None else first + second


def brute_force(network: planner.Network, origin: str, destination: str, rank: str) -> float | None:
    """The least figure over every loop-free route from origin to destination (None: there is none)."""
    figures = _figures(network, rank)
    out: dict[str, list[tuple[str, str, float]]] = {}
    modes: dict[str, set[str]] = {}
    for (u, v, mode), figure in figures.items():
        out.setdefault(u, []).append((v, mode, figure))
        modes.setdefault(u, set()).add(mode)
    best: list[float] = []

    def walk(place: str, mode: str | None, total: float, seen: set[str]) -> None:
        if place == destination:
            best.append(total)
            return
        for target, link_mode, figure in out.get(place, ()):
            if target in seen:
                continue
            change = 0.0 if mode is None else _change(network.places[place], mode, link_mode, rank, modes[place])
            if change is None:
                continue
            walk(target, link_mode, total + change + figure, seen | {target})

    walk(origin, None, 0.0, {origin})
    return min(best) if best else None


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(network=networks(), rank=st.sampled_from(["time", "cost", "co2e"]), k=st.integers(1, 5))
def test_the_first_route_is_the_best_loop_free_route_a_brute_force_finds(network: planner.Network, rank: str, k: int) -> None:
    scale = planner.DEFAULT_TONNES_PER_TEU if rank == "co2e" else 1.0
    for origin, destination in itertools.permutations(sorted(network.places), 2):
        expected = brute_force(network, origin, destination, rank)
        if expected is None:
            with pytest.raises(planner.NoRouteError):
                planner.plan_routes(network, origin, destination, rank=rank, k=k, use_cache=False)
            continue
        plan = planner.plan_routes(network, origin, destination, rank=rank, k=k, use_cache=False)
        assert value(plan.routes[0], rank) == pytest.approx(expected * scale, rel=1e-6, abs=1e-6)
        check_plan(network, plan)


@SETTINGS
@given(
    network=networks(),
    rank=st.sampled_from(["time", "cost", "co2e", "generalized", "reliable"]),
    k=st.integers(2, 5),
    stretch=st.sampled_from([1.0, 1.2, 1.5, 3.0, 10.0]),
    shared=st.sampled_from([0.5, 0.9, 1.0]),
    data=st.data(),
)
def test_every_plan_on_a_generated_network_keeps_the_invariants(
    network: planner.Network, rank: str, k: int, stretch: float, shared: float, data: st.DataObject
) -> None:
    places = sorted(network.places)
    options: list[dict[str, object]] = [{}, {"corridor": "line"}]
    others = sorted(network.countries)
    options.append({"max_border_crossings": data.draw(st.integers(0, 3))})
    options.append({"avoid_countries": [data.draw(st.sampled_from(others))]})
    for origin, destination in itertools.permutations(places, 2):
        for extra in options:
            try:
                plan = planner.plan_routes(
                    network, origin, destination, rank=rank, k=k, max_stretch=stretch, max_shared_fraction=shared,
                    use_cache=False, **extra,  # type: ignore[arg-type]
                )  # fmt: skip
            except (planner.NoRouteError, planner.InvalidRequestError):
                continue
            check_plan(network, plan)
            for route in plan.routes:
                if "avoid_countries" in extra:
                    assert not set(route.countries) & set(extra["avoid_countries"])  # type: ignore[arg-type]
                if "max_border_crossings" in extra:
                    assert route.border_crossings <= extra["max_border_crossings"]  # type: ignore[operator]


# --- the bundled network: 2,000 random pairs x every corridor -----------------------------------------

SWEEP_PAIRS = 2_000


def _sweep(network: planner.Network) -> Iterator[tuple[str, str]]:
    ids = sorted(network.places)
    rng = random.Random(20261128)
    for _ in range(SWEEP_PAIRS):
        yield tuple(rng.sample(ids, 2))  # type: ignore[misc]


@pytest.mark.slow
def test_over_2000_pairs_and_every_corridor_of_the_bundled_network_every_plan_keeps_the_invariants(
    eurasia: planner.Network,
) -> None:
    ranks = ["time", "cost", "co2e", "generalized", "reliable", "pareto"]
    corridors = [None, *eurasia.corridors]
    outcomes = {"routes": 0, "plans": 0, "no_route": 0, "loop_only": 0}
    for i, (origin, destination) in enumerate(_sweep(eurasia)):
        for corridor in corridors:
            rank = ranks[i % len(ranks)] if corridor is None else ranks[i % (len(ranks) - 1)]  # pareto takes no corridor
            try:
                plan = planner.plan_routes(eurasia, origin, destination, rank=rank, k=3, corridor=corridor, use_cache=False)
            except planner.LoopOnlyError:
                outcomes["loop_only"] += 1
                continue
            except planner.NoRouteError:
                outcomes["no_route"] += 1
                continue
            check_plan(eurasia, plan)
            outcomes["plans"] += 1
            outcomes["routes"] += len(plan.routes)
    assert sum(outcomes.values()) - outcomes["routes"] == SWEEP_PAIRS * len(corridors)
    # The sweep is not vacuous: most pairs have routes, and many plans have alternatives.
    assert outcomes["plans"] > SWEEP_PAIRS * 2
    assert outcomes["routes"] > outcomes["plans"] * 1.5
