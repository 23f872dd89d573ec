"""Side-by-side comparison of corridors for one origin-destination pair."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .errors import NoRouteError
from .export import request_to_dict, route_to_dict
from .model import Network
from .route import Route
from .routing import RouteRequest, plan, resolve_corridor, resolve_request
from .scenario import Scenario, route_delta, scenario_network

__all__ = ["DEFAULT_MIN_CORRIDOR_SHARE", "Comparison", "ComparisonRow", "compare"]

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

    def to_dict(self, network: Network) -> dict[str, Any]:
        """JSON-ready comparison: per row the route figures, and with a scenario the deltas."""
        out_rows = []
        for row in self.rows:
            item: dict[str, Any] = {
                "corridor": None if row.corridor is None else {"id": row.corridor, "name": network.corridors[row.corridor].name},
                "label": row.label,
                "status": "ok" if row.route else "no_route",
                "reason": row.reason,
                "route": _summary(row.route, network) if row.route else None,
            }
            if self.scenario is not None:
                item["scenario_status"] = "ok" if row.scenario_route else "no_route"
                item["scenario_reason"] = row.scenario_reason
                item["scenario_route"] = _summary(row.scenario_route, network) if row.scenario_route else None
                item["delta"] = _delta(row.route, row.scenario_route)
                item["change"] = _change(row.route, row.scenario_route)
            out_rows.append(item)
        return {
            "request": request_to_dict(self.request),
            "scenario": self.scenario.summary() if self.scenario else None,
            "rows": out_rows,
        }

    def format_table(self, network: Network) -> str:
        """A plain-text side-by-side table."""
        head = ["corridor", "days", "p90", "range d", "USD", "kg CO2e", "gen. USD", "borders", "trans", "countries"]
        lines: list[list[str]] = []
        for row in self.rows:
            for tag, route, reason in (("", row.route, row.reason), (" [scenario]", row.scenario_route, row.scenario_reason)):
                if tag and self.scenario is None:
                    continue
                name = row.label + tag
                if route is None:
                    lines.append([name, "-", "-", "-", "-", "-", "-", "-", "-", f"no route: {reason}"])
                    continue
                lines.append(
                    [
                        name,
                        f"{route.transit_days:.1f}",
                        f"{route.transit_hours_p90 / 24:.1f}",
                        f"{route.transit_hours_min / 24:.1f}-{route.transit_hours_max / 24:.1f}",
                        f"{route.cost_usd:,.0f}",
                        f"{route.co2e_kg:,.0f}",
                        f"{route.generalized_cost_usd:,.0f}",
                        str(route.border_crossings),
                        str(route.transshipments),
                        " ".join(route.countries),
                    ]
                )
            if self.scenario is not None:
                delta = _delta(row.route, row.scenario_route)
                if delta:
                    lines.append(
                        [
                            "  change",
                            f"{delta['transit_hours'] / 24:+.1f}",
                            f"{delta['transit_hours_p90'] / 24:+.1f}",
                            "",
                            f"{delta['cost_usd']:+,.0f}",
                            f"{delta['co2e_kg']:+,.0f}",
                            f"{delta['generalized_cost_usd']:+,.0f}",
                            "",
                            "",
                            _change(row.route, row.scenario_route),
                        ]
                    )
        widths = [max(len(head[i]), *(len(r[i]) for r in lines)) for i in range(len(head))]
        text = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(head)).rstrip()]
        text.append("  ".join("-" * w for w in widths))
        text += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in lines]
        return "\n".join(text)


def _summary(route: Route, network: Network) -> dict[str, Any]:
    data = route_to_dict(route, network)
    return data


def _delta(base: Route | None, new: Route | None) -> dict[str, float] | None:
    return None if base is None or new is None else route_delta(base, new)


def _change(base: Route | None, new: Route | None) -> str:
    if base is None and new is None:
        return "no route either way"
    if base is None:
        return "appears"
    if new is None:
        return "vanishes"
    return "same path" if base.places == new.places else "new path"


def _best(network: Network, request: RouteRequest, min_share: float) -> tuple[Route | None, str | None]:
    try:
        route = plan(network, request).routes[0]
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
    origin: str,
    destination: str,
    corridors: list[str] | None = None,
    *,
    scenario: Scenario | None = None,
    min_corridor_share: float = DEFAULT_MIN_CORRIDOR_SHARE,
    **options: Any,
) -> Comparison:
    """Compare corridors for one pair: each corridor's best route beside the unconstrained best.

    Parameters
    ----------
    corridors
        Corridor ids or aliases; all the network's corridors when None. A corridor that
        cannot serve the pair is kept, with the reason.
    scenario
        When given, every row is also planned under the scenario, with the differences.
    min_corridor_share
        A corridor whose best route runs less than this share (0..1) of its distance on the
        corridor is listed as not serving the pair, with the share in the reason.
    **options
        Route options of :func:`planner.resolve_request` (rank, teu/tonnes, avoid_*, modes, ...);
        ``k`` and ``corridor`` are set per row.

    Raises
    ------
    UnknownPlaceError, InvalidRequestError
        As for :func:`planner.plan_routes`.
    """
    options = {key: value for key, value in options.items() if key not in ("k", "corridor")}
    base_request = resolve_request(network, origin, destination, k=1, **options)
    ids = [resolve_corridor(network, c).id for c in corridors] if corridors else list(network.corridors)
    changed = scenario_network(network, scenario) if scenario is not None else None
    rows = []
    for corridor_id in [None, *dict.fromkeys(ids)]:
        request = replace(base_request, corridor=corridor_id)
        label = "best (any corridor)" if corridor_id is None else corridor_id
        route, reason = _best(network, request, min_corridor_share)
        scenario_route, scenario_reason = (None, None)
        if changed is not None:
            scenario_route, scenario_reason = _best(changed, request, min_corridor_share)
        rows.append(ComparisonRow(corridor_id, label, route, reason, scenario_route, scenario_reason))
    return Comparison(base_request, tuple(rows), scenario)
