"""``/v1/places``: finding places by id, name or alias."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from starlette.responses import Response

from corridor_client.models import Place, PlaceMatches
from planner import UnknownPlaceError, search_places, suggest_places
from planner.export import place_to_dict

from .common import NetworkDep, json_response, ok, v1_router
from .models import PRINTABLE

__all__ = ["router"]

router = v1_router("places")

@router.get("/places", response_model=PlaceMatches, responses=ok("Matching places, best first"), summary="Search places")
def get_places(
    network: NetworkDep,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=PRINTABLE, openapi_examples={"tash": {"value": "tash"}})],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Places whose id, name or alias matches a query (for autocomplete)."""
    matches = search_places(network, q, limit=limit)
    places = [{**place_to_dict(m.place), "matched": m.matched, "score": round(m.score, 3)} for m in matches]
    return json_response({"places": places})


@router.get("/places/{place_id}", response_model=Place, responses=ok("The place"), summary="One place")
def get_place(
    network: NetworkDep,
    place_id: Annotated[str, Path(max_length=200, openapi_examples={"tashkent": {"value": "tashkent"}})],
) -> Response:
    """One place by id (404 with suggestions for unknown ids)."""
    place = network.places.get(place_id)
    if place is None:
        raise UnknownPlaceError(place_id, suggest_places(network, place_id), field="id")
    return json_response(place_to_dict(place))
