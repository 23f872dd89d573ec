"""``/v1/corridors``: the named corridors and their lines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from starlette.responses import Response

from corridor_client.models import CorridorDetail, CorridorList
from planner import Network, UnknownCorridorError, corridor_assets, resolve_corridor
from planner.export import corridor_geojson

from .common import NetworkDep, json_response, ok, v1_router
from .problems import ProblemError

__all__ = ["router"]

router = v1_router("corridors")


def _corridor_dict(network: Network, corridor_id: str) -> dict[str, Any]:
    corridor = network.corridors[corridor_id]
    return {
        "id": corridor.id,
        "name": corridor.name,
        "aliases": list(corridor.aliases),
        "description": corridor.description,
        "places": list(corridor.places),
        "branches": [list(b) for b in corridor.branches],
        "assets": list(corridor_assets(network)[corridor_id]),
    }


@router.get("/corridors", response_model=CorridorList, responses=ok("Every corridor"), summary="List corridors")
def get_corridors(network: NetworkDep) -> Response:
    """Every named corridor in the network."""
    return json_response({"corridors": [_corridor_dict(network, c) for c in network.corridors]})


@router.get(
    "/corridors/{corridor_id}", response_model=CorridorDetail, responses=ok("The corridor and its lines"), summary="One corridor"
)
def get_corridor(
    network: NetworkDep,
    corridor_id: Annotated[str, Path(max_length=100, openapi_examples={"titr": {"value": "titr"}})],
) -> Response:
    """One corridor by id or alias, with its lines as a GeoJSON MultiLineString."""
    try:
        corridor = resolve_corridor(network, corridor_id)
    except UnknownCorridorError:
        known = ", ".join(sorted(network.corridors))
        raise ProblemError(
            404, "unknown_corridor", "Unknown corridor", f"no corridor has this id, name or alias; known corridors: {known}",
            errors=[{"field": "corridor_id", "message": "no corridor has this id, name or alias"}],
            suggestions=sorted(network.corridors),
        ) from None
    return json_response({**_corridor_dict(network, corridor.id), "geometry": corridor_geojson(network, corridor.id)["geometry"]})
