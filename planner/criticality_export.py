"""A criticality run as JSON, a CSV table (one row per asset) and GeoJSON (text tables live in the CLI)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from .batch import safe_cell
from .criticality import AffectedFlow, AssetCriticality, Criticality, FlowFigures
from .export import link_coordinates
from .network import Network

__all__ = ["ASSET_COLUMNS", "criticality_csv", "criticality_geojson", "criticality_to_dict"]

JSON = dict[str, Any]

ASSET_COLUMNS = (
    "rank", "asset", "kind", "facility", "name", "place", "link", "assessed", "note", "bridge", "pairs",
    "through_teu_per_year", "teu_per_year", "tonnes_per_year", "teu", "tonnes", "diverted_teu", "isolated_teu",
    "unserved_teu", "extra_days", "extra_days_p90", "extra_usd_per_teu", "extra_teu_days", "extra_usd",
    "extra_generalized_usd", "extra_co2e_t", "moves_to", "busiest_fallback", "busiest_fallback_vc_after",
)  # fmt: skip


def _n(value: float | None, digits: int = 3) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def _route(route: FlowFigures) -> JSON:
    return {
        "places": list(route.places),
        "hours": _n(route.hours, 2),
        "hours_p90": _n(route.hours_p90, 2),
        "cost_usd_per_teu": _n(route.cost_usd_per_teu, 2),
        "co2e_kg_per_tonne": _n(route.co2e_kg_per_tonne, 3),
        "distance_km": _n(route.distance_km, 1),
        "corridor": route.corridor,
    }


def _flow(flow: AffectedFlow) -> JSON:
    return {
        "origin": flow.origin,
        "destination": flow.destination,
        "status": flow.status,
        "teu_per_year": _n(flow.teu_per_year, 2),
        "tonnes_per_year": _n(flow.tonnes_per_year, 1),
        "moved_teu_per_year": _n(flow.moved_teu_per_year, 2),
        "isolated_teu_per_year": _n(flow.isolated_teu_per_year, 2),
        "unserved_teu_per_year": _n(flow.unserved_teu_per_year, 2),
        "before": _route(flow.before),
        "after": [
            {
                "route": _route(d.route),
                "teu_per_year": _n(d.teu_per_year, 2),
                "tonnes_per_year": _n(d.tonnes_per_year, 1),
                "extra_hours": _n(d.extra_hours, 2),
                "extra_hours_p90": _n(d.extra_hours_p90, 2),
                "extra_usd_per_teu": _n(d.extra_usd_per_teu, 2),
                "extra_co2e_kg_per_tonne": _n(d.extra_co2e_kg_per_tonne, 3),
            }
            for d in flow.after
        ],
    }


def _summary(a: AssetCriticality) -> JSON:
    """The asset's figures without its flows (a CSV row, a GeoJSON feature's properties)."""
    busiest = a.busiest_fallback
    return {
        "rank": a.rank,
        "asset": a.asset.id,
        "kind": a.asset.kind.value,
        "facility": a.asset.facility,
        "name": a.asset.name,
        "place": a.asset.place,
        "link": a.asset.link,
        "assessed": a.assessed,
        "note": a.note,
        "bridge": a.bridge,
        "pairs": a.pairs,
        "through_teu_per_year": _n(a.through_teu_per_year, 1),
        "teu_per_year": _n(a.teu_per_year, 1),
        "tonnes_per_year": _n(a.tonnes_per_year, 0),
        "teu": _n(a.teu, 1),
        "tonnes": _n(a.tonnes, 0),
        "diverted_teu": _n(a.diverted_teu, 1),
        "isolated_teu": _n(a.isolated_teu, 1),
        "unserved_teu": _n(a.unserved_teu, 1),
        "lost_teu": _n(a.lost_teu, 1),
        "extra_days": _n(a.extra_days, 3),
        "extra_days_p90": _n(a.extra_days_p90, 3),
        "extra_usd_per_teu": _n(a.extra_usd_per_teu, 2),
        "extra_teu_days": _n(a.extra_teu_days, 1),
        "extra_usd": _n(a.extra_usd, 0),
        "extra_generalized_usd": _n(a.extra_generalized_usd, 0),
        "extra_co2e_t": _n(a.extra_co2e_t, 2),
        "moves_to": "; ".join(f"{c.id or 'off corridors'} {c.teu / a.diverted_teu:.0%}" for c in a.corridors if a.diverted_teu > 0),
        "busiest_fallback": busiest.asset if busiest else None,
        "busiest_fallback_vc_after": _n(busiest.vc_after, 4) if busiest else None,
    }


def _asset(a: AssetCriticality) -> JSON:
    return {
        **_summary(a),
        "corridors": [{"id": c.id, "name": c.name, "teu": _n(c.teu, 1)} for c in a.corridors],
        "queues": [
            {
                "asset": q.asset,
                "name": q.name,
                "direction": q.direction,
                "vc_before": _n(q.vc_before, 4),
                "vc_after": _n(q.vc_after, 4),
                "full": q.full,
                "took_flow": q.took_flow,
                "capacity": q.capacity,
            }
            for q in a.queues
        ],
        "flows_total": a.flows_total,
        "flows": [_flow(f) for f in a.flows],
        "diverted_links": [{"link": link, "teu": _n(teu, 2)} for link, teu in a.diverted_links],
        "vacated_links": [{"link": link, "teu": _n(teu, 2)} for link, teu in a.vacated_links],
    }


def criticality_to_dict(result: Criticality, *, top: int | None = None) -> JSON:
    """The whole result as JSON-ready data (``top`` keeps that many assets; all by default)."""
    assets = result.assets if top is None else result.assets[:top]
    return {
        "network": result.network_digest,
        "demand": result.demand,
        "weighting": result.weighting,
        "scenario": result.scenario,
        "closure": result.closure,
        "fraction": result.fraction,
        "days": result.days,
        "criterion": result.criterion,
        "metric": result.metric,
        "value_of_time_usd_per_teu_hour": result.value_of_time_usd_per_teu_hour,
        "capacity_checked": result.capacity_checked,
        "pairs": result.pairs,
        "unrouted_pairs": result.unrouted_pairs,
        "teu_per_year": _n(result.teu_per_year, 1),
        "tonnes_per_year": _n(result.tonnes_per_year, 0),
        "notes": list(result.notes),
        "seconds": _n(result.seconds, 3),
        "searches": result.searches,
        "bridges": result.bridges,
        "assets_total": len(result.assets),
        "assets": [_asset(a) for a in assets],
    }


def criticality_csv(result: Criticality) -> str:
    """One row per asset, most critical first (columns :data:`ASSET_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, ASSET_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for a in result.assets:
        writer.writerow({k: ("" if v is None else safe_cell(v)) for k, v in _summary(a).items()})
    return out.getvalue()


def criticality_geojson(result: Criticality, network: Network) -> JSON:
    """Every assessed asset as a feature: links as lines, places' facilities as points; properties as the CSV,
    plus ``diverted_links`` and ``vacated_links`` (link id and TEU-eq during the closure): where its flow goes."""
    features: list[JSON] = []
    for a in result.assets:
        if not a.assessed:
            continue
        properties = {
            **_summary(a),
            "diverted_links": [{"link": link, "teu": _n(teu, 2)} for link, teu in a.diverted_links],
            "vacated_links": [{"link": link, "teu": _n(teu, 2)} for link, teu in a.vacated_links],
        }
        if a.asset.link is not None:
            geometry: JSON = {"type": "LineString", "coordinates": link_coordinates(network, network.links[a.asset.link])}
        else:
            assert a.asset.place is not None
            place = network.places[a.asset.place]
            geometry = {"type": "Point", "coordinates": [place.lon, place.lat]}
        features.append({"type": "Feature", "id": a.asset.id, "geometry": geometry, "properties": properties})
    return {
        "type": "FeatureCollection",
        "demand": result.demand,
        "weighting": result.weighting,
        "closure": result.closure,
        "fraction": result.fraction,
        "days": result.days,
        "metric": result.metric,
        "features": features,
    }
