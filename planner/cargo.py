"""Cargo classes and the loads that turn tonnes, wagons, trucks and trains into units of capacity.

Capacity and demand meet in one unit, the **TEU-equivalent** (TEU-eq): the room a twenty-foot
container takes on a train, a ship or a truck. A container's TEU is one TEU-eq. A rail wagon
takes the train length of ``TEU_EQ_PER_WAGON`` TEU-eq: a Kazakh container train carries 104 TEU
and a bulk train about 70 wagons, so one wagon stands for 104 / 70 ≈ 1.49 TEU of train room.
Tonnes are carried alongside, for capacities published in tonnes a year.

Every load below names its source, or says why it is an estimate; docs/assignment.md explains
the conversions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "CARGO_CLASSES",
    "TEU_EQ_PER_TRUCK",
    "TEU_EQ_PER_WAGON",
    "TEU_PER_TRAIN",
    "WAGONS_PER_TRAIN",
    "Cargo",
    "CargoClass",
    "LoadUnit",
    "cargo_class",
]

TEU_PER_TRAIN = 104.0
"""TEU on a container train in Kazakhstan: 372,000 TEU over 3,589 container trains at Altynkol in 2025
(derived: The Astana Times, 6 Feb 2026; KTZ via agrosearch.kz, 15 Jan 2026)."""
TEU_PER_TRAIN_1435 = 108.6
"""TEU on a China Railway China–Europe train: 493,000 TEU on 4,541 trains in Q1 2024 (derived: China Railway via AzerNews)."""
WAGONS_PER_TRAIN = 70.0
"""Wagons in a bulk train on 1520 mm: estimate (no operator figure found; about 975 m of 13.92 m wagons)."""
TEU_EQ_PER_WAGON = TEU_PER_TRAIN / WAGONS_PER_TRAIN
"""Train room of one wagon in TEU-eq (derived: ``TEU_PER_TRAIN / WAGONS_PER_TRAIN``)."""
TEU_EQ_PER_TRUCK = 2.0
"""A truck carries one forty-foot box or a semi-trailer of the same size: 2 TEU-eq (estimate)."""


class Cargo(StrEnum):
    """A cargo class of a demand row."""

    CONTAINER = "container"
    BULK_GRAIN = "bulk_grain"
    COAL = "coal"
    LIQUID_BULK = "liquid_bulk"
    METALS = "metals"
    CONSTRUCTION = "construction"
    BULK_FERTILISER = "bulk_fertiliser"


class LoadUnit(StrEnum):
    """What a cargo class travels in."""

    TEU = "teu"
    WAGON = "wagon"


@dataclass(frozen=True, slots=True)
class CargoClass:
    """How a cargo class travels: its load unit, the tonnes one unit carries, and where that figure comes from."""

    cargo: Cargo
    unit: LoadUnit
    tonnes_per_unit: float
    basis: str

    @property
    def teu_eq_per_unit(self) -> float:
        """Capacity one load unit takes, in TEU-equivalents."""
        return 1.0 if self.unit is LoadUnit.TEU else TEU_EQ_PER_WAGON

    @property
    def tonnes_per_teu_eq(self) -> float:
        return self.tonnes_per_unit / self.teu_eq_per_unit

    def units(self, *, teu_per_year: float | None, tonnes_per_year: float | None) -> tuple[float, float]:
        """(TEU-eq a year, tonnes a year) of a volume given in TEU, tonnes or both.

        A TEU figure is the capacity the volume takes (containers, or bulk loaded in containers); tonnes
        alone are turned into load units with :attr:`tonnes_per_unit`. Missing tonnes are derived the same way.
        """
        if teu_per_year is None and tonnes_per_year is None:
            raise ValueError("give teu_per_year, tonnes_per_year or both")
        teu = teu_per_year if teu_per_year is not None else tonnes_per_year / self.tonnes_per_teu_eq  # type: ignore[operator]
        tonnes = tonnes_per_year if tonnes_per_year is not None else teu * self.tonnes_per_teu_eq
        return float(teu), float(tonnes)


CARGO_CLASSES: Mapping[Cargo, CargoClass] = MappingProxyType(
    {
        Cargo.CONTAINER: CargoClass(
            Cargo.CONTAINER,
            LoadUnit.TEU,
            12.0,
            "estimate: 12 t net per loaded TEU, between light consumer goods (7-8 t) and dense goods (about 20 t); "
            "no measured average load on these corridors was found",
        ),
        Cargo.BULK_GRAIN: CargoClass(
            Cargo.BULK_GRAIN,
            LoadUnit.WAGON,
            70.5,
            "grain hopper 19-7053-02 / 19-2168: 70.5 t (Kryukov wagon works via Agro-Online, 2018; Altaivagon, 2023)",
        ),
        Cargo.COAL: CargoClass(
            Cargo.COAL, LoadUnit.WAGON, 69.5, "gondola 12-132: 69.5 t (RailTransHolding catalogue)"
        ),
        Cargo.LIQUID_BULK: CargoClass(
            Cargo.LIQUID_BULK,
            LoadUnit.WAGON,
            60.0,
            "estimate: tank 15-1547-03 carries at most 66.0 t in 85.6 m3 (Spacecom catalogue); light products of "
            "0.74-0.84 t/m3 and LPG fill it to about 60 t",
        ),
        Cargo.METALS: CargoClass(
            Cargo.METALS,
            LoadUnit.WAGON,
            65.0,
            "estimate: coils and pipes rarely fill a 69.5 t gondola (12-132) to its weight limit",
        ),
        Cargo.CONSTRUCTION: CargoClass(
            Cargo.CONSTRUCTION, LoadUnit.WAGON, 70.0, "cement/mineral hopper 19-193-01: 70 t (Uralvagonzavod via atransgroup.ru)"
        ),
        Cargo.BULK_FERTILISER: CargoClass(
            Cargo.BULK_FERTILISER, LoadUnit.WAGON, 70.0, "mineral hopper 19-193-01: 70 t (Uralvagonzavod via atransgroup.ru)"
        ),
    }
)
"""Every cargo class with its load unit and tonnes per unit."""


def cargo_class(name: str) -> CargoClass:
    """The cargo class called ``name``; ValueError listing the known ones otherwise."""
    try:
        return CARGO_CLASSES[Cargo(name.strip().lower())]
    except ValueError:
        known = ", ".join(c.value for c in Cargo)
        raise ValueError(f"unknown cargo class {name!r}; expected one of {known}") from None
