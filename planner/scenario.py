"""What-if scenarios: named lists of changes, read from YAML/JSON and checked against a network.

A scenario never edits the shared network: :func:`planner.apply_scenario` returns a new, frozen
network with the changes made (:mod:`planner.scenario_network`), and
:func:`planner.plan_with_scenario` plans a request on both (:mod:`planner.scenario_plan`).
Change types::

    close_place: ID                                 close_link: ID
    close_border: CC                                (every link crossing into or out of CC, in transit too)
    add_delay: {place: ID, hours: H}                set_border_dwell: {place: ID, hours: H | {typical, min, max} | by level/direction}
    multiply_tariff: {mode | link | country: X, factor: F}
    set_departures: {link: ID, per_week: N}         add_link: {<a link as in the network format>}
    open_link: ID                                   (a planned link starts operating)
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from . import _schema as s
from .cache import CacheSlot
from .errors import ScenarioConflictError, ScenarioError, ScenarioReferenceError
from .loader import parse_yaml
from .model import LinkStatus
from .network import Network

__all__ = [
    "MAX_CHANGES",
    "MAX_SCENARIO_BYTES",
    "Scenario",
    "bundled_scenarios",
    "load_bundled_scenario",
    "load_scenario",
    "parse_scenario",
    "scenario_dir",
]

MAX_SCENARIO_BYTES = 256 * 1024
MAX_CHANGES = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Delay(_Strict):
    place: s.Slug
    hours: s.PositiveNumber


class _Dwell(_Strict):
    place: s.Slug
    hours: s.DwellHours
    fee_usd_per_teu: s.NonNegativeNumber | None = None


class _Tariff(_Strict):
    mode: s.ModeName | None = None
    link: s.Slug | None = None
    country: s.Country | None = None
    factor: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False, strict=True)]

    @model_validator(mode="after")
    def _one_target(self) -> _Tariff:
        if sum(x is not None for x in (self.mode, self.link, self.country)) != 1:
            raise ValueError("give exactly one of mode, link or country")
        return self


class _Departures(_Strict):
    link: s.Slug
    per_week: s.PositiveNumber


class _NewLink(s.LinkSpec):
    pass


class ChangeSpec(_Strict):
    close_place: s.Slug | None = None
    close_link: s.Slug | None = None
    close_border: s.Country | None = None
    add_delay: _Delay | None = None
    set_border_dwell: _Dwell | None = None
    multiply_tariff: _Tariff | None = None
    set_departures: _Departures | None = None
    add_link: _NewLink | None = None
    open_link: s.Slug | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ChangeSpec:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("each change must have exactly one of " + ", ".join(type(self).model_fields))
        return self


class _SourceRef(_Strict):
    publisher: s.Text
    title: s.Text
    year: s.Year
    url: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ScenarioSpec(_Strict):
    name: s.Slug
    title: s.Text
    description: s.Text = "(no description)"
    sources: list[_SourceRef] = []
    estimate: s.Text | None = None
    changes: Annotated[list[ChangeSpec], Field(min_length=1, max_length=MAX_CHANGES)]


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario; ``key`` identifies its content."""

    name: str
    title: str
    description: str
    spec: ScenarioSpec
    key: str

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "sources": [src.model_dump(exclude_none=True) for src in self.spec.sources],
            "estimate": self.spec.estimate,
            "changes": [c.model_dump(exclude_none=True, by_alias=True) for c in self.spec.changes],
        }


def scenario_dir() -> Path:
    """Directory of the bundled scenario files (installed or from a checkout)."""
    packaged = resources.files("planner").joinpath("_graphs", "scenarios")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "graphs" / "scenarios"


def _errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:10]:
        loc = ".".join(str(p) for p in err["loc"] if p not in ("number", "spec"))
        parts.append(f"{loc or 'scenario'}: {err['msg']}")
    return "invalid scenario: " + "; ".join(parts)


def parse_scenario(data: Mapping[str, Any] | str, network: Network) -> Scenario:
    """Validate a scenario given as a mapping, or as YAML/JSON text, against ``network``.

    Raises
    ------
    ScenarioError
        The scenario is malformed or names places, links or countries the network lacks.
    """
    if isinstance(data, str):
        if len(data.encode("utf-8", "surrogatepass")) > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"scenario text is over {MAX_SCENARIO_BYTES} bytes", field="scenario")
        try:
            raw, _ = parse_yaml(data, "<scenario>")
        except Exception as exc:  # noqa: BLE001 - any parse failure is the caller's input error
            raise ScenarioError(f"scenario is not valid YAML/JSON: {exc}", field="scenario") from None
        data = raw
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be an object with name, title and changes", field="scenario")
    try:
        spec = ScenarioSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise ScenarioError(_errors(exc), field="scenario") from None
    _check_references(spec, network)
    canonical = json.dumps(spec.model_dump(mode="json", by_alias=True), sort_keys=True)
    key = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return Scenario(spec.name, spec.title, spec.description, spec, key)


def _check_references(spec: ScenarioSpec, network: Network) -> None:
    added = {c.add_link.id for c in spec.changes if c.add_link is not None}
    for n, change in enumerate(spec.changes, start=1):
        where = f"change {n}"
        places = []
        links = []
        if change.close_place:
            places.append(change.close_place)
        if change.add_delay:
            places.append(change.add_delay.place)
        if change.set_border_dwell:
            places.append(change.set_border_dwell.place)
            dwell_place = network.places.get(change.set_border_dwell.place)
            if dwell_place is not None and dwell_place.border is None:
                raise ScenarioConflictError(
                    f"{where}: set_border_dwell: {dwell_place.name} has no border controls", field="scenario"
                )
        if change.close_link:
            links.append(change.close_link)
        if change.open_link:
            links.append(change.open_link)
            opened = network.links.get(change.open_link)
            if opened is not None and opened.status is not LinkStatus.PLANNED:
                raise ScenarioConflictError(
                    f"{where}: open_link: link {opened.id} is already operational", field="scenario"
                )
        if change.set_departures:
            links.append(change.set_departures.link)
        if change.multiply_tariff and change.multiply_tariff.link:
            links.append(change.multiply_tariff.link)
        for country in (change.close_border, change.multiply_tariff.country if change.multiply_tariff else None):
            if country and country not in network.countries:
                raise ScenarioReferenceError(f"{where}: country {country} has no place in the network", field="scenario")
        if change.add_link:
            new = change.add_link
            if new.id in network.links:
                raise ScenarioConflictError(f"{where}: add_link: link id {new.id} already exists", field="scenario")
            places.extend([new.from_, new.to])
            if new.mode == "rail" and new.gauge_mm is None:
                raise ScenarioError(f"{where}: add_link: rail links need gauge_mm", field="scenario")
            if new.from_ == new.to:
                raise ScenarioError(f"{where}: add_link: a link must join two different places", field="scenario")
        for place in places:
            if place not in network.places:
                raise ScenarioReferenceError(f"{where}: unknown place '{place}'", field="scenario")
        for link in links:
            if link not in network.links and link not in added:
                raise ScenarioReferenceError(f"{where}: unknown link '{link}'", field="scenario")


def bundled_scenarios() -> list[dict[str, Any]]:
    """Name, title, description and sources of each bundled scenario (graphs/scenarios/*.yaml)."""
    return copy.deepcopy(_bundled_summaries())


@lru_cache(maxsize=1)
def _bundled_summaries() -> list[dict[str, Any]]:
    # The bundled files ship with the package and do not change while it runs: read them once.
    out = []
    for path in sorted(scenario_dir().glob("*.yaml")):
        raw, _ = parse_yaml(path.read_text(encoding="utf-8"), str(path))
        out.append(
            {
                "name": raw.get("name", path.stem),
                "title": raw.get("title", ""),
                "description": raw.get("description", ""),
                "sources": raw.get("sources", []),
            }
        )
    return out


_BUNDLED = CacheSlot[str, Scenario]("bundled scenarios", max_entries=64)


def load_bundled_scenario(name: str, network: Network) -> Scenario:
    """A bundled scenario by name only (never a file path: for names that come from requests or batch rows)."""
    names = [sc["name"] for sc in _bundled_summaries()]
    if name not in names:
        raise ScenarioError(
            f"no bundled scenario is called {name!r}; bundled scenarios: {', '.join(names) or 'none'}", field="scenario"
        )
    return load_scenario(name, network)


def load_scenario(ref: str, network: Network) -> Scenario:
    """Load a scenario by bundled name (e.g. ``cku_opened``) or from a YAML/JSON file path."""
    candidate = scenario_dir() / f"{ref}.yaml"
    path = candidate if ref.replace("_", "").isalnum() and candidate.is_file() else Path(ref)
    if not path.is_file():
        names = ", ".join(sc["name"] for sc in bundled_scenarios())
        raise ScenarioError(f"unknown scenario {ref!r}: not a bundled name ({names}) nor a file", field="scenario")
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file {path} is over {MAX_SCENARIO_BYTES} bytes", field="scenario")
    if path == candidate:  # bundled: parsed and checked once per network
        return network.caches.get(_BUNDLED, ref, lambda: parse_scenario(path.read_text(encoding="utf-8"), network))
    return parse_scenario(path.read_text(encoding="utf-8"), network)
