"""The cost model as edge weights: one weight per ranking criterion.

:func:`weight` gives networkx's weight protocol, ``weight(u, v, data) -> float | None``, for
:attr:`planner.Network.graph`; None hides an edge (a planned link, a mode or country left out).
:func:`criterion_weights` gives the same figures for the planner's compiled index, with a tiny
tie-break so that among routes equal on the criterion the faster (or cheaper) one wins.

Units: ``time`` in hours; ``cost`` in USD per TEU; ``co2e`` in kg CO2e per tonne of cargo;
``generalized`` in USD per TEU (cost plus value of time x hours). See docs/cost-model.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._compile import CompiledGraph
from .cache import CacheSlot, MiB
from .errors import InvalidRequestError, UnknownCountryError, UnknownModeError
from .model import LinkStatus, Mode, ServiceLevel
from .request import DEFAULT_SERVICE, DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR, Rank

__all__ = ["TIE_BREAK", "EdgeWeight", "criterion_weights", "edge_costs", "edge_hours", "seasonal_hours", "weight"]

TIE_BREAK = 1e-9
"""Weight of the second criterion in the compiled weights: among equal routes prefer the faster/cheaper one."""

EdgeWeight = Callable[[Any, Any, Mapping[str, Any]], float | None]
"""networkx's weight protocol: ``(u, v, edge data) -> weight``, None for an edge to leave out."""

_CRITERIA = (Rank.TIME, Rank.COST, Rank.CO2E, Rank.GENERALIZED)


def _criterion(criterion: Rank | str) -> Rank:
    try:
        rank = Rank(criterion)
    except ValueError:
        rank = None
    if rank not in _CRITERIA:
        choices = ", ".join(r.value for r in _CRITERIA)
        raise InvalidRequestError(
            f"no per-link weight for {criterion!r}; expected one of {choices}"
            + (" (reliable and pareto rank whole routes)" if rank is not None else ""),
            field="criterion",
        )
    assert rank is not None
    return rank


def weight(
    criterion: Rank | str = Rank.TIME,
    *,
    value_of_time_usd_per_teu_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_TEU_HOUR,
    modes: Iterable[Mode | str] | None = None,
    avoid_countries: Iterable[str] | None = None,
    avoid_links: Iterable[str] | None = None,
    include_planned: bool = False,
    service: ServiceLevel | str = DEFAULT_SERVICE,
) -> EdgeWeight:
    """A networkx weight function for :attr:`planner.Network.graph`, ranking by ``criterion``.

    Parameters
    ----------
    criterion
        ``time`` (hours), ``cost`` (USD per TEU), ``co2e`` (kg CO2e per tonne) or
        ``generalized`` (USD per TEU: cost + value of time x hours).
    value_of_time_usd_per_teu_hour
        Only for ``generalized``.
    modes, avoid_countries, avoid_links
        Edges in another mode, touching an avoided country or on an avoided link get None.
    include_planned
        Give planned links a weight too (by default they are hidden, as the planner does).
    service
        The service level whose hours ``time`` and ``generalized`` use (the edges' ``service_parts``).
        Waits for a train where a route boards it are not on the edges (see docs/networkx.md).

    Returns
    -------
    callable
        ``weight(u, v, data) -> float | None``. On a multigraph networkx passes the dict of
        parallel edges keyed by link id; the weight is then the lightest visible one.

    Raises
    ------
    InvalidRequestError
        Unknown criterion, mode or country code.

    Examples
    --------
    >>> import networkx as nx, planner
    >>> net = planner.load_network()
    >>> road = planner.weight("time", modes=["road"])
    >>> hours = nx.shortest_path_length(net.graph, "tashkent", "almaty", weight=road)  # doctest: +SKIP
    """
    rank = _criterion(criterion)
    try:
        level = ServiceLevel(service)
    except ValueError:
        choices = ", ".join(x.value for x in ServiceLevel)
        raise InvalidRequestError(f"unknown service {service!r}; expected one of {choices}", field="service") from None
    vot = value_of_time_usd_per_teu_hour
    if isinstance(vot, bool) or not isinstance(vot, int | float) or not math.isfinite(vot) or vot < 0:
        raise InvalidRequestError(
            f"value_of_time_usd_per_teu_hour must be a finite number >= 0, got {vot!r}",
            field="value_of_time_usd_per_teu_hour",
        )
    allowed: set[Mode] | None = None if modes is None else set()
    for item in modes if modes is not None else ():
        try:
            allowed.add(Mode(str(item).strip().lower()))  # type: ignore[union-attr]
        except ValueError:
            raise UnknownModeError(f"unknown mode {item!r}; expected rail, road or sea", field="modes") from None
    countries = frozenset(str(c).strip().upper() for c in avoid_countries or ())
    for code in countries:
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            raise UnknownCountryError(f"country code {code!r} is not an ISO 3166-1 alpha-2 code", field="avoid_countries")
    links = frozenset(avoid_links or ())

    if rank is Rank.COST:

        def figure(data: Mapping[str, Any]) -> float:
            return float(data["cost_usd_per_teu"])

    elif rank is Rank.CO2E:

        def figure(data: Mapping[str, Any]) -> float:
            return float(data["co2e_kg_per_tonne"])

    elif rank is Rank.GENERALIZED:

        def figure(data: Mapping[str, Any]) -> float:
            return float(data["cost_usd_per_teu"] + vot * _typical(data, level))

    else:

        def figure(data: Mapping[str, Any]) -> float:
            return _typical(data, level)

    def one(data: Mapping[str, Any]) -> float | None:
        if not include_planned and data["status"] != LinkStatus.OPERATIONAL:
            return None
        if allowed is not None and data["mode"] not in allowed:
            return None
        if links and data["id"] in links:
            return None
        if countries and not countries.isdisjoint(data["countries"]):
            return None
        return figure(data)

    def edge_weight(u: Any, v: Any, data: Mapping[str, Any]) -> float | None:
        if "mode" in data and not isinstance(data["mode"], Mapping):
            return one(data)
        # A multigraph's parallel edges, by key: the lightest visible one.
        best: float | None = None
        for edge in data.values():
            value = one(edge)
            if value is not None and (best is None or value < best):
                best = value
        return best

    return edge_weight


def _typical(data: Mapping[str, Any], level: ServiceLevel) -> float:
    """Typical hours of a graph edge at a service level (the stored sum for the default level)."""
    if level is DEFAULT_SERVICE:
        return float(data["hours"])
    total: float = 0
    for part in data["service_parts"][level]:
        total += part.typical
    return float(total)


def _weights_bytes(weights: list[float]) -> int:
    return 56 + 32 * len(weights)  # the list and one float object per edge


_WEIGHTS = CacheSlot[tuple[Rank, float | None, ServiceLevel, int | None, tuple[float, ...] | None], list[float]](
    "weights", max_entries=16, max_bytes=256 * MiB, sizeof=_weights_bytes
)

_UNIT = (1.0, 1.0, 1.0)


def criterion_weights(
    graph: CompiledGraph,
    rank: Rank,
    value_of_time: float,
    *,
    service: ServiceLevel = DEFAULT_SERVICE,
    month: int | None = None,
    cost_factors: tuple[float, float, float] = _UNIT,
) -> list[float]:
    """Weights of the compiled edges for a ranking criterion, per TEU (cost) and per tonne (CO2e).

    ``service`` picks the hours, ``month`` adds its seasonal waits, and ``cost_factors`` (rail,
    road, sea) scale each edge's cost per TEU by the mode that prices it (a 40 ft box's ratio or
    bulk load units, per TEU-equivalent). Built once per network and key; do not modify the result.
    """
    # Every criterion breaks ties on hours or cost, so service, month and cost factors are all in the key.
    key = (
        rank,
        value_of_time if rank is Rank.GENERALIZED else None,
        service,
        month,
        cost_factors if cost_factors != _UNIT else None,
    )
    return graph.network.caches.get(_WEIGHTS, key, lambda: _build(graph, rank, value_of_time, service, month, cost_factors))


def seasonal_hours(graph: CompiledGraph, month: int | None) -> dict[int, tuple[float, float, float]]:
    """(min, typical, max) hours each edge with a season adds in ``month``."""
    if month is None:
        return {}
    seasons = graph.network.seasons
    out = {}
    for edge, season in graph.edge_season.items():
        if (extra := seasons[season].at(month)) is not None:
            out[edge] = (extra.min, extra.typical, extra.max)
    return out


def edge_hours(graph: CompiledGraph, service: ServiceLevel, month: int | None) -> list[float]:
    """Typical hours of every compiled edge at a service level, with the month's seasonal waits."""
    hours = graph.levels[service].hours
    extra = seasonal_hours(graph, month)
    if extra:
        hours = [h + extra[e][1] if e in extra else h for e, h in enumerate(hours)]
    return hours


def edge_costs(graph: CompiledGraph, factors: tuple[float, float, float]) -> list[float]:
    """Cost of every compiled edge per TEU(-equivalent), scaled by the factor of the mode pricing it."""
    if factors == _UNIT:
        return graph.cost_teu
    by_mode = {Mode.RAIL: factors[0], Mode.ROAD: factors[1], Mode.SEA: factors[2]}
    mode = graph.node_mode
    return [c * by_mode[mode[dst]] for c, dst in zip(graph.cost_teu, graph.edge_dst, strict=True)]


def _build(
    graph: CompiledGraph,
    rank: Rank,
    value_of_time: float,
    service: ServiceLevel,
    month: int | None,
    factors: tuple[float, float, float],
) -> list[float]:
    hours = edge_hours(graph, service, month)
    cost, co2e = edge_costs(graph, factors), graph.co2e_t
    n = len(hours)
    if rank is Rank.COST:
        return [cost[i] + TIE_BREAK * hours[i] for i in range(n)]
    if rank is Rank.CO2E:
        return [co2e[i] + TIE_BREAK * (hours[i] + cost[i]) for i in range(n)]
    if rank is Rank.GENERALIZED:
        return [cost[i] + value_of_time * hours[i] for i in range(n)]
    return [hours[i] + TIE_BREAK * cost[i] for i in range(n)]
