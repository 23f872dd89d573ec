"""Planner results as plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from planner import Comparison, Route, ScenarioPlan
from planner.compare import route_change, row_delta

from ._output import table

__all__ = ["format_comparison", "format_legs", "format_routes", "format_scenario_plan"]


TIME_HEADERS = ["typical d", "P50 d", "P90 d", "range d"]
"""Transit time in days: typical (the sum of every part's most likely value, ``transit_hours``), the P50 and
P90 of the whole (``transit_hours_p50``, ``transit_hours_p90``) and min-max. Typical is often below P50."""


def _days(route: Route) -> list[str]:
    return [
        f"{route.transit_hours / 24:.1f}",
        f"{route.transit_hours_p50 / 24:.1f}",
        f"{route.transit_hours_p90 / 24:.1f}",
        f"{route.transit_hours_min / 24:.1f}-{route.transit_hours_max / 24:.1f}",
    ]


def format_routes(routes: Sequence[Route]) -> str:
    """One line per route: days (typical, P50, P90, range), USD, kg CO2e, km, borders, corridors, places."""
    rows = []
    for r in routes:
        corridors = ", ".join(f"{c.id} {c.share:.0%}" for c in r.corridors[:3]) or "-"
        crossings = ", ".join(f"{b.origin}/{b.destination}" for b in r.borders) or "-"
        rows.append(
            (
                r.rank,
                *_days(r),
                f"{r.cost_usd:,.0f}",
                f"{r.co2e_kg:,.0f}",
                f"{r.distance_km:,.0f}",
                r.border_crossings,
                r.transshipments,
                crossings,
                corridors,
                " > ".join(r.places),
            )
        )
    headers = ["#", *TIME_HEADERS, "USD", "kg CO2e", "km", "borders", "trans", "crossed at", "corridors", "via"]
    return table(headers, rows, right=(0, 1, 2, 3, 5, 6, 7, 8, 9))


def format_legs(route: Route) -> str:
    """One line per leg, with its events."""
    rows = []
    for leg in route.legs:
        events = "; ".join(f"{e.kind.value} {e.hours:g} h" for e in leg.events)
        rows.append((leg.origin_name, leg.destination_name, leg.mode.value, f"{leg.distance_km:,.0f}", f"{leg.hours:.1f}", f"{leg.cost_usd:,.0f}", f"{leg.co2e_kg:,.0f}", events))
    return table(["from", "to", "mode", "km", "hours", "USD", "kg CO2e", "events"], rows, right=(3, 4, 5, 6))


def format_scenario_plan(result: ScenarioPlan) -> str:
    """Baseline and scenario routes, the change of the best route, and the paths that appear or vanish."""
    lines = [f"scenario {result.scenario.name}: {result.scenario.title}"]
    for label, plan_, error in (("baseline", result.baseline, result.baseline_error), ("scenario", result.planned, result.planned_error)):
        if plan_ is None:
            lines.append(f"  {label}: no route ({error})")
            continue
        for r in plan_.routes:
            lines.append(
                f"  {label} #{r.rank}: typical {r.transit_days:.1f} d (P50 {r.transit_hours_p50 / 24:.1f} d, "
                f"P90 {r.transit_hours_p90 / 24:.1f} d), ${r.cost_usd:,.0f}, {r.co2e_kg:,.0f} kg CO2e  {' > '.join(r.places)}"
            )
        for note in plan_.notes:
            lines.append(f"  {label} note: {note}")
    delta = result.best_delta()
    if delta:
        lines.append(
            f"  best route change: {delta['transit_hours']:+.1f} h, {delta['cost_usd']:+,.0f} USD, "
            f"{delta['co2e_kg']:+,.0f} kg CO2e"
        )
    for p in result.appeared():
        lines.append("  appears: " + " > ".join(p))
    for p in result.vanished():
        lines.append("  vanishes: " + " > ".join(p))
    return "\n".join(lines)


def format_comparison(comparison: Comparison) -> str:
    """Corridors side by side: one line per corridor (and its scenario line and change, with a scenario)."""
    head = ["corridor", *TIME_HEADERS, "USD", "kg CO2e", "gen. USD", "borders", "trans", "countries"]
    lines: list[list[str]] = []
    for row in comparison.rows:
        for tag, route, reason in (("", row.route, row.reason), (" [scenario]", row.scenario_route, row.scenario_reason)):
            if tag and comparison.scenario is None:
                continue
            name = row.label + tag
            if route is None:
                lines.append([name, "-", "-", "-", "-", "-", "-", "-", "-", "-", f"no route: {reason}"])
                continue
            lines.append(
                [
                    name,
                    *_days(route),
                    f"{route.cost_usd:,.0f}",
                    f"{route.co2e_kg:,.0f}",
                    f"{route.generalized_cost_usd:,.0f}",
                    str(route.border_crossings),
                    str(route.transshipments),
                    " ".join(route.countries),
                ]
            )
        if comparison.scenario is not None:
            delta = row_delta(row.route, row.scenario_route)
            if delta:
                lines.append(
                    [
                        "  change",
                        f"{delta['transit_hours'] / 24:+.1f}",
                        f"{delta['transit_hours_p50'] / 24:+.1f}",
                        f"{delta['transit_hours_p90'] / 24:+.1f}",
                        "",
                        f"{delta['cost_usd']:+,.0f}",
                        f"{delta['co2e_kg']:+,.0f}",
                        f"{delta['generalized_cost_usd']:+,.0f}",
                        "",
                        "",
                        route_change(row.route, row.scenario_route),
                    ]
                )
    widths = [max(len(head[i]), *(len(r[i]) for r in lines)) for i in range(len(head))]
    text = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(head)).rstrip()]
    text.append("  ".join("-" * w for w in widths))
    text += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in lines]
    return "\n".join(text)
