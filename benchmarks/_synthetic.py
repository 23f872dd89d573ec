"""Deterministic synthetic multimodal networks for the scale benchmarks.

Places sit on a W x H grid (about 1 km apart per unit, scaled so a route spans many places).
Each place links to its east neighbour and, every other place, to its south neighbour (mean
degree ~3), by rail (60 %) or road; rail runs on 1435 mm in the west half and 1520 mm in the
east half, with a gauge-change station on the seam column. The grid is cut into countries of
~2,500 places; places on a country edge are border crossings with dwell and fees. Row 0 is a
coast: every 25th place is a seaport with a sea link to the next port. Every place can hand
units between rail and road (and sea at ports). Same size, same network, every time.
"""

from __future__ import annotations

import math
import random
import string

from planner.model import (
    Border,
    Figure,
    GaugeChange,
    HoursRange,
    Link,
    Mode,
    ModeDefaults,
    NetworkInfo,
    Place,
    PlaceKind,
    Provenance,
    ServiceDepartures,
    ServiceHours,
    Timetable,
    Transshipment,
)
from planner.network import Network

_P = Provenance(estimate="synthetic benchmark network")


def _fig(v: float) -> Figure:
    return Figure(v, _P)


def _hours(typical: float, lo: float, hi: float) -> HoursRange:
    return HoursRange(typical, lo, hi, _P)


def _levels(typical: float, lo: float, hi: float) -> ServiceHours:
    return ServiceHours.same(_hours(typical, lo, hi))


def _departures(per_week: float) -> ServiceDepartures:
    return ServiceDepartures.same(Timetable(_fig(per_week)))


def _country(i: int) -> str:
    letters = string.ascii_uppercase
    return letters[(i // 26) % 26] + letters[i % 26]


def synthetic_network(n_places: int, seed: int = 7) -> Network:
    rnd = random.Random(seed * 1_000_003 + n_places)
    width = max(4, round(math.sqrt(n_places)))
    block = 50  # countries are 50 x 50 blocks
    seam = width // 2
    km = 25.0

    rail_road = Transshipment(frozenset((Mode.RAIL, Mode.ROAD)), _levels(4.0, 2.0, 8.0), _fig(90.0))
    rail_sea = Transshipment(frozenset((Mode.RAIL, Mode.SEA)), _levels(12.0, 6.0, 36.0), _fig(150.0))
    road_sea = Transshipment(frozenset((Mode.ROAD, Mode.SEA)), _levels(8.0, 4.0, 24.0), _fig(120.0))
    border = Border.same(_hours(10.0, 3.0, 48.0), _fig(120.0))
    gauge = GaugeChange(_levels(6.0, 3.0, 18.0), _fig(200.0))

    def country_of(x: int, y: int) -> str:
        return _country((y // block) * (width // block + 1) + x // block)

    def is_port(x: int, y: int) -> bool:
        return y == 0 and x % 25 == 0

    places: dict[str, Place] = {}
    for i in range(n_places):
        x, y = i % width, i // width
        edge = x % block in (0, block - 1) or y % block in (0, block - 1)
        kinds = {PlaceKind.CITY}
        if edge:
            kinds.add(PlaceKind.BORDER_CROSSING)
        tr = [rail_road]
        if is_port(x, y):
            kinds.add(PlaceKind.SEAPORT)
            tr += [rail_sea, road_sea]
        places[f"p{i}"] = Place(
            id=f"p{i}",
            name=f"Place {i}",
            country=country_of(x, y),
            lat=40.0 + y * 0.2,
            lon=20.0 + x * 0.2,
            kinds=frozenset(kinds),
            transshipments=tuple(tr),
            border=border if edge else None,
            gauge_change=gauge if x == seam else None,
        )

    links: dict[str, Link] = {}

    def add(a: int, b: int, xa: int) -> None:
        lid = f"l{len(links)}"
        dist = km * (0.8 + 0.4 * rnd.random())
        if rnd.random() < 0.6:
            gauge_mm = 1435 if xa < seam else 1520
            deps = _departures(float(rnd.choice((7, 14, 21)))) if rnd.random() < 0.5 else None
            links[lid] = Link(lid, f"p{a}", f"p{b}", Mode.RAIL, _fig(dist), gauge_mm=gauge_mm, departures=deps, provenance=_P)
        else:
            links[lid] = Link(lid, f"p{a}", f"p{b}", Mode.ROAD, _fig(dist), provenance=_P)

    for i in range(n_places):
        x, y = i % width, i // width
        if x + 1 < width and i + 1 < n_places:
            add(i, i + 1, x)
        if i + width < n_places and (x == 0 or rnd.random() < 0.5):
            add(i, i + width, x)
    ports = [i for i in range(min(width, n_places)) if is_port(i, 0)]
    for a, b in zip(ports, ports[1:], strict=False):
        lid = f"l{len(links)}"
        links[lid] = Link(
            lid, f"p{a}", f"p{b}", Mode.SEA, _fig(km * (b - a) * 0.9), departures=_departures(3.0), provenance=_P
        )

    modes = {
        Mode.RAIL: ModeDefaults(Mode.RAIL, _fig(45.0), _fig(0.9), _fig(22.0)),
        Mode.ROAD: ModeDefaults(Mode.ROAD, _fig(60.0), _fig(1.6), _fig(62.0)),
        Mode.SEA: ModeDefaults(Mode.SEA, _fig(28.0), _fig(0.3), _fig(12.0)),
    }
    info = NetworkInfo(f"synthetic-{n_places}", f"Synthetic {n_places}", "1", "synthetic benchmark network", 2024)
    return Network(info, places, links, {}, modes, {}, path=f"<synthetic {n_places}>")


def od_pairs(ids: list[str], n: int, seed: int = 11) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    out: list[tuple[str, str]] = []
    while len(out) < n:
        a, b = rnd.sample(ids, 2)
        out.append((a, b))
    return out
