"""Applying a scenario: a new, frozen network with the changes made; the shared one is never touched."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from . import _schema as s
from .cache import CacheSlot, MiB
from .errors import ScenarioConflictError
from .loader import dwell_from_spec, link_from_spec
from .model import (
    Border,
    BorderControls,
    Figure,
    Link,
    LinkStatus,
    Mode,
    ModeDefaults,
    Provenance,
    ServiceDepartures,
    ServiceHours,
    Timetable,
)
from .network import Network
from .scenario import Scenario

__all__ = ["SCENARIO_CACHE_BYTES", "SCENARIO_CACHE_SIZE", "apply_scenario", "scenario_network"]


def _scaled(figure: Figure, factor: float, why: str) -> Figure:
    return Figure(figure.value * factor, Provenance(figure.provenance.sources, f"scenario: {why}"))


def _link_cost(network: Network, link: Link) -> Figure:
    if link.cost_usd_per_teu is not None:
        return link.cost_usd_per_teu
    rate = network.modes[link.mode].cost_usd_per_teu_km
    return Figure(link.distance_km.value * rate.value, rate.provenance)


def _with_dwell(old: BorderControls, entering: ServiceHours, leaving: ServiceHours, fee: Figure | None) -> BorderControls:
    """A post's controls with a new dwell (every mode, direction and level); its fees unless ``fee`` is given."""
    if fee is None:
        return BorderControls(entering, leaving, old.fee_entering_usd_per_teu, old.fee_leaving_usd_per_teu)
    return BorderControls(entering, leaving, fee, fee)


def apply_scenario(network: Network, scenario: Scenario) -> Network:
    """Return a new network with the scenario's changes; ``network`` is left untouched.

    Raises
    ------
    ScenarioConflictError
        The changes would join rail gauges at a place without a gauge change.
    """
    return _apply(network, scenario, cache_share=1.0)


def _apply(network: Network, scenario: Scenario, *, cache_share: float) -> Network:
    places = dict(network.places)
    links = dict(network.links)
    modes = dict(network.modes)
    prov = Provenance((), f"scenario {scenario.name}")
    for change in scenario.spec.changes:
        if change.close_place:
            links = {k: v for k, v in links.items() if change.close_place not in v.ends}
        elif change.close_link:
            links.pop(change.close_link, None)
        elif change.close_border:
            cc = change.close_border

            def crosses(link: Link, cc: str = cc) -> bool:
                passed = link.countries_between(places[link.origin].country, places[link.destination].country)
                return any(x != y and cc in (x, y) for x, y in zip(passed, passed[1:], strict=False))

            links = {k: v for k, v in links.items() if not crosses(v)}
        elif change.add_delay:
            place = places[change.add_delay.place]
            places[place.id] = replace(place, delay_hours=place.delay_hours + change.add_delay.hours)
        elif change.set_border_dwell:
            d = change.set_border_dwell
            place = places[d.place]
            assert place.border is not None
            entering, leaving = dwell_from_spec(d.hours, s.Provenanced(estimate=f"scenario {scenario.name}"))
            fee = None if d.fee_usd_per_teu is None else Figure(d.fee_usd_per_teu, prov)
            border = place.border
            places[place.id] = replace(
                place,
                border=Border(
                    _with_dwell(border.controls, entering, leaving, fee),
                    tuple((m, _with_dwell(c, entering, leaving, fee)) for m, c in border.by_mode),
                ),
            )
        elif change.multiply_tariff:
            t = change.multiply_tariff
            why = f"{scenario.name} x{t.factor:g}"
            if t.mode:
                mode = Mode(t.mode)
                d0 = modes[mode]
                modes[mode] = ModeDefaults(mode, d0.speed_kmh, _scaled(d0.cost_usd_per_teu_km, t.factor, why), d0.co2e_g_per_tonne_km)
                for k, v in links.items():
                    if v.mode is mode and v.cost_usd_per_teu is not None:
                        links[k] = replace(v, cost_usd_per_teu=_scaled(v.cost_usd_per_teu, t.factor, why))
            else:
                for k, v in links.items():
                    hit = v.id == t.link if t.link else t.country in (places[v.origin].country, places[v.destination].country)
                    if hit:
                        links[k] = replace(v, cost_usd_per_teu=_scaled(_link_cost(network, v), t.factor, why))
        elif change.set_departures:
            scheduled = links.get(change.set_departures.link)
            if scheduled is not None:
                timetable = Timetable(Figure(change.set_departures.per_week, prov))
                links[scheduled.id] = replace(scheduled, departures=ServiceDepartures.same(timetable))
        elif change.open_link:
            planned = links.get(change.open_link)
            if planned is not None:
                links[planned.id] = replace(planned, status=LinkStatus.OPERATIONAL)
        elif change.add_link:
            links[change.add_link.id] = link_from_spec(change.add_link)
    _check_gauges(places, links, scenario)
    info = replace(network.info, version=f"{network.info.version}+{scenario.name}")
    return Network(
        info, places, links, network.corridors, modes, network.sources, network.path, network.warnings, cache_share, network,
        network.seasons,
    )  # fmt: skip


def _check_gauges(places: Mapping[str, Any], links: Mapping[str, Link], scenario: Scenario) -> None:
    gauges: dict[str, set[int]] = {}
    for link in links.values():
        if link.mode is Mode.RAIL and link.gauge_mm is not None:
            for end in link.ends:
                gauges.setdefault(end, set()).add(link.gauge_mm)
    for place_id, found in gauges.items():
        if len(found) > 1 and places[place_id].gauge_change is None:
            raise ScenarioConflictError(
                f"scenario {scenario.name}: rail links of 1435 and 1520 mm would meet at {place_id}, "
                "which has no gauge change",
                field="scenario",
            )


SCENARIO_CACHE_SIZE = 8
"""Scenario networks each network keeps (the least recently used is dropped first)."""
SCENARIO_CACHE_BYTES = 48 * MiB
"""Estimated bytes of the scenario networks each network keeps."""
SCENARIO_CACHE_SHARE = 1 / SCENARIO_CACHE_SIZE
"""The share of every cache bound a scenario network gets: all of them together hold what one network may."""


def network_bytes(network: Network) -> int:
    """Estimated bytes of a network with its graph, compiled index and a few plans.

    A little above what tracemalloc measures: about 5.5 KiB per link on the bundled network and on
    synthetic grids of 2,000 and 10,000 places.
    """
    return 2048 * len(network.places) + 5120 * len(network.links)


_SCENARIO_NETWORKS = CacheSlot[str, Network](
    "scenario networks", max_entries=SCENARIO_CACHE_SIZE, max_bytes=SCENARIO_CACHE_BYTES, sizeof=network_bytes
)


def scenario_network(network: Network, scenario: Scenario) -> Network:
    """The scenario's network, built once per scenario content and kept in ``network``'s bounded cache.

    Its own caches get a small share of the usual bounds, so the scenario networks kept cannot outgrow the base.
    """
    return network.caches.get(
        _SCENARIO_NETWORKS, scenario.key, lambda: _apply(network, scenario, cache_share=SCENARIO_CACHE_SHARE)
    )
