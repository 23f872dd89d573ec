"""What a request ships, as multipliers of the network's per-TEU figures, by the mode that prices them.

Every tariff and fee of a network is per TEU of a 20 ft box. A request scales them:

- ``teu`` in 20 ft boxes: x ``teu``;
- ``teu`` in 40 ft (or 40 ft high-cube) boxes: x boxes x the mode's ``cost_ratio_40ft`` (2 when not given);
- bulk ``tonnes``, on a mode with ``bulk_load_tonnes``: x whole load units (wagons, trucks, boxes at sea)
  x the mode's ``cost_ratio_40ft``, each unit priced as a 40 ft box on that mode; on a mode without a
  load unit, x the TEU-equivalent ``tonnes / tonnes_per_teu``.

See docs/cost-model.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .model import ContainerType, Mode
from .network import Network
from .request import RouteRequest

__all__ = ["BULK_UNITS", "DEFAULT_RATIO_40FT", "LoadUnits", "Shipment", "shipment_of"]

DEFAULT_RATIO_40FT = 2.0
"""A 40 ft box priced as two TEU where a network gives no ratio for a mode."""

BULK_UNITS = {Mode.RAIL: "wagon", Mode.ROAD: "truck", Mode.SEA: "40ft container"}
"""What carries bulk on each mode."""

_MODES = (Mode.RAIL, Mode.ROAD, Mode.SEA)


@dataclass(frozen=True, slots=True)
class LoadUnits:
    """Bulk on one mode: the unit, tonnes per unit and whole units needed."""

    mode: Mode
    unit: str
    tonnes_per_unit: float
    units: int


@dataclass(frozen=True, slots=True)
class Shipment:
    """Multipliers of per-TEU figures by mode: USD of the whole shipment per USD/TEU of a 20 ft box."""

    factors: tuple[float, float, float]
    """For rail, road, sea."""
    teu_equivalent: float
    """TEU the shipment counts as (for the value of time and per-TEU weights)."""
    load_units: tuple[LoadUnits, ...] = ()

    def factor(self, mode: Mode | None) -> float:
        """The multiplier for figures priced by ``mode`` (rail for figures without one)."""
        return self.factors[_MODES.index(mode or Mode.RAIL)]

    @property
    def per_teu(self) -> tuple[float, float, float]:
        """The multipliers per TEU-equivalent: what the cost weights use."""
        # A vanishing shipment (tonnes underflowing to 0 TEU) keeps its whole-shipment figures.
        scale = self.teu_equivalent if self.teu_equivalent > 1e-9 else 1.0
        return (self.factors[0] / scale, self.factors[1] / scale, self.factors[2] / scale)


def _ratio(network: Network, mode: Mode) -> float:
    ratio = network.modes[mode].cost_ratio_40ft
    return DEFAULT_RATIO_40FT if ratio is None else ratio.value


def shipment_of(network: Network, request: RouteRequest) -> Shipment:
    """The request's multipliers on ``network`` (ratios and load units are the network's)."""
    if request.shipment == "tonnes":
        factors: list[float] = []
        units: list[LoadUnits] = []
        for mode in _MODES:
            load = network.modes[mode].bulk_load_tonnes
            if load is None:
                factors.append(request.teu)  # the TEU-equivalent, for networks without load units
                continue
            count = max(1, math.ceil(request.tonnes / load.value - 1e-9))
            units.append(LoadUnits(mode, BULK_UNITS[mode], load.value, count))
            factors.append(count * _ratio(network, mode))
        return Shipment((factors[0], factors[1], factors[2]), request.teu, tuple(units))
    container = request.container or ContainerType.FT20
    if container is ContainerType.FT20:
        return Shipment((request.teu, request.teu, request.teu), request.teu)
    boxes = request.teu / container.teu
    rail, road, sea = (boxes * _ratio(network, mode) for mode in _MODES)
    return Shipment((rail, road, sea), request.teu)
