"""The names each endpoint accepts, so that a parameter it does not know is an error, never dropped.

:func:`unknown_query_errors` lists the query parameters an endpoint does not declare, each with the
closest accepted name as a suggestion (``api.common.reject_unknown_parameters`` answers them with a
422). Unknown body fields are refused by the request models (``extra="forbid"``);
:func:`accepted_names` gives :mod:`api.problems` the names to suggest for them too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.routing import APIRoute
from pydantic import AliasChoices, BaseModel

__all__ = ["accepted_names", "did_you_mean", "shown_name", "unknown_query_errors"]

_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def _model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


Names = Mapping[str, str]
"""Every accepted name (primary or alias) -> its primary name."""


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """A model's field names and every alias it accepts for them, each mapped to the field's primary name."""
    names: dict[str, str] = {}
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        choices = [c for c in alias.choices if isinstance(c, str)] if isinstance(alias, AliasChoices) else []
        if isinstance(alias, str):
            choices = [alias]
        primary = choices[0] if choices else info.alias or name
        for choice in (primary, *choices):
            names[choice] = primary
    return names


def accepted_names(route: APIRoute) -> dict[str, Names]:
    """The query parameter and body field names ``route`` accepts (aliases included), by location.

    Computed per request: a walk over a few declared fields, cheaper than a cache keyed by route.
    """
    query: dict[str, str] = {}
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        for field in dependant.query_params:
            model = _model(field.field_info.annotation)
            query.update(_field_names(model) if model is not None else {field.alias: field.alias})
        stack.extend(dependant.dependencies)
    body: dict[str, str] = {}
    if route.body_field is not None:
        model = _model(route.body_field.field_info.annotation)
        if model is not None:
            body = _field_names(model)
    return {"query": query, "body": body}


def did_you_mean(name: str, names: Names) -> str | None:
    """The primary name of the accepted name closest to ``name``, if one is close (another spelling or word form)."""
    choices = sorted(names)
    close = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=0.6)
    if close:
        return names[close[0]]
    # avoid_country vs avoid_countries, corridor vs corridors: one is the start of the other.
    starts = {names[c] for c in choices if len(name) >= 3 and (c.startswith(name) or name.startswith(c))}
    return starts.pop() if len(starts) == 1 else None


def shown_name(name: str) -> str:
    """A client-given name as it may appear in a problem: as given when it looks like a name, else a placeholder."""
    return name if _SAFE_NAME.match(name) else "(unrecognized field)"


def unknown_query_errors(route: APIRoute, names: Iterable[str]) -> list[dict[str, str]]:
    """``{field, message}`` for each of ``names`` (query parameters of a request) that ``route`` does not accept."""
    known = accepted_names(route)["query"]
    errors = []
    for name in [n for n in dict.fromkeys(names) if n not in known][:20]:
        message = "unknown query parameter"
        suggestion = did_you_mean(name, known) if _SAFE_NAME.match(name) else None
        if suggestion:
            message += f"; did you mean {suggestion}?"
        elif known:
            message += "; accepted: " + ", ".join(sorted(set(known.values())))
        else:
            message += "; this endpoint takes none"
        errors.append({"field": shown_name(name), "message": message})
    return errors
