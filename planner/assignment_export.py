"""An assignment as JSON, CSV tables and GeoJSON (text tables for the terminal live in the CLI)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from .assignment import Assignment
from .export import link_coordinates
from .network import Network

__all__ = ["ASSET_COLUMNS", "LINK_COLUMNS", "OD_COLUMNS", "assignment_csv", "assignment_geojson", "assignment_to_dict"]

JSON = dict[str, Any]

ASSET_COLUMNS = (
    "asset", "kind", "name", "direction", "teu_per_year", "tonnes_per_year", "capacity_teu_per_year",
    "capacity_tonnes_per_year", "vc", "queue_days", "extra_teu_per_year", "extra_tonnes_per_year", "capacity", "sources",
)  # fmt: skip
LINK_COLUMNS = ("link", "name", "mode", "forward_teu_per_year", "reverse_teu_per_year", "tonnes_per_year", "vc", "queue_days")
OD_COLUMNS = (
    "origin", "destination", "teu_per_year", "tonnes_per_year", "served_teu_per_year", "unserved_teu_per_year",
    "unserved_reason", "hours", "queue_hours", "free_flow_hours", "cost_usd_per_teu", "co2e_kg_per_year", "corridors",
)  # fmt: skip


def _n(value: float | None, digits: int = 3) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def _asset(a: Any) -> JSON:
    return {
        "asset": a.asset,
        "kind": a.kind.value,
        "name": a.name,
        "direction": a.direction,
        "place": a.place,
        "link": a.link,
        "mode": a.mode,
        "teu_per_year": _n(a.teu_per_year, 1),
        "tonnes_per_year": _n(a.tonnes_per_year, 0),
        "capacity_teu_per_year": _n(a.capacity_teu_per_year, 0),
        "capacity_tonnes_per_year": _n(a.capacity_tonnes_per_year, 0),
        "vc": _n(a.vc, 4),
        "queue_days": _n(a.queue_days, 3),
        "extra_teu_per_year": _n(a.extra_teu_per_year, 0),
        "extra_tonnes_per_year": _n(a.extra_tonnes_per_year, 0),
        "capacity": a.capacity,
        "sources": list(a.sources),
        "estimate": a.estimate,
    }


def _od(od: Any) -> JSON:
    return {
        "origin": od.origin,
        "destination": od.destination,
        "teu_per_year": _n(od.teu_per_year, 1),
        "tonnes_per_year": _n(od.tonnes_per_year, 0),
        "served_teu_per_year": _n(od.served_teu_per_year, 1),
        "unserved_teu_per_year": _n(od.unserved_teu_per_year, 1),
        "unserved_reason": od.unserved_reason,
        "hours": _n(od.hours, 2),
        "queue_hours": _n(od.queue_hours, 2),
        "free_flow_hours": _n(od.free_flow_hours, 2),
        "cost_usd_per_teu": _n(od.cost_usd_per_teu, 2),
        "co2e_kg_per_year": _n(od.co2e_kg_per_year, 0),
        "corridors": [{"id": c, "share": _n(s, 4)} for c, s in od.corridors],
        "paths": [
            {"places": list(p.places), "share": _n(p.share, 4), "hours": _n(p.hours, 2), "corridor": p.corridor}
            for p in od.paths
        ],
    }


def assignment_to_dict(result: Assignment, *, top: int | None = None) -> JSON:
    """The whole result as JSON-ready data (``top`` keeps that many bottlenecks; all by default)."""
    bottlenecks = result.bottlenecks
    return {
        "demand": result.demand,
        "scenario": result.scenario,
        "network": result.network_digest,
        "method": result.method,
        "capacity_mode": result.capacity_mode,
        "criterion": result.criterion,
        "gap": result.gap,
        "target_gap": result.target_gap,
        "iterations": result.iterations,
        "converged": result.converged,
        "seconds": _n(result.seconds, 3),
        "warnings": list(result.warnings),
        "totals": {
            "teu_per_year": _n(result.teu_per_year, 1),
            "tonnes_per_year": _n(result.tonnes_per_year, 0),
            "served_teu_per_year": _n(result.served_teu_per_year, 1),
            "unserved_teu_per_year": _n(result.unserved_teu_per_year, 1),
            "unserved_tonnes_per_year": _n(result.unserved_tonnes_per_year, 0),
        },
        "corridors": [
            {"id": c.id, "name": c.name, "teu_per_year": _n(c.teu_per_year, 1), "tonnes_per_year": _n(c.tonnes_per_year, 0), "share": _n(c.share, 4)}
            for c in result.corridors
        ],
        "bottlenecks": [_asset(a) for a in (bottlenecks if top is None else bottlenecks[:top])],
        "links": [
            {
                "link": link.link,
                "name": link.name,
                "mode": link.mode,
                "forward_teu_per_year": _n(link.forward_teu_per_year, 1),
                "reverse_teu_per_year": _n(link.reverse_teu_per_year, 1),
                "tonnes_per_year": _n(link.tonnes_per_year, 0),
                "vc": _n(link.vc, 4),
                "queue_days": _n(link.queue_days, 3),
            }
            for link in result.links
        ],
        "ods": [_od(od) for od in result.ods],
        "gaps": [float(g) for g in result.gaps],
    }


def _csv(columns: tuple[str, ...], rows: list[JSON]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def assignment_csv(result: Assignment) -> dict[str, str]:
    """CSV tables by file name: ``assets.csv`` (bottlenecks first), ``links.csv``, ``ods.csv``, ``corridors.csv``."""
    data = assignment_to_dict(result)
    assets = [{**a, "sources": ";".join(a["sources"])} for a in data["bottlenecks"]]
    ods = [{**o, "corridors": ";".join(f"{c['id'] or 'none'}:{c['share']}" for c in o["corridors"])} for o in data["ods"]]
    return {
        "assets.csv": _csv(ASSET_COLUMNS, assets),
        "links.csv": _csv(LINK_COLUMNS, data["links"]),
        "ods.csv": _csv(OD_COLUMNS, ods),
        "corridors.csv": _csv(("id", "name", "teu_per_year", "tonnes_per_year", "share"), data["corridors"]),
    }


def assignment_geojson(result: Assignment, network: Network) -> JSON:
    """Links with volume as lines (TEU a year each way, worst V/C, queue days) and place assets with capacity as points."""
    features: list[JSON] = []
    by_place: dict[str, list[JSON]] = {}
    for a in result.bottlenecks:
        if a.place is not None:
            by_place.setdefault(a.place, []).append(_asset(a))
    for link in result.links:
        item = network.links[link.link]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": link_coordinates(network, item)},
                "properties": {
                    "kind": "link",
                    "link": link.link,
                    "name": link.name,
                    "mode": link.mode,
                    "from": item.origin,
                    "to": item.destination,
                    "teu_per_year": _n(link.teu_per_year, 1),
                    "forward_teu_per_year": _n(link.forward_teu_per_year, 1),
                    "reverse_teu_per_year": _n(link.reverse_teu_per_year, 1),
                    "tonnes_per_year": _n(link.tonnes_per_year, 0),
                    "vc": _n(link.vc, 4),
                    "queue_days": _n(link.queue_days, 3),
                    "assets": [_asset(a) for a in result.assets if a.link == link.link],
                },
            }
        )
    for place_id, assets in by_place.items():
        place = network.places[place_id]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "kind": "place",
                    "place": place_id,
                    "name": place.name,
                    "vc": max((a["vc"] or 0.0) for a in assets),
                    "queue_days": max((a["queue_days"] or 0.0) for a in assets),
                    "assets": assets,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "demand": result.demand,
        "scenario": result.scenario,
        "method": result.method,
        "gap": result.gap,
        "features": features,
    }
