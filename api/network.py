"""``/v1/network`` and ``/v1/version``: the served network as GeoJSON, and what is being served."""

from __future__ import annotations

import orjson
from starlette.responses import Response

import planner
from corridor_client.models import NetworkGeoJSON, Version
from planner import CacheSlot
from planner.export import network_geojson

from .common import GEOJSON, GeoJSONResponse, NetworkDep, json_response, ok, v1_router

__all__ = ["router"]

router = v1_router("network")

_GEOJSON = CacheSlot[None, bytes]("network GeoJSON", max_entries=1)


@router.get(
    "/network",
    response_model=NetworkGeoJSON,
    response_class=GeoJSONResponse,
    responses=ok("GeoJSON FeatureCollection: places as Points, links as LineStrings"),
    summary="The whole network as GeoJSON",
)
def get_network_geojson(network: NetworkDep) -> Response:
    """The whole network as GeoJSON (places and links with their figures and sources)."""
    body = network.caches.get(_GEOJSON, None, lambda: orjson.dumps(network_geojson(network)))
    return json_response(body, GEOJSON)


@router.get("/version", response_model=Version, responses=ok("Package and network versions"), summary="Versions")
def get_version(network: NetworkDep) -> Response:
    """The planner package version and the served network's id, name, version and content digest (SHA-256)."""
    info = network.info
    return json_response({"version": planner.__version__, "network": {"id": info.id, "name": info.name, "version": info.version, "digest": network.digest}})
