"""Plain-JSON views of routes and networks (for the CLI, the API and files), and GeoJSON."""

from __future__ import annotations

from typing import Any

from ._shipment import shipment_of
from .compare import Comparison, route_change, row_delta
from .matrix import CellError, RouteFigures, RouteMatrix
from .model import BorderControls, BorderDirection, Corridor, Link, Place, ServiceHours, ServiceLevel
from .network import Network
from .request import DEFAULT_SERVICE, RouteRequest
from .route import Event, Leg, Route
from .scenario_plan import ScenarioPlan, route_delta

__all__ = [
    "MATRIX_COLUMNS",
    "comparison_to_dict",
    "corridor_geojson",
    "corridor_to_dict",
    "event_to_dict",
    "figures_to_dict",
    "leg_to_dict",
    "matrix_rows",
    "matrix_to_dict",
    "network_geojson",
    "place_to_dict",
    "request_to_dict",
    "route_feature",
    "route_to_dict",
    "scenario_plan_to_dict",
]

JSON = dict[str, Any]


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits)


def event_to_dict(event: Event) -> JSON:
    out: JSON = {
        "type": event.kind.value,
        "place": event.place,
        "place_name": event.place_name,
        "hours": _r(event.hours),
        "hours_min": _r(event.hours_min),
        "hours_max": _r(event.hours_max),
        "cost_usd": _r(event.cost_usd),
        "description": event.description,
    }
    for name in ("from_mode", "to_mode", "from_country", "to_country", "from_gauge_mm", "to_gauge_mm", "departures_per_week", "direction"):
        value = getattr(event, name)
        if value is not None:
            out[name] = value.value if hasattr(value, "value") else value
    return out


def link_coordinates(network: Network, link: Link, *, reverse: bool = False) -> list[list[float]]:
    """GeoJSON [lon, lat] points of a link from its origin (or, reversed, its destination), waypoints included."""
    a, b = network.places[link.origin], network.places[link.destination]
    points = [[a.lon, a.lat], *([lon, lat] for lat, lon in link.waypoints), [b.lon, b.lat]]
    return points[::-1] if reverse else points


def leg_to_dict(leg: Leg, network: Network | None = None) -> JSON:
    out: JSON = {
        "from": {"id": leg.origin, "name": leg.origin_name},
        "to": {"id": leg.destination, "name": leg.destination_name},
        "link": leg.link,
        "mode": leg.mode.value,
        "gauge_mm": leg.gauge_mm,
        "distance_km": _r(leg.distance_km, 1),
        "hours": _r(leg.hours),
        "hours_min": _r(leg.hours_min),
        "hours_max": _r(leg.hours_max),
        "cost_usd": _r(leg.cost_usd),
        "co2e_kg": _r(leg.co2e_kg),
        "events": [event_to_dict(e) for e in leg.events],
    }
    if network is not None:
        link = network.links[leg.link]
        out["geometry"] = link_coordinates(network, link, reverse=leg.origin != link.origin)
    return out


def route_to_dict(route: Route, network: Network | None = None) -> JSON:
    """A route as JSON-ready data, fields named as in the routing documentation."""
    out: JSON = {
        "rank": route.rank,
        "transit_hours": _r(route.transit_hours),
        "transit_hours_min": _r(route.transit_hours_min),
        "transit_hours_max": _r(route.transit_hours_max),
        "transit_hours_p50": _r(route.transit_hours_p50),
        "transit_hours_p90": _r(route.transit_hours_p90),
        "transit_days": _r(route.transit_days),
        "cost_usd": _r(route.cost_usd),
        "co2e_kg": _r(route.co2e_kg),
        "generalized_cost_usd": _r(route.generalized_cost_usd),
        "distance_km": _r(route.distance_km, 1),
        "border_crossings": route.border_crossings,
        "borders": [
            {"link": b.link, "from": b.origin, "to": b.destination, "countries": list(b.countries)} for b in route.borders
        ],
        "transshipments": route.transshipments,
        "countries": list(route.countries),
        "main_corridor": route.main_corridor,
        "corridors": [{"id": c.id, "name": c.name, "share": c.share} for c in route.corridors],
        "places": list(route.places),
        "best_on": list(route.best_on),
        "service": route.service.value,
        "container": route.container.value if route.container is not None else None,
        "month": route.month,
        "arrival_date": _arrival(route),
        "legs": [leg_to_dict(leg, network) for leg in route.legs],
    }
    if network is not None:
        out["place_names"] = [network.places[p].name for p in route.places]
        for item in out["borders"]:
            item["from_name"] = network.places[item["from"]].name
            item["to_name"] = network.places[item["to"]].name
    return out


def figures_to_dict(figures: RouteFigures) -> JSON:
    """A matrix cell's route as JSON-ready data: the totals of :func:`route_to_dict`, without legs."""
    return {
        "transit_hours": _r(figures.transit_hours),
        "transit_hours_min": _r(figures.transit_hours_min),
        "transit_hours_max": _r(figures.transit_hours_max),
        "transit_hours_p50": _r(figures.transit_hours_p50),
        "transit_hours_p90": _r(figures.transit_hours_p90),
        "transit_days": _r(figures.transit_hours / 24.0),
        "cost_usd": _r(figures.cost_usd),
        "co2e_kg": _r(figures.co2e_kg),
        "generalized_cost_usd": _r(figures.generalized_cost_usd),
        "distance_km": _r(figures.distance_km, 1),
        "border_crossings": figures.border_crossings,
        "transshipments": figures.transshipments,
        "main_corridor": figures.main_corridor.id if figures.main_corridor is not None else None,
        "corridors": [{"id": c.id, "name": c.name, "share": c.share} for c in figures.corridors],
        "places": list(figures.places),
        "arrival_date": _arrival(figures),
    }


def _cell_to_dict(cell: RouteFigures | CellError) -> JSON:
    if isinstance(cell, CellError):
        return {"error": {"code": cell.code, "message": cell.message}}
    return figures_to_dict(cell)


_NOT_MATRIX_OPTIONS = ("origin", "destination", "k", "max_shared_fraction", "max_stretch")


def matrix_to_dict(matrix: RouteMatrix, network: Network) -> JSON:
    """A route matrix as the API's JSON body: the options, the places, and ``cells[i][j]`` (a route or an error)."""
    request = {k: v for k, v in request_to_dict(matrix.request, network).items() if k not in _NOT_MATRIX_OPTIONS}
    return {
        "request": request,
        "origins": [{"id": p, "name": network.places[p].name} for p in matrix.origins],
        "destinations": [{"id": p, "name": network.places[p].name} for p in matrix.destinations],
        "cells": [[_cell_to_dict(cell) for cell in row] for row in matrix.cells],
    }


MATRIX_COLUMNS = (
    "origin", "destination", "status", "error_code", "error", "transit_hours", "transit_hours_p50",
    "transit_hours_p90", "cost_usd", "co2e_kg", "distance_km", "border_crossings", "transshipments",
    "main_corridor", "corridors", "places",
)  # fmt: skip
"""Columns of a matrix as a table (CSV): one line per cell, origins in order, then destinations."""


def matrix_rows(matrix: RouteMatrix) -> list[JSON]:
    """One flat row per cell (:data:`MATRIX_COLUMNS`), for CSV files and tables."""
    rows = []
    for origin, cells in zip(matrix.origins, matrix.cells, strict=True):
        for destination, cell in zip(matrix.destinations, cells, strict=True):
            row: JSON = dict.fromkeys(MATRIX_COLUMNS)
            row.update(origin=origin, destination=destination)
            if isinstance(cell, CellError):
                row.update(status="error", error_code=cell.code, error=cell.message)
            else:
                row.update(
                    status="ok",
                    transit_hours=_r(cell.transit_hours),
                    transit_hours_p50=_r(cell.transit_hours_p50),
                    transit_hours_p90=_r(cell.transit_hours_p90),
                    cost_usd=_r(cell.cost_usd),
                    co2e_kg=_r(cell.co2e_kg),
                    distance_km=_r(cell.distance_km, 1),
                    border_crossings=cell.border_crossings,
                    transshipments=cell.transshipments,
                    main_corridor=cell.main_corridor.id if cell.main_corridor is not None else None,
                    corridors=";".join(c.id for c in cell.corridors),
                    places=" > ".join(cell.places),
                )
            rows.append(row)
    return rows


def _arrival(route: Route | RouteFigures) -> JSON | None:
    dates = route.arrival_date
    if dates is None:
        return None
    return {
        "departure": dates.departure.isoformat(),
        "typical": dates.typical.isoformat(),
        "p50": dates.p50.isoformat(),
        "p90": dates.p90.isoformat(),
    }


def request_to_dict(request: RouteRequest, network: Network | None = None) -> JSON:
    """The resolved request, as echoed by the API; with the network, bulk tonnes also show their load units."""
    out: JSON = {
        "origin": request.origin,
        "destination": request.destination,
        "rank": request.rank.value,
        "k": request.k,
        "teu": _r(request.teu, 4),
        "tonnes": _r(request.tonnes, 4),
        "shipment": request.shipment,
        "avoid_countries": list(request.avoid_countries),
        "avoid_places": list(request.avoid_places),
        "avoid_links": list(request.avoid_links),
        "modes": [m.value for m in request.modes],
        "via": list(request.via),
        "corridor": request.corridor,
        "max_border_crossings": request.max_border_crossings,
        "max_transshipments": request.max_transshipments,
        "max_shared_fraction": request.max_shared_fraction,
        "max_stretch": request.max_stretch,
        "value_of_time_usd_per_teu_hour": request.value_of_time_usd_per_teu_hour,
        "tonnes_per_teu": request.tonnes_per_teu,
        "service": request.service.value,
        "container": request.container.value if request.container is not None else None,
        "departure_date": request.departure_date.isoformat() if request.departure_date is not None else None,
        "month": request.month,
    }
    if network is not None and request.shipment == "tonnes":
        out["load_units"] = [
            {"mode": u.mode.value, "unit": u.unit, "tonnes_per_unit": u.tonnes_per_unit, "units": u.units}
            for u in shipment_of(network, request).load_units
        ]
    return out


def corridor_to_dict(corridor: Corridor) -> JSON:
    """A corridor's id, name, aliases, description, main line and branches (place ids)."""
    return {
        "id": corridor.id,
        "name": corridor.name,
        "aliases": list(corridor.aliases),
        "description": corridor.description,
        "places": list(corridor.places),
        "branches": [list(b) for b in corridor.branches],
    }


def place_to_dict(place: Place) -> JSON:
    out: JSON = {
        "id": place.id,
        "name": place.name,
        "aliases": list(place.aliases),
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
        "kinds": sorted(k.value for k in place.kinds),
    }
    if place.border:
        border = place.border
        entering = border.controls.dwell(BorderDirection.ENTERING, DEFAULT_SERVICE)
        out["border"] = {
            # The scheduled level, entering the country: the figure a map tooltip shows.
            "dwell_hours": entering.typical,
            "dwell_hours_min": entering.min,
            "dwell_hours_max": entering.max,
            "fee_usd_per_teu": border.controls.fee_entering_usd_per_teu.value,
            **_controls_to_dict(border.controls),
            "by_mode": {mode.value: _controls_to_dict(controls) for mode, controls in border.by_mode},
        }
    if place.gauge_change:
        out["gauge_change"] = {
            "hours": place.gauge_change.hours.scheduled.typical,
            "hours_by_service": _service_hours(place.gauge_change.hours),
            "cost_usd_per_teu": place.gauge_change.cost_usd_per_teu.value,
        }
    if place.transshipments:
        out["transshipment"] = [
            {
                "modes": sorted(m.value for m in t.modes),
                "hours": t.hours.scheduled.typical,
                "hours_by_service": _service_hours(t.hours),
                "cost_usd_per_teu": t.cost_usd_per_teu.value,
            }
            for t in place.transshipments
        ]
    return out


def _service_hours(hours: ServiceHours) -> JSON:
    """``{level: [min, typical, max]}``."""
    return {level.value: [h.min, h.typical, h.max] for level in ServiceLevel if (h := hours.at(level))}


def _controls_to_dict(controls: BorderControls) -> JSON:
    return {
        "dwell_by_service": {
            direction.value: _service_hours(controls.entering if direction is BorderDirection.ENTERING else controls.leaving)
            for direction in BorderDirection
        },
        "fees_usd_per_teu": {direction.value: controls.fee(direction).value for direction in BorderDirection},
    }


def _departures(link: Link) -> JSON | None:
    """``{level: departures a week}`` for the levels with a timetable, or None."""
    if link.departures is None:
        return None
    out = {}
    for level in ServiceLevel:
        timetable = link.departures.at(level)
        if timetable is not None:
            out[level.value] = timetable.per_week.value
    return out


def _provenance(network: Network, link: Link) -> str:
    parts = [network.sources[k].cite() for k in link.provenance.sources if k in network.sources]
    if link.provenance.estimate:
        parts.append("estimate: " + link.provenance.estimate)
    return "; ".join(parts)


def network_geojson(network: Network) -> JSON:
    """The network as a GeoJSON FeatureCollection: places as Points, links as LineStrings."""
    features: list[JSON] = []
    for place in network.places.values():
        props = place_to_dict(place)
        props["feature"] = "place"
        features.append({"type": "Feature", "id": place.id, "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]}, "properties": props})
    for link in network.links.values():
        link_props: JSON = {
            "feature": "link",
            "id": link.id,
            "from": link.origin,
            "to": link.destination,
            "mode": link.mode.value,
            "gauge_mm": link.gauge_mm,
            "distance_km": link.distance_km.value,
            "transit_hours": link.transit_hours.typical if link.transit_hours else None,
            "cost_usd_per_teu": link.cost_usd_per_teu.value if link.cost_usd_per_teu else None,
            "departures_per_week": (t.per_week.value if (t := link.departures and link.departures.at(DEFAULT_SERVICE)) else None),
            "departures_by_service": _departures(link),
            "season": link.season,
            "bidirectional": link.bidirectional,
            "status": link.status.value,
            "source": _provenance(network, link),
        }
        features.append(
            {
                "type": "Feature",
                "id": link.id,
                "geometry": {"type": "LineString", "coordinates": link_coordinates(network, link)},
                "properties": link_props,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": network.info.id,
        "properties": {"name": network.info.name, "version": network.info.version},
        "features": features,
    }


def corridor_geojson(network: Network, corridor_id: str) -> JSON:
    """A corridor's lines as a MultiLineString Feature."""
    corridor = network.corridors[corridor_id]
    lines = [[[network.places[p].lon, network.places[p].lat] for p in line] for line in corridor.lines]
    return {
        "type": "Feature",
        "id": corridor.id,
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {"id": corridor.id, "name": corridor.name, "aliases": list(corridor.aliases)},
    }


def route_feature(route: Route, network: Network) -> JSON:
    """A route as a GeoJSON Feature: its LineString and its totals as properties."""
    coords: list[list[float]] = []
    for leg in route.legs:
        link = network.links[leg.link]
        points = link_coordinates(network, link, reverse=leg.origin != link.origin)
        coords.extend(points[1:] if coords else points)
    props = route_to_dict(route, network)
    return {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}, "properties": props}


def scenario_plan_to_dict(result: ScenarioPlan, network: Network) -> JSON:
    """Routes under a scenario beside the baseline's: each scenario route with its delta, and what appeared or vanished."""
    request = result.planned or result.baseline
    base_by_places = {r.places: r for r in result.baseline.routes} if result.baseline else {}
    routes = []
    for r in result.planned.routes if result.planned else ():
        item = route_to_dict(r, network)
        match = base_by_places.get(r.places)
        item["delta"] = route_delta(match, r) if match else None
        item["change"] = "unchanged-path" if match else "appears"
        routes.append(item)
    return {
        "request": request_to_dict(request.request, network) if request else None,
        "scenario": result.scenario.summary(),
        "routes": routes,
        "notes": list(result.planned.notes) if result.planned else [],
        "error": result.planned_error,
        "baseline": {
            "routes": [route_to_dict(r, network) for r in result.baseline.routes] if result.baseline else [],
            "notes": list(result.baseline.notes) if result.baseline else [],
            "error": result.baseline_error,
        },
        "delta": result.best_delta(),
        "appeared": [list(p) for p in result.appeared()],
        "vanished": [list(p) for p in result.vanished()],
    }


def comparison_to_dict(comparison: Comparison, network: Network) -> JSON:
    """A corridor comparison: per row the route's figures, and with a scenario the scenario's and the deltas."""
    out_rows = []
    for row in comparison.rows:
        item: JSON = {
            "corridor": None if row.corridor is None else {"id": row.corridor, "name": network.corridors[row.corridor].name},
            "label": row.label,
            "status": "ok" if row.route else "no_route",
            "reason": row.reason,
            "route": route_to_dict(row.route, network) if row.route else None,
        }
        if comparison.scenario is not None:
            item["scenario_status"] = "ok" if row.scenario_route else "no_route"
            item["scenario_reason"] = row.scenario_reason
            item["scenario_route"] = route_to_dict(row.scenario_route, network) if row.scenario_route else None
            item["delta"] = row_delta(row.route, row.scenario_route)
            item["change"] = route_change(row.route, row.scenario_route)
        out_rows.append(item)
    return {
        "request": request_to_dict(comparison.request, network),
        "scenario": comparison.scenario.summary() if comparison.scenario else None,
        "rows": out_rows,
    }
