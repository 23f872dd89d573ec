"""The OpenAPI document: FastAPI's, completed with what it cannot say on its own.

* **Closed answers**: every object schema of an answer (the models of :mod:`corridor_client.models`)
  gets ``additionalProperties: false``, so a member the server sends that the models lack fails the
  contract tests (schemathesis' response conformance) instead of passing unnoticed.
* **Query objects**: an endpoint that reads its query string into one model (``GET /v1/routes``) is
  documented as one ``style: form, explode: true`` object parameter, so the rules between fields
  (``teu`` or ``tonnes``, one name per field) are in the schema as they are for the POST body.
* **Scenarios**: a scenario reference is a bundled scenario's name (an ``enum`` of the bundled
  files, read when the document is first built) or an uploaded id; an inline scenario follows the
  planner's scenario format, with the rules pydantic validators enforce (exactly one change per
  item, one tariff target, rail links with a gauge) written as ``oneOf``.
* **Extra components**: problems, the GeoJSON answers, the batch row; the rate-limit headers.
* **Examples**: real answers of the bundled network (``openapi_examples.json``, written by
  ``scripts/openapi_examples.py``) on each operation that has one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

import corridor_client.models as wire
from planner import bundled_scenarios
from planner.scenario import ScenarioSpec

from .models import INLINE_SCENARIO, SCENARIO_REF, UPLOADED_SCENARIO_ID, BatchRowFields, BatchSubmission

__all__ = ["EXAMPLES_PATH", "RATE_LIMIT_HEADERS", "install_openapi", "schema_ref"]

REF = "#/components/schemas/"
EXAMPLES_PATH = Path(__file__).resolve().parent / "openapi_examples.json"

RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {
        "description": "Requests a client may make per minute (IETF draft RateLimit header fields); "
        "sent when the server has a rate limit",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Remaining": {
        "description": "Requests the client has left now, across every server process",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the client's allowance is whole again",
        "schema": {"type": "integer", "minimum": 0},
    },
}
_RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}

_EXTRA_ANSWERS: tuple[type[BaseModel], ...] = (wire.Problem, wire.RouteFeatureCollection, wire.NetworkGeoJSON)
_EXTRA_REQUESTS: tuple[type[BaseModel], ...] = (BatchSubmission, BatchRowFields)


def schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A ``$ref`` to ``model``'s component schema (added to the document by :func:`install_openapi`)."""
    return {"$ref": REF + model.__name__}


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json``, ``/docs``) serve the completed document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    """The whole document for ``app``."""
    doc = get_openapi(
        title=app.title, version=app.version, openapi_version=app.openapi_version, description=app.description,
        routes=app.routes, tags=app.openapi_tags, servers=app.servers,
    )  # fmt: skip
    components: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    _add_models(components, _EXTRA_ANSWERS, "serialization")
    _add_models(components, _EXTRA_REQUESTS, "validation")
    _query_objects(doc, app, components)
    components.update(_scenario_components())
    _close(components, _wire_names())
    _fill_placeholders(doc)
    _headers(doc)
    _examples(doc)
    _drop_unused_validation_error(doc)
    return doc


# --- components -----------------------------------------------------------------------------------


def _add_models(components: dict[str, Any], models: tuple[type[BaseModel], ...], mode: str) -> None:
    pairs = [(m, mode) for m in models]
    mapping, top = models_json_schema(pairs, ref_template=REF + "{model}")  # type: ignore[arg-type]
    for name, schema in top.get("$defs", {}).items():
        components.setdefault(name, schema)  # a model FastAPI placed already is the same class


def _wire_names() -> set[str]:
    names: set[str] = set()
    stack: list[type[BaseModel]] = [wire.WireModel]
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


def _close(components: dict[str, Any], names: set[str]) -> None:
    """Answers are closed objects: a member the models do not declare breaks the contract."""
    for name in names & set(components):
        schema = components[name]
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False


# --- GET endpoints reading their query string into one model ------------------------------------------


def _query_model(route: APIRoute) -> type[BaseModel] | None:
    for field in route.dependant.query_params:
        if not getattr(field.field_info, "include_in_schema", True):
            continue  # documented in the operation's text (options of a non-JSON body)
        annotation = field.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
    return None


def _query_objects(doc: dict[str, Any], app: FastAPI, components: dict[str, Any]) -> None:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        model = _query_model(route)
        if model is None:
            continue
        _add_models(components, (model,), "validation")
        properties = components[model.__name__].get("properties", {})
        for name, schema in properties.items():
            properties[name] = _non_null(schema)  # a query string has no null: a field is given or not
        names = set(properties)
        for method in route.methods or ():
            operation = doc["paths"][route.path_format][method.lower()]
            kept = [p for p in operation.get("parameters", []) if not (p["in"] == "query" and p["name"] in names)]
            operation["parameters"] = [
                {
                    "name": "request",
                    "in": "query",
                    "required": True,
                    "style": "form",
                    "explode": True,
                    "description": "The request's fields, each a query parameter of its own (a list: the parameter "
                    "repeated, or its values separated by commas)",
                    "schema": schema_ref(model),
                },
                *kept,
            ]


# --- scenarios --------------------------------------------------------------------------------------


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its ``null`` option (and a ``null`` default)."""
    out = {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    options = out.get("anyOf")
    if options:
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            del out["anyOf"]
            return {**out, **kept[0]}
        out["anyOf"] = kept
    return out


def _exactly_one(schema: dict[str, Any], keys: list[str], describe: str) -> None:
    """Rewrite ``schema`` (an object of optional, nullable keys) so that exactly one of ``keys`` is given."""
    properties = schema["properties"]
    branches = []
    for key in keys:
        props = {k: (_non_null(v) if k == key else {"type": "null"}) for k, v in properties.items() if k in keys}
        branches.append({"title": key, "required": [key], "properties": props})
    schema["oneOf"] = branches
    schema["description"] = describe


@lru_cache(maxsize=1)
def _scenario_schemas() -> dict[str, Any]:
    top = ScenarioSpec.model_json_schema(ref_template=REF + "Scenario{model}", mode="validation")
    defs: dict[str, Any] = top.pop("$defs")
    renamed = {"Scenario" + name.lstrip("_").removesuffix("Spec"): schema for name, schema in defs.items()}
    renamed["Scenario"] = top
    text = json.dumps(renamed)
    for name in defs:  # references follow the renaming
        text = text.replace(f'"{REF}Scenario{name}"', f'"{REF}Scenario{name.lstrip("_").removesuffix("Spec")}"')
    out: dict[str, Any] = json.loads(text)
    change = out["ScenarioChange"]
    _exactly_one(change, list(change["properties"]), "One change: exactly one of its members is given")
    tariff = out["ScenarioTariff"]
    _exactly_one(tariff, ["mode", "link", "country"], "A factor on the tariffs of a mode, a link or a country's links (one of them)")
    new_link = out["ScenarioNewLink"]
    new_link["anyOf"] = [
        {"title": "road or sea", "properties": {"mode": {"enum": ["road", "sea"]}}},
        {"title": "rail, with its gauge", "required": ["gauge_mm"], "properties": {"gauge_mm": {"enum": [1435, 1520]}}},
    ]
    new_link["description"] = "A new link, as in the network format (rail links need gauge_mm; `from` and `to` differ)"
    for name in ("ScenarioRange", "ScenarioPositiveRange"):
        out[name]["description"] = "Hours as a range: min <= typical <= max (min and max default to typical)"
    out["Scenario"]["description"] = (
        "A what-if scenario: a name, a title, sources and a list of changes (docs/cost-model.md). "
        "Checked against the served network: a place, link or country it lacks is a 404, a change that does not "
        "fit it (an existing link id, a link already operational) a 409."
    )
    for name, schema in out.items():
        schema["title"] = name
    return out


def _scenario_components() -> dict[str, Any]:
    schemas: dict[str, Any] = copy.deepcopy(_scenario_schemas())
    return schemas


def _scenario_ref_schema() -> dict[str, Any]:
    names = sorted(s["name"] for s in bundled_scenarios())
    return {
        "description": "A bundled scenario's name, or the id of a scenario you uploaded",
        "anyOf": [
            {"title": "bundled", "type": "string", "enum": names},
            {"title": "uploaded", "type": "string", "pattern": UPLOADED_SCENARIO_ID},
        ],
    }


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _fill_placeholders(doc: dict[str, Any]) -> None:
    ref = _scenario_ref_schema()
    for node in list(_walk(doc)):
        if node.pop(SCENARIO_REF, None):
            description = node.get("description")
            node.update(copy.deepcopy(ref))
            if description:
                node["description"] = description
        if node.pop(INLINE_SCENARIO, None):
            node["$ref"] = REF + "Scenario"


# --- headers and examples -------------------------------------------------------------------------


def _headers(doc: dict[str, Any]) -> None:
    doc["components"]["headers"] = {**RATE_LIMIT_HEADERS, "Retry-After": _RETRY_AFTER}
    for path, item in doc["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for operation in item.values():
            for status, response in operation["responses"].items():
                headers = response.setdefault("headers", {})
                for name in RATE_LIMIT_HEADERS:
                    headers[name] = {"$ref": "#/components/headers/" + name}
                if status in ("429", "503"):
                    headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}


@lru_cache(maxsize=1)
def _stored_examples() -> dict[str, Any]:
    if not EXAMPLES_PATH.is_file():
        return {}
    data: dict[str, Any] = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))
    return data


def _examples(doc: dict[str, Any]) -> None:
    """Real answers, keyed ``"GET /v1/routes"`` -> status -> media type -> {name: {summary, value}}."""
    for key, by_status in _stored_examples().items():
        method, path = key.split(" ", 1)
        operation = doc["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        for status, by_media in by_status.items():
            response = operation["responses"].get(status)
            if response is None:
                continue
            for media, examples in by_media.items():
                content = response.setdefault("content", {}).setdefault(media, {})
                content.pop("example", None)
                content["examples"] = copy.deepcopy(examples)


def _drop_unused_validation_error(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    text = json.dumps(doc["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if REF + name not in text and name in schemas and REF + name not in json.dumps(schemas):
            del schemas[name]
