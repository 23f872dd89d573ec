"""Planner results as plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from planner import Assignment, Comparison, Criticality, EventKind, Network, Route, RouteRequest, ScenarioPlan
from planner.compare import route_change, row_delta

from ._output import table

__all__ = [
    "format_arrival",
    "format_assignment",
    "format_comparison",
    "format_criticality",
    "format_legs",
    "format_month",
    "format_request",
    "format_routes",
    "format_scenario_plan",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_request(network: Network, request: RouteRequest) -> str:
    """``Xi'an -> Tashkent, ranked by time, 1 TEU (20ft), scheduled service`` and the date or month when given."""
    a, b = network.places[request.origin].name, network.places[request.destination].name
    if request.shipment == "tonnes":
        size = f"{request.tonnes:g} t of bulk"
    else:
        size = f"{request.teu:g} TEU ({request.container.value if request.container else '20ft'})"
    text = f"{a} -> {b}, ranked by {request.rank.value}, {size}, {request.service.value} service"
    if request.departure_date is not None:
        text += f", ready {request.departure_date.isoformat()}"
    elif request.month is not None:
        text += f", in {_MONTHS[request.month - 1]}"
    return text


def format_month(month: int) -> str:
    """``Dec`` for 12."""
    return _MONTHS[month - 1]


def format_arrival(route: Route) -> str:
    """``, departs ... arrives ... (P50 ..., P90 ...)`` for a route with arrival dates, else empty."""
    dates = route.arrival_date
    if dates is None:
        return ""
    return (
        f", ready {dates.departure.isoformat()}, arrives {dates.typical.isoformat()} "
        f"(P50 {dates.p50.isoformat()}, P90 {dates.p90.isoformat()})"
    )


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
    dated = any(r.arrival_date is not None for r in routes)
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
                *((f"{r.arrival_date.p50.isoformat()} / {r.arrival_date.p90.isoformat()}",) if dated and r.arrival_date else ()),
                " > ".join(r.places),
            )
        )
    headers = ["#", *TIME_HEADERS, "USD", "kg CO2e", "km", "borders", "trans", "crossed at", "corridors"]
    headers += ["arrives P50 / P90"] if dated else []
    return table([*headers, "via"], rows, right=(0, 1, 2, 3, 5, 6, 7, 8, 9))


def format_legs(route: Route) -> str:
    """One line per leg (running time, with its waits, queues, dwell and changes), then one line per event.

    Each event shows its typical hours and range, at the route's service level; a border its direction.
    """
    rows: list[tuple[object, ...]] = []
    for leg in route.legs:
        extra = sum(e.hours for e in leg.events)
        mode = leg.mode.value + (f" {leg.gauge_mm}" if leg.gauge_mm else "")
        rows.append(
            (leg.origin_name, leg.destination_name, mode, f"{leg.distance_km:,.0f}", f"{leg.hours - extra:.1f}",
             f"{leg.hours:.1f}", f"{leg.hours_min:.0f}-{leg.hours_max:.0f}", f"{leg.cost_usd:,.0f}", f"link {leg.link}")
        )  # fmt: skip
        for e in leg.events:
            what = e.kind.value
            if e.kind is EventKind.BORDER and e.direction:
                what += f" {e.direction} {e.from_country if e.direction == 'leaving' else e.to_country}"
            rows.append(("", "", f"  {what}", "", f"{e.hours:.1f}", "", f"{e.hours_min:.0f}-{e.hours_max:.0f}", f"{e.cost_usd:,.0f}", e.description))
    headers = ["from", "to", "mode / event", "km", "hours", "leg h", "range h", "USD", "what"]
    return table(headers, rows, right=(3, 4, 5, 6, 7))


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
        base, new = result.baseline.routes[0], result.planned.routes[0]  # type: ignore[union-attr]
        if base.places == new.places and base.link_ids != new.link_ids:
            lines.append(f"  same places, other links: {' '.join(base.link_ids)} -> {' '.join(new.link_ids)}")
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


def _big(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_assignment(result: Assignment, *, top: int = 10) -> str:
    """Corridor shares, the top bottlenecks (V/C, queue days, capacity to add) and unserved volume."""
    status = "converged" if result.converged else "NOT converged"
    lines = [
        f"demand {result.demand}" + (f", scenario {result.scenario}" if result.scenario else "")
        + f": {result.teu_per_year:,.0f} TEU-eq ({result.tonnes_per_year / 1e6:,.2f} Mt) a year; "
        f"{result.method}, {result.capacity_mode} capacity, relative gap {result.gap:.2e} after {result.iterations} "
        f"iteration(s), {status}, {result.seconds:.2f} s",
        "",
        "Corridor shares (served volume by the corridor most of its route runs on)",
    ]
    rows = [
        (c.name + (f" ({c.id})" if c.id else ""), _big(c.teu_per_year), f"{c.tonnes_per_year / 1e6:,.2f}", f"{c.share:.1%}")
        for c in result.corridors
    ]
    lines.append(table(["corridor", "TEU-eq/yr", "Mt/yr", "share"], rows, right=(1, 2, 3)))
    lines += ["", f"Top {min(top, len(result.assets))} bottlenecks (assets with published capacity, by V/C)"]
    assets = []
    for a in result.bottlenecks[:top]:
        volume = a.teu_per_year if a.capacity_teu_per_year is not None else a.tonnes_per_year
        capacity = a.capacity_teu_per_year if a.capacity_teu_per_year is not None else a.capacity_tonnes_per_year
        unit = "TEU-eq" if a.capacity_teu_per_year is not None else "t"
        extra = a.extra_teu_per_year if a.capacity_teu_per_year is not None else a.extra_tonnes_per_year
        assets.append((a.name, a.direction, f"{_big(volume)} {unit}", f"{_big(capacity)} {unit}", f"{a.vc:.2f}", f"{a.queue_days:,.1f}", _big(extra), a.capacity))
    lines.append(table(["asset", "direction", "volume/yr", "capacity/yr", "V/C", "queue d", "to add/yr", "capacity as published"], assets, right=(2, 3, 4, 5, 6)))
    lines += ["", f"Unserved: {result.unserved_teu_per_year:,.0f} TEU-eq ({result.unserved_tonnes_per_year / 1e6:,.2f} Mt) a year"]
    unserved = sorted(result.unserved, key=lambda od: -od.unserved_teu_per_year)
    if unserved:
        missing = [(od.origin, od.destination, _big(od.unserved_teu_per_year), od.unserved_reason or "") for od in unserved[:top]]
        lines.append(table(["origin", "destination", "TEU-eq/yr", "why"], missing, right=(2,)))
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


_CRITERION_WORDS = {"generalized": "generalized cost", "time": "time", "cost": "cost", "co2e": "CO2e"}
_METRIC_WORDS = {
    "generalized": "extra generalized cost (USD + value of time x hours)",
    "teu_days": "extra TEU-days",
    "usd": "extra USD",
    "co2e": "extra CO2e",
    "teu": "TEU-eq affected",
}


def _signed(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:+,.{digits}f}"


def format_criticality(result: Criticality, *, top: int = 20) -> str:
    """The run, then one line per asset (most critical first) and the notes."""
    what = (
        "full closure" if result.closure == "full" else f"capacity cut by {result.fraction:.0%}"
    ) + f" for {result.days:g} day(s)"
    demand = (
        f"demand {result.demand} ({result.teu_per_year:,.0f} TEU-eq a year, {result.pairs:,} OD pairs)"
        if result.weighting == "demand"
        else f"every OD pair weighted equally ({result.pairs:,} pairs)"
    )
    lines = [
        f"criticality of {len(result.assets)} asset(s): {what}; {demand}"
        + (f", scenario {result.scenario}" if result.scenario else "")
        + f"; routes by {_CRITERION_WORDS[result.criterion]}; ranked by {_METRIC_WORDS[result.metric]}, isolated or unserved volume first; "
        f"{result.seconds:.2f} s",
        "",
    ]
    rows = []
    for a in result.assets[:top]:
        moves = ", ".join(
            f"{c.id or 'off corridors'} {c.teu / a.diverted_teu:.0%}" for c in a.corridors[:2] if a.diverted_teu > 0
        )
        worst = a.busiest_fallback
        rows.append(
            (
                a.rank,
                a.asset.name,
                a.asset.facility,
                _big(a.teu_per_year) if a.assessed else "-",
                _big(a.teu),
                _big(a.lost_teu) if a.lost_teu >= 0.5 else ("<1" if a.lost_teu > 1e-6 else "0"),
                _signed(a.extra_days),
                _signed(a.extra_days_p90),
                _signed(a.extra_usd_per_teu, 0),
                _signed(a.extra_usd / 1e6, 2) if a.diverted_teu > 0 else "-",
                _signed(a.extra_co2e_t, 0) if a.diverted_teu > 0 else "-",
                moves or (a.note or "-"),
                f"{worst.name.split(' (')[0]} {worst.vc_before:.2f}>{worst.vc_after:.2f}" if worst else "-",
            )
        )
    headers = [
        "#", "asset", "kind", "TEU/yr moved", "TEU closure", "lost TEU", "+days", "+P90 d", "+USD/TEU", "+USD M",
        "+t CO2e", "moves to", "busiest fallback V/C",
    ]  # fmt: skip
    lines.append(table(headers, rows, right=(0, 3, 4, 5, 6, 7, 8, 9, 10)))
    lines.append("")
    lines.append(
        "TEU/yr moved: the yearly flow that must leave the asset; TEU closure, lost (isolated: no other route; "
        "unserved: other routes full) and the +USD M and +t CO2e totals count the closure's days; +days, +P90 d "
        "and +USD/TEU are means per diverted TEU-eq."
    )
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)
