"""Side-by-side comparison of corridors for one origin-destination pair."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .corridors import resolve_corridor
from .errors import InvalidRequestError, NoRouteError
from .network import Network
from .request import RouteRequest
from .route import Route
from .routing import plan
from .scenario import Scenario
from .scenario_network import scenario_network
from .scenario_plan import route_delta

__all__ = ["DEFAULT_MIN_CORRIDOR_SHARE", "Comparison", "ComparisonRow", "compare", "route_change", "row_delta"]

DEFAULT_MIN_CORRIDOR_SHARE = 0.25
"""A corridor serves a pair only if its best route runs at least this share of its distance on the corridor."""


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One corridor (or the unconstrained best when ``corridor`` is None), on the baseline and under a scenario."""

    corridor: str | None
    label: str
    route: Route | None
    reason: str | None
    scenario_route: Route | None = None
    scenario_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Corridors compared for one request; rows keep the order asked for, the unconstrained best first."""

    request: RouteRequest
    rows: tuple[ComparisonRow, ...]
    scenario: Scenario | None = None


def row_delta(base: Route | None, new: Route | None) -> dict[str, float] | None:
    """Scenario minus baseline for one row, or None when either has no route."""
    return None if base is None or new is None else route_delta(base, new)


def route_change(base: Route | None, new: Route | None) -> str:
    """What a scenario does to a row's route: appears, vanishes, same path, new path (or no route either way)."""
    if base is None and new is None:
        return "no route either way"
    if base is None:
        return "appears"
    if new is None:
        return "vanishes"
    return "same path" if base.places == new.places else "new path"


def _best(network: Network, request: RouteRequest, min_share: float, use_cache: bool) -> tuple[Route | None, str | None]:
    try:
        route = plan(network, request, use_cache=use_cache).routes[0]
    except NoRouteError as exc:
        return None, str(exc)
    if request.corridor is not None:
        share = next((c.share for c in route.corridors if c.id == request.corridor), 0.0)
        if share < min_share:
            return None, (
                f"its best route would run only {share:.0%} of its distance on the corridor "
                f"(at least {min_share:.0%} needed to count as using it)"
            )
    return route, None


def compare(
    network: Network,
    request: RouteRequest,
    corridors: list[str] | None = None,
    *,
    scenario: Scenario | None = None,
    min_corridor_share: float = DEFAULT_MIN_CORRIDOR_SHARE,
    use_cache: bool = True,
) -> Comparison:
    """Compare corridors for one pair: each corridor's best route beside the unconstrained best.

    Parameters
    ----------
    request
        From :func:`planner.resolve_request`: the pair and the options every row shares
        (rank, shipment, avoid lists, modes, ...). Each row plans one route (``k`` = 1) on its
        own corridor, so the request's ``k`` and ``corridor`` are not used.
    corridors
        Corridor ids, names or aliases; all the network's corridors when None. A corridor that
        cannot serve the pair is kept, with the reason.
    scenario
        When given, every row is also planned under the scenario, with the differences.
    min_corridor_share
        A corridor whose best route runs less than this share (0..1) of its distance on the
        corridor is listed as not serving the pair, with the share in the reason.
    use_cache
        False plans every row afresh instead of taking it from the network's plan cache.

    Raises
    ------
    UnknownCorridorError
        A corridor matches nothing.
    InvalidRequestError
        ``min_corridor_share`` is not between 0 and 1.
    """
    share = min_corridor_share
    if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share) or not 0 <= share <= 1:
        raise InvalidRequestError(f"min_corridor_share must be between 0 and 1, got {share!r}", field="min_corridor_share")
    base_request = replace(request, k=1, corridor=None)
    ids = [resolve_corridor(network, c).id for c in corridors] if corridors else list(network.corridors)
    changed = scenario_network(network, scenario) if scenario is not None else None
    rows = []
    for corridor_id in [None, *dict.fromkeys(ids)]:
        row_request = replace(base_request, corridor=corridor_id)
        label = "best (any corridor)" if corridor_id is None else corridor_id
        route, reason = _best(network, row_request, share, use_cache)
        scenario_route, scenario_reason = (None, None)
        if changed is not None:
            scenario_route, scenario_reason = _best(changed, row_request, share, use_cache)
        rows.append(ComparisonRow(corridor_id, label, route, reason, scenario_route, scenario_reason))
    return Comparison(base_request, tuple(rows), scenario)
