"""Capacity figures as yearly throughput: TEU-equivalents (or tonnes) a year and services a day.

A figure in the network file gives services times units (``trains_per_day`` x ``teu_per_train``,
``sailings_per_week`` x ``teu_per_sailing``) or units a period (``teu_per_day``,
``tonnes_per_year`` ...). :func:`throughput` turns it into what the assignment compares volumes
with, using the loads of :mod:`planner.cargo`, and keeps the service count for the queue model.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cargo import TEU_EQ_PER_TRUCK, TEU_EQ_PER_WAGON, TEU_PER_TRAIN, TEU_PER_TRAIN_1435, WAGONS_PER_TRAIN
from .model import Capacity, Figure, Mode

__all__ = ["DAYS_PER_YEAR", "SERVICE_TEU", "Throughput", "throughput"]

DAYS_PER_YEAR = 365.0

SERVICE_TEU = {Mode.RAIL: TEU_PER_TRAIN, Mode.ROAD: TEU_EQ_PER_TRUCK, Mode.SEA: 225.0}
"""TEU-eq one service carries when a figure gives units only, by mode: a train, a truck, a Caspian feeder
sailing (225 TEU, Aktau–Alat feeder, UIC e-News 2019). Used for the number of services a day of the queue model."""
_TONNES_PER_TEU_EQ = 47.0
"""Tonnes per TEU-eq of a loaded bulk wagon (70 t over 1.49 TEU-eq), to count services of a capacity in tonnes."""


@dataclass(frozen=True, slots=True)
class Throughput:
    """A capacity figure as a yearly throughput.

    ``teu_eq_per_year`` or ``tonnes_per_year`` is set (the other None); ``services_per_day`` counts the
    trains, sailings or trucks that carry it (for the queue model); ``text`` is the figure as published.
    """

    teu_eq_per_year: float | None
    tonnes_per_year: float | None
    services_per_day: float
    text: str


def _v(figure: Figure | None) -> float:
    assert figure is not None
    return figure.value


def _g(value: float) -> str:
    return f"{value:,.4g}" if value < 1000 else f"{value:,.0f}"


def throughput(
    capacity: Capacity, *, mode: Mode = Mode.RAIL, gauge_mm: int | None = None, departures_per_week: float | None = None
) -> Throughput:
    """The yearly throughput of a capacity figure of a facility running in ``mode``.

    ``gauge_mm`` picks the TEU per train of a figure in trains alone (104 on 1520 mm, 108.6 on
    1435 mm); ``departures_per_week`` stands in for a link's sailings when the figure gives the
    load per sailing only.
    """
    days = capacity.operating_days_per_year.value if capacity.operating_days_per_year is not None else DAYS_PER_YEAR
    if capacity.trains_per_day is not None:
        trains = _v(capacity.trains_per_day)
        if capacity.teu_per_train is not None:
            per, unit = _v(capacity.teu_per_train), "TEU"
            teu = per
        elif capacity.wagons_per_train is not None:
            per, unit = _v(capacity.wagons_per_train), "wagons"
            teu = per * TEU_EQ_PER_WAGON
        else:
            teu = TEU_PER_TRAIN_1435 if gauge_mm == 1435 else TEU_PER_TRAIN
            per, unit = teu, "TEU-eq"
        return Throughput(trains * teu * days, None, trains, f"{_g(trains)} trains/day x {_g(per)} {unit}")
    if capacity.teu_per_sailing is not None or capacity.wagons_per_sailing is not None or capacity.trucks_per_sailing is not None:
        sailings = _v(capacity.sailings_per_week) if capacity.sailings_per_week is not None else departures_per_week
        if sailings is None:
            raise ValueError("a capacity per sailing needs sailings_per_week or the link's departures_per_week")
        if capacity.teu_per_sailing is not None:
            per, unit, teu = _v(capacity.teu_per_sailing), "TEU", _v(capacity.teu_per_sailing)
        elif capacity.wagons_per_sailing is not None:
            per, unit = _v(capacity.wagons_per_sailing), "wagons"
            teu = per * TEU_EQ_PER_WAGON
        else:
            per, unit = _v(capacity.trucks_per_sailing), "trucks"
            teu = per * TEU_EQ_PER_TRUCK
        per_day = sailings / 7.0
        return Throughput(per_day * teu * days, None, per_day, f"{_g(sailings)} sailings/week x {_g(per)} {unit}")
    if capacity.trucks_per_day is not None:
        trucks = _v(capacity.trucks_per_day)
        return Throughput(trucks * TEU_EQ_PER_TRUCK * days, None, trucks, f"{_g(trucks)} trucks/day")
    if capacity.wagons_per_day is not None:
        wagons = _v(capacity.wagons_per_day)
        return Throughput(wagons * TEU_EQ_PER_WAGON * days, None, wagons / WAGONS_PER_TRAIN, f"{_g(wagons)} wagons/day")
    service = SERVICE_TEU[mode]
    if capacity.teu_per_day is not None:
        teu = _v(capacity.teu_per_day)
        return Throughput(teu * days, None, teu / service, f"{_g(teu)} TEU/day")
    if capacity.teu_per_year is not None:
        teu = _v(capacity.teu_per_year)
        return Throughput(teu, None, teu / DAYS_PER_YEAR / service, f"{_g(teu)} TEU/year")
    tonnes = _v(capacity.tonnes_per_year)
    per_day = tonnes / DAYS_PER_YEAR / _TONNES_PER_TEU_EQ / service
    return Throughput(None, tonnes, per_day, f"{tonnes / 1e6:,.3g} Mt/year")
