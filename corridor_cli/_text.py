"""Planner results as tables for the terminal (see :mod:`corridor_cli._table` for widths)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from planner import Assignment, Comparison, Criticality, EventKind, Network, Route, RouteRequest, ScenarioPlan
from planner.compare import route_change, row_delta

from ._table import Cell, Clip, Column, PlacePath, output_width, render_table

__all__ = [
    "format_arrival",
    "format_assignment",
    "format_comparison",
    "format_criticality",
    "format_legs",
    "format_month",
    "format_request",
    "format_routes",
    "format_scenario_routes",
    "format_shipment",
    "paragraph",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def paragraph(text: str, *, wide: bool = False, indent: str = "") -> str:
    """``text`` wrapped to the output width (whole with ``--wide``), continuation lines indented by ``indent``."""
    width = output_width(wide=wide)
    if width is None or len(text) <= width:
        return text
    return textwrap.fill(text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def format_shipment(request: RouteRequest) -> str:
    """The shipment in the units it was given: ``25 t of bulk``, ``1 TEU (20ft)``, ``2 x 40ft (4 TEU)``."""
    if request.shipment == "tonnes":
        return f"{request.tonnes:g} t of bulk"
    box = request.container
    if box is None or box.teu == 1:
        return f"{request.teu:g} TEU ({box.value if box else '20ft'})"
    return f"{request.teu / box.teu:g} x {box.value} ({request.teu:g} TEU)"


def format_request(network: Network, request: RouteRequest) -> str:
    """``Xi'an -> Tashkent, ranked by time, 1 TEU (20ft), scheduled service`` and the date or month when given."""
    a, b = network.places[request.origin].name, network.places[request.destination].name
    text = f"{a} -> {b}, ranked by {request.rank.value}, {format_shipment(request)}, {request.service.value} service"
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


# Transit time in days: typical (the sum of every part's most likely value, ``transit_hours``), the P50 and
# P90 of the whole (``transit_hours_p50``, ``transit_hours_p90``) and min-max. Typical is often below P50.
_TIME = [Column("typical d", right=True), Column("P50 d", right=True), Column("P90 d", right=True),
         Column("range d", right=True, drop=1)]  # fmt: skip


def _days(route: Route) -> list[Cell]:
    return [
        f"{route.transit_hours / 24:.1f}",
        f"{route.transit_hours_p50 / 24:.1f}",
        f"{route.transit_hours_p90 / 24:.1f}",
        f"{route.transit_hours_min / 24:.1f}-{route.transit_hours_max / 24:.1f}",
    ]


def _path(route: Route) -> PlacePath:
    """The route's places; shortened, it keeps the border points and the places where the mode changes."""
    index = {place: i for i, place in enumerate(route.places)}
    keep = {index[p] for crossing in route.borders for p in (crossing.origin, crossing.destination) if p in index}
    for before, after in zip(route.legs, route.legs[1:], strict=False):
        if before.mode is not after.mode and after.origin in index:
            keep.add(index[after.origin])
    return PlacePath(route.places, keep)


def _route_columns(dated: bool) -> list[Column]:
    columns = [Column("#"), *_TIME]
    columns += [Column("USD", right=True), Column("kg CO2e", right=True), Column("km", right=True, drop=2)]
    columns += [Column("borders", right=True), Column("trans", right=True)]
    if dated:
        columns += [Column("arrives P50", right=True, drop=2), Column("arrives P90", right=True)]
    # The shortened path keeps the border points: "crossed at" lists them again, on one line, with --wide.
    columns += [Column("crossed at", wide_only=True), Column("corridors", drop=3), Column("via", flex=True, min_width=24)]
    return columns


def _route_cells(label: str, route: Route, dated: bool) -> list[Cell]:
    cells: list[Cell] = [label, *_days(route), f"{route.cost_usd:,.0f}", f"{route.co2e_kg:,.0f}"]
    cells += [f"{route.distance_km:,.0f}", str(route.border_crossings), str(route.transshipments)]
    if dated:
        dates = route.arrival_date
        cells += [dates.p50.isoformat(), dates.p90.isoformat()] if dates else ["-", "-"]
    cells.append(", ".join(f"{b.origin}/{b.destination}" for b in route.borders) or "-")
    cells.append(", ".join(f"{c.id} {c.share:.0%}" for c in route.corridors[:3]) or "-")
    cells.append(_path(route))
    return cells


def _missing_cells(label: str, dated: bool, why: str) -> list[Cell]:
    return [label, *(["-"] * (9 + (2 if dated else 0) + 2)), why]


def format_routes(routes: Sequence[Route], *, wide: bool = False) -> str:
    """One line per route: days (typical, P50, P90, range), USD, kg CO2e, km, borders, transshipments,
    arrival dates (with a departure date), border points, corridors and the places passed."""
    dated = any(r.arrival_date is not None for r in routes)
    rows = [_route_cells(str(r.rank), r, dated) for r in routes]
    return render_table(_route_columns(dated), rows, wide=wide)


def _change_cells(base: Route | None, new: Route | None, dated: bool, what: str) -> list[Cell]:
    """Scenario minus baseline in the route columns; ``what`` says what happened to the path."""
    delta = row_delta(base, new)
    blank = 9 + (2 if dated else 0) + 2
    if delta is None or base is None or new is None:
        return ["  change", *([""] * blank), what]
    cells: list[Cell] = [
        "  change",
        f"{delta['transit_hours'] / 24:+.1f}",
        f"{delta['transit_hours_p50'] / 24:+.1f}",
        f"{delta['transit_hours_p90'] / 24:+.1f}",
        "",
        f"{delta['cost_usd']:+,.0f}",
        f"{delta['co2e_kg']:+,.0f}",
        f"{new.distance_km - base.distance_km:+,.0f}",
        f"{new.border_crossings - base.border_crossings:+d}",
        f"{new.transshipments - base.transshipments:+d}",
    ]
    return [*cells, *([""] * ((2 if dated else 0) + 2)), what]


def _path_change(base: Route | None, new: Route | None, base_routes: Sequence[Route], new_routes: Sequence[Route]) -> str:
    """What became of the path at one rank: same path, other links, a path another rank had, or new."""
    if base is not None and new is not None and base.places == new.places:
        if base.link_ids == new.link_ids:
            return "same path"
        changed = [f"{a} -> {b}" for a, b in zip(base.link_ids, new.link_ids, strict=False) if a != b]
        return f"same places, other links: {', '.join(changed)}"
    if new is not None:
        before = next((r.rank for r in base_routes if r.places == new.places), None)
        if before is not None:
            return f"path of route {before} before"
        return "new path" if base is not None else "appears"
    if base is not None:
        after = next((r.rank for r in new_routes if r.places == base.places), None)
        return f"now route {after}" if after is not None else "vanishes"
    return route_change(base, new)


def format_scenario_routes(result: ScenarioPlan, *, wide: bool = False) -> str:
    """The route table with, rank by rank, the route on today's network, the route under the scenario and
    the change (scenario minus today; the last column says what became of the path)."""
    base = list(result.baseline.routes) if result.baseline else []
    new = list(result.planned.routes) if result.planned else []
    dated = any(r.arrival_date is not None for r in (*base, *new))
    rows: list[list[Cell]] = []
    for i in range(max(len(base), len(new))):
        b = base[i] if i < len(base) else None
        n = new[i] if i < len(new) else None
        if b is not None:
            rows.append(_route_cells(str(i + 1), b, dated))
        else:
            rows.append(_missing_cells(str(i + 1), dated, f"no route: {result.baseline_error}" if not base else f"no route {i + 1} (see the note)"))
        if n is not None:
            rows.append(_route_cells("  scenario", n, dated))
        else:
            rows.append(_missing_cells("  scenario", dated, f"no route: {result.planned_error}" if not new else f"no route {i + 1} (see the note)"))
        rows.append(_change_cells(b, n, dated, _path_change(b, n, base, new)))
    return render_table(_route_columns(dated), rows, wide=wide)


def format_legs(route: Route, *, wide: bool = False) -> str:
    """One line per leg (running time, then the leg's total with its waits, queues, dwell and changes),
    then one line per event: its typical hours and range at the route's service level; a border its direction."""
    rows: list[list[Cell]] = []
    for leg in route.legs:
        extra = sum(e.hours for e in leg.events)
        mode = leg.mode.value + (f" {leg.gauge_mm}" if leg.gauge_mm else "")
        rows.append(
            [mode, f"{leg.distance_km:,.0f}", f"{leg.hours - extra:.1f}", f"{leg.hours:.1f}",
             f"{leg.hours_min:.0f}-{leg.hours_max:.0f}", f"{leg.cost_usd:,.0f}",
             f"{leg.origin_name} > {leg.destination_name} (link {leg.link})"]
        )  # fmt: skip
        for e in leg.events:
            what = e.kind.value
            if e.kind is EventKind.BORDER and e.direction:
                what += f" {e.direction} {e.from_country if e.direction == 'leaving' else e.to_country}"
            rows.append([f"  {what}", "", f"{e.hours:.1f}", "", f"{e.hours_min:.0f}-{e.hours_max:.0f}",
                         f"{e.cost_usd:,.0f}", e.description])  # fmt: skip
    columns = [
        Column("mode / event"), Column("km", right=True), Column("hours", right=True), Column("leg h", right=True),
        Column("range h", right=True), Column("USD", right=True), Column("leg / what", flex=True, min_width=24),
    ]  # fmt: skip
    return render_table(columns, rows, wide=wide)


def format_comparison(comparison: Comparison, *, wide: bool = False) -> str:
    """Corridors side by side: one line per corridor (and, with a scenario, its scenario line and the change),
    then why each corridor without a route has none."""
    columns = [Column("corridor"), *_TIME, Column("USD", right=True), Column("kg CO2e", right=True),
               Column("gen. USD", right=True, drop=2), Column("borders", right=True), Column("trans", right=True),
               Column("countries", flex=True, min_width=16)]  # fmt: skip
    rows: list[list[Cell]] = []
    why: list[str] = []
    for row in comparison.rows:
        for label, route, reason in ((row.label, row.route, row.reason), ("  scenario", row.scenario_route, row.scenario_reason)):
            if label == "  scenario" and comparison.scenario is None:
                continue
            if route is None:
                rows.append([label, *(["-"] * 9), "no route, see below"])
                name = row.label + (" under the scenario" if label == "  scenario" else "")
                why.append(paragraph(f"{name}: {_no_route(reason)}", wide=wide, indent="  "))
                continue
            rows.append(
                [label, *_days(route), f"{route.cost_usd:,.0f}", f"{route.co2e_kg:,.0f}",
                 f"{route.generalized_cost_usd:,.0f}", str(route.border_crossings), str(route.transshipments),
                 " ".join(route.countries)]
            )  # fmt: skip
        if comparison.scenario is not None:
            delta = row_delta(row.route, row.scenario_route)
            change = route_change(row.route, row.scenario_route)
            if delta is None:
                rows.append(["  change", *([""] * 9), change])
                continue
            rows.append(
                ["  change", f"{delta['transit_hours'] / 24:+.1f}", f"{delta['transit_hours_p50'] / 24:+.1f}",
                 f"{delta['transit_hours_p90'] / 24:+.1f}", "", f"{delta['cost_usd']:+,.0f}", f"{delta['co2e_kg']:+,.0f}",
                 f"{delta['generalized_cost_usd']:+,.0f}", "", "", change]
            )  # fmt: skip
    text = render_table(columns, rows, wide=wide)
    return text + ("\n\n" + "\n".join(why) if why else "")


def _no_route(reason: str | None) -> str:
    reason = reason or "no route"
    return reason if reason.startswith("no route") else f"no route: {reason}"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = (), flex: int = 0, drop: Sequence[int] = ()
) -> str:
    """A table of strings through :func:`render_table`: column ``flex`` wraps to fit the terminal, those in
    ``drop`` are left out (last first) when it would not fit otherwise."""
    columns = [
        Column(h, right=i in right, flex=i == flex, drop=(len(drop) - list(drop).index(i)) if i in drop else 0)
        for i, h in enumerate(headers)
    ]
    return render_table(columns, [[str(c) for c in r] for r in rows])


def _big(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_assignment(result: Assignment, *, top: int = 10, wide: bool = False) -> str:
    """Corridor shares, the top bottlenecks (V/C, queue days, capacity to add) and unserved volume."""
    status = "converged" if result.converged else "NOT converged"
    head = (
        f"demand {result.demand}" + (f", scenario {result.scenario}" if result.scenario else "")
        + f": {result.teu_per_year:,.0f} TEU-eq ({result.tonnes_per_year / 1e6:,.2f} Mt) a year; "
        f"{result.method}, {result.capacity_mode} capacity, relative gap {result.gap:.2e} after {result.iterations} "
        f"iteration(s), {status}, {result.seconds:.2f} s"
    )  # fmt: skip
    lines = [paragraph(head, wide=wide), "", "Corridor shares (served volume by the corridor most of its route runs on)"]
    shares: list[list[Cell]] = [
        [c.name + (f" ({c.id})" if c.id else ""), _big(c.teu_per_year), f"{c.tonnes_per_year / 1e6:,.2f}", f"{c.share:.1%}"]
        for c in result.corridors
    ]
    columns = [Column("corridor", flex=True, min_width=20), Column("TEU-eq/yr", right=True),
               Column("Mt/yr", right=True), Column("share", right=True)]  # fmt: skip
    lines.append(render_table(columns, shares, wide=wide))
    lines += ["", f"Top {min(top, len(result.assets))} bottlenecks (assets with published capacity, by V/C)"]
    assets: list[list[Cell]] = []
    for a in result.bottlenecks[:top]:
        volume = a.teu_per_year if a.capacity_teu_per_year is not None else a.tonnes_per_year
        capacity = a.capacity_teu_per_year if a.capacity_teu_per_year is not None else a.capacity_tonnes_per_year
        unit = "TEU-eq" if a.capacity_teu_per_year is not None else "t"
        extra = a.extra_teu_per_year if a.capacity_teu_per_year is not None else a.extra_tonnes_per_year
        assets.append([a.name, a.direction, _big(volume), _big(capacity), unit, f"{a.vc:.2f}", f"{a.queue_days:,.1f}",
                       _big(extra), Clip(a.capacity, 2)])  # fmt: skip
    columns = [Column("asset", flex=True, min_width=24), Column("direction", drop=1), Column("volume/yr", right=True),
               Column("capacity/yr", right=True), Column("unit"), Column("V/C", right=True),
               Column("queue d", right=True), Column("to add/yr", right=True, drop=2),
               Column("capacity as published", flex=True, min_width=16, drop=3)]  # fmt: skip
    lines.append(render_table(columns, assets, wide=wide))
    lines += ["", f"Unserved: {result.unserved_teu_per_year:,.0f} TEU-eq ({result.unserved_tonnes_per_year / 1e6:,.2f} Mt) a year"]
    unserved = sorted(result.unserved, key=lambda od: -od.unserved_teu_per_year)
    if unserved:
        missing: list[list[Cell]] = [
            [od.origin, od.destination, _big(od.unserved_teu_per_year), od.unserved_reason or ""] for od in unserved[:top]
        ]
        columns = [Column("origin"), Column("destination"), Column("TEU-eq/yr", right=True), Column("why", flex=True, min_width=20)]
        lines.append(render_table(columns, missing, wide=wide))
    for warning in result.warnings:
        lines.append(paragraph(f"warning: {warning}", wide=wide, indent="  "))
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
    # The asset's name wraps; when the terminal is narrow the least needed columns go first (--json has all).
    lines.append(table(headers, rows, right=(0, 3, 4, 5, 6, 7, 8, 9, 10), flex=1, drop=(4, 10, 9, 2, 12, 7, 5)))
    lines.append("")
    lines.append(
        "TEU/yr moved: the yearly flow that must leave the asset; TEU closure, lost (isolated: no other route; "
        "unserved: other routes full) and the +USD M and +t CO2e totals count the closure's days; +days, +P90 d "
        "and +USD/TEU are means per diverted TEU-eq."
    )
    for note in result.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)
