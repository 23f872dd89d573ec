"""Delay functions: waiting hours at an asset as its yearly volume nears and passes its capacity.

:class:`QueueDelay` (the default) models a border, yard, port or ferry as a queue whose customers
are trains, sailings or trucks. Below capacity it is Kingman's waiting time for a single server,
``W = v ρ / (μ (1 − ρ))`` days (``ρ`` volume over capacity, ``μ`` services a day, ``v`` the
variability ``(ca² + cs²) / 2``: 0.5 is M/D/1). Above capacity a deterministic queue builds up: over
a period of ``T`` days, arrivals waiting ``T (ρ − 1) / 2`` days on average. The two are joined by
the coordinate transformation of Kimber & Hollis (1979), as in Akçelik's road delay formula, which
gives one smooth, increasing, convex curve, finite at every ``ρ``::

    W(ρ) = T/4 · [ (ρ − 1 − a) + sqrt((ρ − 1 − a)² + 4 a ρ) ],   a = 2 v / (μ T)

It tends to Kingman as ``T`` grows and to the deterministic queue above capacity.

With hard capacity (``hard=True``) the steady-state queue is used alone: infinite at ``ρ >= 1``,
so the assignment keeps every asset below capacity and reports what does not fit as unserved.

:class:`BPRDelay` is the road curve ``t0 · α · ρ^β`` of the US Bureau of Public Roads, for
comparison with road-traffic tools and for linear delay (``β = 1``) in hand-checked examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["BPRDelay", "DelayFunction", "QueueDelay"]

HOURS_PER_DAY = 24.0


class DelayFunction(Protocol):
    """Waiting hours per unit at each queue, from its volume over capacity ``rho`` (arrays over queues)."""

    def hours(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray: ...

    def derivative(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class QueueDelay:
    """A queue of trains, sailings or trucks; ``period_days`` is how long demand above capacity lasts (a year)."""

    period_days: float = 365.0

    def __post_init__(self) -> None:
        if not self.period_days > 0:
            raise ValueError("period_days must be > 0")

    def hours(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray:
        rho = np.asarray(rho, dtype=float)
        mu, v = np.asarray(services_per_day, dtype=float), np.asarray(variability, dtype=float)
        if hard:
            with np.errstate(divide="ignore", invalid="ignore"):
                days = np.where(rho < 1.0, v * rho / (mu * (1.0 - rho)), np.inf)
            return HOURS_PER_DAY * days
        t = self.period_days
        a = 2.0 * v / (mu * t)
        b = rho - 1.0 - a
        days = t / 4.0 * (b + np.sqrt(b * b + 4.0 * a * rho))
        out: np.ndarray = HOURS_PER_DAY * np.maximum(days, 0.0)
        return out

    def derivative(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray:
        rho = np.asarray(rho, dtype=float)
        mu, v = np.asarray(services_per_day, dtype=float), np.asarray(variability, dtype=float)
        if hard:
            with np.errstate(divide="ignore", invalid="ignore"):
                days = np.where(rho < 1.0, v / (mu * (1.0 - rho) ** 2), np.inf)
            return HOURS_PER_DAY * days
        t = self.period_days
        a = 2.0 * v / (mu * t)
        b = rho - 1.0 - a
        root = np.sqrt(b * b + 4.0 * a * rho)
        slope: np.ndarray = HOURS_PER_DAY * t / 4.0 * (1.0 + (b + 2.0 * a) / root)
        return slope


@dataclass(frozen=True, slots=True)
class BPRDelay:
    """``base_hours · alpha · rho ** beta`` hours: the BPR curve's delay above the free-flow time."""

    alpha: float = 0.15
    beta: float = 4.0

    def __post_init__(self) -> None:
        if not (self.alpha >= 0 and self.beta >= 1):
            raise ValueError("BPR needs alpha >= 0 and beta >= 1")

    def hours(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray:
        rho = np.asarray(rho, dtype=float)
        out = np.asarray(base_hours, dtype=float) * self.alpha * rho**self.beta
        return np.where(rho >= 1.0, np.inf, out) if hard else out

    def derivative(
        self, rho: np.ndarray, services_per_day: np.ndarray, variability: np.ndarray, base_hours: np.ndarray, *, hard: bool
    ) -> np.ndarray:
        rho = np.asarray(rho, dtype=float)
        return np.asarray(base_hours, dtype=float) * self.alpha * self.beta * rho ** (self.beta - 1.0)
